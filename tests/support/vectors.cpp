#include "tests/support/vectors.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "licensing/wire/hex.hpp"

namespace rdwarm::testing {

std::vector<std::uint8_t> hex(const std::string& text) {
  std::istringstream in(text);
  std::string line, digits;
  while (std::getline(in, line)) {
    const auto hash = line.find('#');
    digits += line.substr(0, hash);
    digits += '\n';
  }
  auto bytes = wire::from_hex(digits);
  if (!bytes) {
    ADD_FAILURE() << "bad hex vector: " << bytes.error().message();
    return {};
  }
  return std::move(bytes).value();
}

std::vector<std::uint8_t> load_hex_vector(const std::string& relative_path) {
  const std::string path = std::string(RDWARM_TEST_DATA_DIR) + "/" + relative_path;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "missing test vector " << path;
    return {};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return hex(ss.str());
}

}  // namespace rdwarm::testing
