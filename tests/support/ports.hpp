// Loopback ports, raw TCP exchanges and temporary directories for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace rdwarm::testing {

// A port that was free on 127.0.0.1 a moment ago (bind to port 0, read it back, close).
// Someone else may take it before the caller binds it: starters retry on a bind failure.
std::uint16_t free_loopback_port();

// Polls connect() to 127.0.0.1:port until it succeeds or `timeout` passes.
bool wait_for_listen(std::uint16_t port, std::chrono::milliseconds timeout);

// Connects to 127.0.0.1:port, sends `request` and returns one TPKT (RFC 1006) read back: the
// 4-byte header and the rest its length announces. Throws std::runtime_error on refusal,
// timeout, a closed connection or a malformed header.
std::vector<std::uint8_t> exchange_tpkt(std::uint16_t port, std::span<const std::uint8_t> request,
                                        std::chrono::milliseconds timeout);

// A fresh directory <temp>/<prefix>-XXXXXX (honours TMPDIR). The caller removes it.
std::filesystem::path make_temp_dir(std::string_view prefix);

// A temp dir removed on destruction, except when the running test has failed: then it is kept
// and its path printed, so peer logs can be read afterwards.
class ScopedTempDir {
 public:
  explicit ScopedTempDir(std::string_view prefix) : path_(make_temp_dir(prefix)) {}
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace rdwarm::testing
