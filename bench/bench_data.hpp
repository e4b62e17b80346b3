// Test vectors for the micro-benchmarks: the hex files under tests/data (read-only here), parsed
// once per process. RDWARM_SOURCE_DIR is set by bench/CMakeLists.txt.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/support/hex_vector.hpp"

namespace rdwarm::bench {

// Reads tests/data/<relative>: hex text, '#' comment lines stripped. Aborts on a missing or bad
// file: a benchmark of the wrong bytes is worse than none.
inline std::vector<std::uint8_t> load_hex(const std::string& relative) {
  auto v = testing::read_hex_vector(std::string(RDWARM_SOURCE_DIR) + "/tests/data/" + relative);
  if (!v) {
    std::fprintf(stderr, "bench: %s\n", v.error().message().c_str());
    std::abort();
  }
  return std::move(v).value().bytes;
}

}  // namespace rdwarm::bench
