// Helpers for the config tests that also build in the mingw cross build, where the POSIX test
// harness (tests/support/ports.hpp) is left out: a scratch directory and an environment variable
// set for the length of one test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <system_error>

namespace rdwarm::config::test {

// <temp>/rdwarm-config-<random>, removed at the end unless the test failed.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("rdwarm-config-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    if (::testing::Test::HasFailure()) return;  // kept for inspection
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    set(value);
  }
  ~ScopedEnv() {
    if (old_) {
      set(*old_);
    } else {
      unset();
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void set(const std::string& value) {
#ifdef _WIN32
    ::_putenv_s(name_, value.c_str());  // an empty value removes the variable on Windows
#else
    ::setenv(name_, value.c_str(), 1);
#endif
  }
  void unset() {
#ifdef _WIN32
    ::_putenv_s(name_, "");
#else
    ::unsetenv(name_);
#endif
  }

  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace rdwarm::config::test
