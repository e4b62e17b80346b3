// Runs a shell command for a test and captures what it prints (standard output and error).
#pragma once

#include <cstdio>
#include <string>

#ifndef _WIN32
#include <sys/wait.h>
#endif

namespace rdwarm::testing {

struct ShellResult {
  int exit_code = -1;  // -1: could not start, or ended by a signal
  std::string output;
};

inline ShellResult run_shell(const std::string& command) {
  ShellResult r;
#ifdef _WIN32
  FILE* pipe = _popen((command + " 2>&1").c_str(), "r");
#else
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
#endif
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
#ifdef _WIN32
  r.exit_code = _pclose(pipe);
#else
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
#endif
  return r;
}

}  // namespace rdwarm::testing
