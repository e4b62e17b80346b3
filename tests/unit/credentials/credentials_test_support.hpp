// Shared by the credentials tests: the test password (which no output may ever contain), files
// with a given mode, and standard input/error redirected for one call of the in-process CLI.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "config/agent_config.hpp"
#include "config/default_paths.hpp"

namespace rdwarm::credentials::test {

// Distinctive, so that a search of any output for it cannot match by accident.
inline constexpr std::string_view kPassword = "Tr0ub4dor&3-nla-test-Zq9";

inline void write_text(const std::filesystem::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

// Asserts that `text` (an output, a log, an error message) does not hold the test password.
#define EXPECT_NO_PASSWORD(text)                                                               \
  EXPECT_EQ(std::string(text).find(::rdwarm::credentials::test::kPassword), std::string::npos) \
      << "the test password appears in: " << (text)

inline config::NlaConfig file_settings(const std::filesystem::path& file) {
  config::NlaConfig nla = config::default_config().nla;
  nla.user = "rdwarm-probe";
  nla.domain = "CORP";
  nla.password_source = config::PasswordSource::File;
  nla.password_file = file;
  return nla;
}

#ifndef _WIN32
inline void write_with_mode(const std::filesystem::path& file, std::string_view text, mode_t mode) {
  write_text(file, text);
  ASSERT_EQ(::chmod(file.c_str(), mode), 0);
}

inline mode_t mode_of(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Puts `fd` in place of `target` (0 or 2) until destroyed.
class FdSwap {
 public:
  FdSwap(int target, int fd) : target_(target), saved_(::dup(target)) { ::dup2(fd, target); }
  ~FdSwap() {
    ::dup2(saved_, target_);
    ::close(saved_);
  }
  FdSwap(const FdSwap&) = delete;
  FdSwap& operator=(const FdSwap&) = delete;
  FdSwap(FdSwap&&) = delete;
  FdSwap& operator=(FdSwap&&) = delete;

 private:
  int target_;
  int saved_;
};

// Standard input reads `text` and then its end, as from `printf ... | rdwarm ...`.
class StdinFrom {
 public:
  explicit StdinFrom(std::string_view text) {
    int fds[2] = {-1, -1};
    if (::pipe(fds) != 0) ADD_FAILURE() << "pipe";
    // The pipe holds 64 KiB, far more than any text a test sends.
    if (!text.empty()) {
      const auto n = ::write(fds[1], text.data(), text.size());
      EXPECT_EQ(n, static_cast<ssize_t>(text.size()));
    }
    ::close(fds[1]);
    swap_ = std::make_unique<FdSwap>(0, fds[0]);
    ::close(fds[0]);
  }

 private:
  std::unique_ptr<FdSwap> swap_;
};
#endif

}  // namespace rdwarm::credentials::test
