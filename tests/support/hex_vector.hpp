// The format of the byte vectors under tests/data, shared by the tests, the benchmarks and the fuzz
// seed tool (so it depends on nothing but the wire layer): hex text in which '#' starts a comment,
// and a comment line "# | ..." carries the decrypted payload a specification prints beside the
// encrypted wire bytes.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::testing {

struct HexVector {
  std::vector<std::uint8_t> bytes;      // the wire bytes
  std::vector<std::uint8_t> decrypted;  // from "# | " lines; empty when there are none
};

inline Result<HexVector> parse_hex_vector(std::string_view text) {
  std::string data, decrypted;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("# |")) {
      decrypted.append(line.substr(3)).push_back('\n');
    } else {
      data.append(line.substr(0, line.find('#'))).push_back('\n');
    }
  }
  auto bytes = wire::from_hex(data);
  if (!bytes) return bytes.error();
  auto plain = wire::from_hex(decrypted);
  if (!plain) return plain.error();
  return HexVector{std::move(bytes).value(), std::move(plain).value()};
}

inline Result<HexVector> read_hex_vector(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("test vector", path, "cannot be opened");
  std::stringstream text;
  text << in.rdbuf();
  auto v = parse_hex_vector(text.str());
  if (!v) return make_error("test vector", path, v.error().message());
  return v;
}

}  // namespace rdwarm::testing
