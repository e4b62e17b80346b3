// Test vectors for the micro-benchmarks: the hex files under tests/data (read-only here), parsed
// once per process. RDWARM_SOURCE_DIR is set by bench/CMakeLists.txt.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "licensing/wire/hex.hpp"

namespace rdwarm::bench {

// Reads tests/data/<relative>: hex text, '#' comment lines stripped. Aborts on a missing or bad
// file: a benchmark of the wrong bytes is worse than none.
inline std::vector<std::uint8_t> load_hex(const std::string& relative) {
  const std::string path = std::string(RDWARM_SOURCE_DIR) + "/tests/data/" + relative;
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "bench: cannot open %s\n", path.c_str());
    std::abort();
  }
  std::string line, text;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    text += line;
    text += '\n';
  }
  auto bytes = wire::from_hex(text);
  if (!bytes) {
    std::fprintf(stderr, "bench: %s: %s\n", path.c_str(), bytes.error().message().c_str());
    std::abort();
  }
  return std::move(bytes).value();
}

}  // namespace rdwarm::bench
