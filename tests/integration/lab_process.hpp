// rdwarm-lab as a child process for tests: started on a free port (--port 0) with its own state
// directory, its port read from the line it prints at start, stopped with SIGTERM. Used by the
// integration tests (the probe against the lab) and the interop tests (xfreerdp against the lab).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "licensing/host/lab/lab_state_file.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/process.hpp"

#ifndef RDWARM_LAB_BINARY
#error "RDWARM_LAB_BINARY must name the rdwarm-lab executable"
#endif

namespace rdwarm::testing {

class LabProcess {
 public:
  // `scenario`: a built-in name or a .toml path. Throws std::runtime_error with the lab's output
  // when it does not come up within 15 s.
  explicit LabProcess(const std::string& scenario, std::vector<std::string> extra_args = {}) {
    std::vector<std::string> argv{RDWARM_LAB_BINARY, "--scenario",        scenario, "--port", "0",
                                  "--state-dir",     state_dir().string()};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_.emplace(argv, dir_.path() / "lab.log");
    static const std::regex kListening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      const std::string text = read_file_tail(dir_.path() / "lab.log");
      if (std::regex_search(text, m, kListening)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
        return;
      }
      if (!process_->running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const std::string log = process_->log();
    process_.reset();
    throw std::runtime_error("rdwarm-lab did not start:\n" + log);
  }
  ~LabProcess() { stop(); }
  LabProcess(const LabProcess&) = delete;
  LabProcess& operator=(const LabProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::filesystem::path state_dir() const { return dir_.path() / "state"; }
  std::filesystem::path state_file() const { return state_dir() / host::lab::kLabStateFileName; }
  std::string log() const { return process_ ? process_->log() : stopped_log_; }

  host::lab::LabHostState state() const {
    auto s = host::lab::read_lab_state_file(state_file());
    if (!s.ok()) throw std::runtime_error("cannot read the lab state file: " + s.error().message());
    return s.value();
  }

  // SIGTERM, then the exit status; the log keeps the lab's exit summary.
  std::optional<int> stop() {
    if (!process_) return exit_status_;
    process_->terminate(std::chrono::milliseconds(5000));
    exit_status_ = process_->exit_status();
    stopped_log_ = process_->log();
    process_.reset();
    return exit_status_;
  }

 private:
  ScopedTempDir dir_{"rdwarm-lab"};
  std::optional<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::optional<int> exit_status_;
  std::string stopped_log_;
};

}  // namespace rdwarm::testing
