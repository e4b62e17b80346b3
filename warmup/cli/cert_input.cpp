#include "warmup/cli/cert_input.hpp"

#include <string_view>

#include "licensing/wire/hex.hpp"
#include "licensing/wire/text.hpp"

namespace rdwarm::cli {

namespace {
constexpr std::string_view kPreferredValues[] = {"\"X509 Certificate2\"=hex:",
                                                 "\"X509 Certificate\"=hex:"};

// Extracts the hex digits of one `"name"=hex:` value, following `\` continuations.
std::string value_hex(std::string_view text, std::size_t start) {
  std::string out;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {  // continuation: skip to the next line
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '\r' || c == '\n') break;
    out += c;
  }
  return out;
}
}  // namespace

Result<std::vector<std::uint8_t>> certificate_value_from_file_bytes(
    const std::vector<std::uint8_t>& file) {
  std::string text;
  if (file.size() >= 2 && file[0] == 0xFF && file[1] == 0xFE) {
    auto decoded = wire::utf8_from_utf16le(wire::Bytes(file).subspan(2), "reg export file");
    if (!decoded) return decoded.error();
    // utf8_from_utf16le stops at NUL; reg files contain none.
    text = *decoded;
  } else {
    text.assign(file.begin(), file.end());
  }
  const bool looks_textual =
      text.find("=hex") != std::string::npos || text.starts_with("Windows Registry Editor");
  if (!looks_textual) return file;  // raw REG_BINARY bytes
  for (auto name : kPreferredValues) {
    const auto at = text.find(name);
    if (at != std::string::npos) {
      auto bytes = wire::from_hex(value_hex(text, at + name.size()));
      if (!bytes)
        return make_error("reg export file", std::string(name.substr(1, name.find('"', 1) - 1)),
                          bytes.error().what);
      return bytes;
    }
  }
  const auto any = text.find("=hex:");
  if (any == std::string::npos) {
    return make_error("reg export file", "", "has no \"X509 Certificate2\"=hex: value");
  }
  return wire::from_hex(value_hex(text, any + 5));
}

}  // namespace rdwarm::cli
