#include "tests/support/vectors.hpp"

#include <gtest/gtest.h>

#include "tests/support/hex_vector.hpp"

namespace rdwarm::testing {

namespace {
HexVector load(const std::string& relative_path) {
  auto v = read_hex_vector(std::string(RDWARM_TEST_DATA_DIR) + "/" + relative_path);
  if (!v) {
    ADD_FAILURE() << v.error().message();
    return {};
  }
  return std::move(v).value();
}
}  // namespace

std::vector<std::uint8_t> hex(const std::string& text) {
  auto v = parse_hex_vector(text);
  if (!v) {
    ADD_FAILURE() << "bad hex vector: " << v.error().message();
    return {};
  }
  return std::move(v).value().bytes;
}

std::vector<std::uint8_t> load_hex_vector(const std::string& relative_path) {
  return load(relative_path).bytes;
}

std::vector<std::uint8_t> load_decrypted_payload(const std::string& relative_path) {
  return load(relative_path).decrypted;
}

std::vector<std::uint8_t> with_license_security_header(const std::vector<std::uint8_t>& message) {
  std::vector<std::uint8_t> out{0x80, 0x00, 0x00, 0x00};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

}  // namespace rdwarm::testing
