// Loads the specifications' byte vectors from tests/data (format: hex_vector.hpp) for GoogleTest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rdwarm::testing {

// Path relative to tests/data, e.g. "rdpbcgr/4.1.2-x224-connection-confirm.hex". Fails the
// current test (ADD_FAILURE) and returns {} when the file is missing or not hex.
std::vector<std::uint8_t> load_hex_vector(const std::string& relative_path);
// The decrypted payload printed in the file's "# | " lines.
std::vector<std::uint8_t> load_decrypted_payload(const std::string& relative_path);

// Parses hex text that may contain '#' comments (for inline vectors in tests).
std::vector<std::uint8_t> hex(const std::string& text);

// A licensing message of [MS-RDPELE] section 4 starts at the preamble; on the wire a TLS server
// puts the basic security header (SEC_LICENSE_PKT, flagsHi 0) before it.
std::vector<std::uint8_t> with_license_security_header(const std::vector<std::uint8_t>& message);

}  // namespace rdwarm::testing
