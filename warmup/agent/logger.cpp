#include "warmup/agent/logger.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace rdwarm::agent {

namespace {

spdlog::level::level_enum spdlog_level(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kWarning:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kInfo:
      break;
  }
  return spdlog::level::info;
}

}  // namespace

LogFunction make_logger(const LoggerOptions& options) {
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_sink_mt>()};
  if (!options.file.empty()) {
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file.string()));
  }
  auto logger = std::make_shared<spdlog::logger>("rdwarm", sinks.begin(), sinks.end());
  logger->set_level(spdlog_level(options.level));
  // The JSON message is escaped here (nlohmann), so the pattern only frames it.
  logger->set_pattern(options.json ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":%v})"
                                   : "%Y-%m-%dT%H:%M:%S.%eZ %-7l %v",
                      spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::debug);
  const bool json = options.json;
  return [logger, json](LogLevel level, const std::string& message) {
    const auto text = json ? nlohmann::json(message).dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace)
                           : message;
    logger->log(spdlog_level(level), "{}", text);
  };
}

}  // namespace rdwarm::agent
