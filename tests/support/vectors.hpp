// Loads the specifications' byte vectors from tests/data: hex text with '#' comment lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rdwarm::testing {

// Path relative to tests/data, e.g. "rdpbcgr/4.1.2-x224-connection-confirm.hex". Fails the
// current test (ADD_FAILURE) and returns {} when the file is missing or not hex.
std::vector<std::uint8_t> load_hex_vector(const std::string& relative_path);

// Parses hex text that may contain '#' comments (for inline vectors in tests).
std::vector<std::uint8_t> hex(const std::string& text);

}  // namespace rdwarm::testing
