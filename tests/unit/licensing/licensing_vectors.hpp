// Loads the licensing test vectors in tests/data/rdpele/: hex text, '#' lines are provenance notes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/vectors.hpp"

namespace rdwarm::wire::lic::testing {

// tests/data/rdpele/<name>.
inline std::vector<std::uint8_t> load_vector(std::string_view name) {
  return rdwarm::testing::load_hex_vector("rdpele/" + std::string(name));
}

inline std::vector<std::uint8_t> with_security_header(const std::vector<std::uint8_t>& message) {
  return rdwarm::testing::with_license_security_header(message);
}

inline std::vector<std::uint8_t> bytes_of(std::string_view ascii) {
  return {ascii.begin(), ascii.end()};
}

}  // namespace rdwarm::wire::lic::testing
