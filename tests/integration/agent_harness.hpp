// `rdwarm boot` as a child process against rdwarm-lab, for the agent's end-to-end tests: the
// agent's files (config, status file, gate journal, log) in one temp dir per test, the lab's
// state read back as the agent's gate left it, a bounded HTTP GET for the health endpoint, and
// bounded polling. Everything a test starts is stopped by its destructor.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "licensing/host/lab/lab_platform.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "tests/integration/lab_process.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/process.hpp"

#ifndef RDWARM_BINARY
#error "RDWARM_BINARY must name the rdwarm executable"
#endif

namespace rdwarm::testing {

using AgentClock = std::chrono::steady_clock;

// Polls `condition` every 20 ms until it holds or `timeout` passes.
inline bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto end = AgentClock::now() + timeout;
  while (AgentClock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

inline double seconds_since(AgentClock::time_point start) {
  return std::chrono::duration<double>(AgentClock::now() - start).count();
}

// The lab host's drain mode as the state file says now; nullopt while it cannot be read.
inline std::optional<std::uint32_t> drain_mode(const LabProcess& lab) {
  auto s = host::lab::read_lab_state_file(lab.state_file());
  if (!s.ok()) return std::nullopt;
  return s->drain_mode;
}

// A lab host service's state as the state file says now ("running", "stopped"); nullopt while
// the file cannot be read or has no such service.
inline std::optional<std::string> service_state(const LabProcess& lab, const std::string& name) {
  auto s = host::lab::read_lab_state_file(lab.state_file());
  if (!s.ok()) return std::nullopt;
  const auto it = s->services.find(name);
  if (it == s->services.end()) return std::nullopt;
  return host::service_state_name(it->second);
}

// The event ids the agent wrote to the lab's event log (<state dir>/events.jsonl), in order.
inline std::vector<std::uint32_t> event_ids(const LabProcess& lab) {
  std::vector<std::uint32_t> ids;
  std::ifstream in(lab.state_dir() / host::lab::kLabEventLogName);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("id")) ids.push_back(j["id"].get<std::uint32_t>());
  }
  return ids;
}

// A JSON file, or an empty object when it is missing or not a JSON object (yet).
inline nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return nlohmann::json::object();
  auto j = nlohmann::json::parse(in, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

// The value at `path` (object keys), or `fallback` when it is missing or of another type, so a
// test that fails reports the difference instead of throwing.
template <typename T>
T field(const nlohmann::json& j, std::initializer_list<const char*> path, T fallback) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return fallback;
    at = &(*at)[key];
  }
  try {
    return at->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

// GET http://127.0.0.1:PORT<target>, the whole exchange bounded by `timeout`; nullopt when it
// could not be completed.
inline std::optional<HttpReply> http_get(
    std::uint16_t port, const std::string& target,
    std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  http::response<http::string_body> response;
  boost::system::error_code error;
  stream.expires_after(timeout);
  stream.async_connect(
      asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
      [&](const boost::system::error_code& ec) {
        if ((error = ec)) return;
        http::async_write(stream, request, [&](const boost::system::error_code& wec, std::size_t) {
          if ((error = wec)) return;
          http::async_read(stream, buffer, response,
                           [&](const boost::system::error_code& rec, std::size_t) { error = rec; });
        });
      });
  io.run();
  if (error) return std::nullopt;
  return HttpReply{response.result_int(), response.body()};
}

// The agent's files for one test.
class AgentFiles {
 public:
  // `config_toml`: the contents of rdwarm.toml (empty: every default). A file is always passed
  // with --config, so neither $RDWARM_CONFIG nor /etc/rdwarm/rdwarm.toml can change a test.
  explicit AgentFiles(const std::string& config_toml = "") {
    std::ofstream(config_file()) << config_toml;
  }

  std::filesystem::path dir() const { return dir_.path(); }
  std::filesystem::path config_file() const { return dir_.path() / "rdwarm.toml"; }
  std::filesystem::path status_file() const { return dir_.path() / "status.json"; }
  std::filesystem::path journal_file() const { return dir_.path() / "gate-journal.json"; }
  nlohmann::json status() const { return read_json(status_file()); }
  nlohmann::json journal() const { return read_json(journal_file()); }

 private:
  ScopedTempDir dir_{"rdwarm-agent"};
};

// `rdwarm boot --platform lab` against `lab`, with the files of `files` and a health endpoint
// on a free port. Output (stdout and stderr) goes to agent-N.log in the files' directory.
class AgentProcess {
 public:
  AgentProcess(const LabProcess& lab, const AgentFiles& files, const std::string& deadline,
               const std::vector<std::string>& extra_args = {})
      : log_file_(files.dir() / ("agent-" + std::to_string(next_number()) + ".log")) {
    std::vector<std::string> argv{RDWARM_BINARY,     "boot",
                                  "--config",        files.config_file().string(),
                                  "--platform",      "lab",
                                  "--lab-state-dir", lab.state_dir().string(),
                                  "--target",        "127.0.0.1:" + std::to_string(lab.port()),
                                  "--deadline",      deadline,
                                  "--health-listen", "127.0.0.1:0",
                                  "--status-file",   files.status_file().string(),
                                  "--journal",       files.journal_file().string(),
                                  "--no-progress"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    started_ = AgentClock::now();
    process_.emplace(argv, log_file_);
  }

  AgentClock::time_point started() const { return started_; }
  pid_t pid() const { return process_->pid(); }
  bool running() { return process_->running(); }
  std::string log() const { return process_->log(); }

  // Exit code, or nullopt if it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    return process_->wait_for_exit(timeout);
  }

  void kill_hard() {
    ::kill(process_->pid(), SIGKILL);
    process_->wait_for_exit(std::chrono::seconds(5));
  }
  // SIGTERM (ends the warm-up or the serving), then the exit code.
  std::optional<int> terminate() {
    process_->terminate(std::chrono::seconds(5));
    return process_->exit_status();
  }

  // The port of the health endpoint, from the line the agent logs at start.
  std::optional<std::uint16_t> health_port(std::chrono::milliseconds timeout) {
    static const std::regex kHealth("health endpoint: http://127\\.0\\.0\\.1:([0-9]+)/readyz");
    std::optional<std::uint16_t> port;
    poll_until(
        [&] {
          std::smatch m;
          const std::string text = read_file_tail(log_file_);
          if (std::regex_search(text, m, kHealth)) {
            port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
          }
          return port.has_value() || !process_->running();
        },
        timeout);
    return port;
  }

  // The final line `rdwarm boot: <headline> (exit N)`: its N, once it has been printed.
  std::optional<int> printed_exit_code() const {
    static const std::regex kFinal("rdwarm boot: .* \\(exit ([0-9]+)\\)");
    std::smatch m;
    const std::string text = read_file_tail(log_file_);
    if (!std::regex_search(text, m, kFinal)) return std::nullopt;
    return std::stoi(m[1].str());
  }

 private:
  static int next_number() {
    static int n = 0;
    return ++n;
  }

  std::filesystem::path log_file_;
  AgentClock::time_point started_;
  std::optional<ChildProcess> process_;
};

}  // namespace rdwarm::testing
