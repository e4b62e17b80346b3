// Temporary directories for tests (declared in ports.hpp). Kept apart from the POSIX socket code
// there because the Windows build (mingw, under wine) uses them too.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

#include "tests/support/ports.hpp"

namespace rdwarm::testing {

std::filesystem::path make_temp_dir(std::string_view prefix) {
  // create_directory fails on an existing name, so a random suffix that wins is ours alone.
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name(prefix);
    name += '-';
    for (int i = 0; i < 6; ++i) name += kAlphabet[pick(random)];
    const auto path = base / name;
    std::error_code error;
    if (std::filesystem::create_directory(path, error)) return path;
    if (error) throw std::system_error(error, "create_directory " + path.string());
  }
  throw std::runtime_error("no free temporary directory name for " + std::string(prefix));
}

ScopedTempDir::~ScopedTempDir() {
  if (::testing::Test::HasFailure()) {
    std::cerr << "[rdwarm] kept " << path_.string() << " for inspection (test failed)\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace rdwarm::testing
