// Reads the `X509 Certificate2` registry value from a file: either the raw bytes (REG_BINARY as
// saved by a script) or the text `reg export` writes (UTF-16LE with BOM, or UTF-8), in which the
// value is `"X509 Certificate2"=hex:02,00,00,80,...` with `\` line continuations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "licensing/wire/result.hpp"

namespace rdwarm::cli {

Result<std::vector<std::uint8_t>> certificate_value_from_file_bytes(
    const std::vector<std::uint8_t>& file);

}  // namespace rdwarm::cli
