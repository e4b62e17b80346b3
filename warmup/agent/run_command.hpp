// Runs an operator's command through the system shell with a time limit. Used by the command gate.
#pragma once

#include <chrono>
#include <string>

#include "licensing/wire/result.hpp"

namespace rdwarm::agent {

struct CommandResult {
  int exit_code = 0;
  bool timed_out = false;  // the command was killed at the time limit
};

// /bin/sh -c COMMAND (cmd.exe /c COMMAND on Windows), stdin from the null device, output
// inherited. An error only when the command could not be started.
Result<CommandResult> run_shell_command(const std::string& command,
                                        std::chrono::milliseconds timeout);

}  // namespace rdwarm::agent
