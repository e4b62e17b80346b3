// Loads the licensing test vectors in tests/data/rdpele/: hex text, '#' lines are provenance notes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/hex.hpp"

namespace rdwarm::wire::lic::testing {

inline std::vector<std::uint8_t> load_vector(std::string_view name) {
  const std::string path = std::string(RDWARM_TEST_DATA_DIR) + "/rdpele/" + std::string(name);
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return {};
  }
  std::string text;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    text += line;
    text += '\n';
  }
  auto bytes = from_hex(text);
  if (!bytes.ok()) {
    ADD_FAILURE() << path << ": " << bytes.error().message();
    return {};
  }
  return std::move(bytes).value();
}

// The spec's section 4 examples start at the preamble; a PDU on the wire has the basic security
// header (flags SEC_LICENSE_PKT, flagsHi 0) before it.
inline std::vector<std::uint8_t> with_security_header(const std::vector<std::uint8_t>& message) {
  std::vector<std::uint8_t> out{0x80, 0x00, 0x00, 0x00};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

inline std::vector<std::uint8_t> bytes_of(std::string_view ascii) {
  return {ascii.begin(), ascii.end()};
}

}  // namespace rdwarm::wire::lic::testing
