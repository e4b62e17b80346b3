// Runs the rdwarm command line in-process and captures what it prints on stdout.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "warmup/cli/app.hpp"

namespace rdwarm::testing {

inline int run_cli(std::vector<std::string> args, std::string& out) {
  args.insert(args.begin(), "rdwarm");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  const int rc = cli::run(static_cast<int>(argv.size()), argv.data());
  out = ::testing::internal::GetCapturedStdout();
  return rc;
}

}  // namespace rdwarm::testing
