// The agent's log: spdlog to standard error (and optionally a file), as text for people or as one
// JSON object per line for collectors. Times are UTC.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "warmup/agent/orchestrator.hpp"

namespace rdwarm::agent {

struct LoggerOptions {
  LogLevel level = LogLevel::kInfo;
  bool json = false;
  std::filesystem::path file;  // empty: standard error only
};

using LogFunction = std::function<void(LogLevel, const std::string&)>;

LogFunction make_logger(const LoggerOptions& options);

}  // namespace rdwarm::agent
