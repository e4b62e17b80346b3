// Text conversions (UTF-16LE <-> UTF-8, for the wire and for licensing strings) and hex parsing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_common.hpp"
#include "licensing/wire/text.hpp"

namespace {

using namespace rdwarm;
using fuzz::Bytes;

bool valid_utf8_without_nul(std::string_view s) {
  // Decoded text is re-encoded by utf16le_from_utf8 and must survive another decode unchanged.
  auto units = wire::utf16le_from_utf8(s);
  auto back = wire::utf8_from_utf16le(units, "fuzz");
  return back.ok() && *back == s && s.find('\0') == std::string_view::npos;
}

void check_utf16(Bytes in) {
  auto text = wire::utf8_from_utf16le(in, "fuzz");
  FUZZ_CHECK(text.ok() == (in.size() % 2 == 0));
  if (text.ok()) {
    FUZZ_CHECK(text->size() <= in.size() / 2 * 3);
    FUZZ_CHECK(valid_utf8_without_nul(*text));
  }
  // The licensing variant ignores an odd trailing byte and cuts at NUL.
  const std::string lic_text = wire::lic::utf16le_to_utf8(in);
  const auto z = wire::lic::utf8_to_utf16le_z(lic_text);
  FUZZ_CHECK(z.size() >= 2 && z[z.size() - 1] == 0 && z[z.size() - 2] == 0);
  FUZZ_CHECK(wire::lic::utf16le_to_utf8(z) == lic_text);
  if (text.ok()) FUZZ_CHECK(*text == lic_text);
}

void check_utf8(std::string_view s) {
  const auto units = wire::utf16le_from_utf8(s);
  FUZZ_CHECK(units.size() % 2 == 0 && units.size() <= 2 * s.size());
  auto text = wire::utf8_from_utf16le(units, "fuzz");
  FUZZ_CHECK(text.ok());
  const std::string once = *text;
  FUZZ_CHECK(valid_utf8_without_nul(once));
  const auto z = wire::lic::utf8_to_utf16le_z(s);
  FUZZ_CHECK(z.size() % 2 == 0 && z.size() >= 2);
  const auto ansi = wire::lic::ansi_to_z(s);
  FUZZ_CHECK(ansi.size() == s.size() + 1 && ansi.back() == 0);
  FUZZ_CHECK(wire::lic::ansi_from_z(ansi) == std::string(s.substr(0, s.find('\0'))));
}

void check_hex(Bytes in, std::string_view text) {
  const std::string plain = wire::to_hex(in);
  FUZZ_CHECK(plain.size() == 2 * in.size());
  for (std::string_view separator : {"", " ", ",", ", "}) {
    auto back = wire::from_hex(wire::to_hex(in, separator));
    FUZZ_CHECK(back.ok() && *back == fuzz::to_vector(in));
  }
  if (auto parsed = wire::from_hex(text); parsed.ok()) {
    FUZZ_CHECK(parsed->size() <= text.size() / 2);
    auto again = wire::from_hex(wire::to_hex(*parsed, " "));
    FUZZ_CHECK(again.ok() && *again == *parsed);
  }
  if (in.size() >= 4) {
    const auto v = static_cast<std::uint32_t>(in[0] | (in[1] << 8) | (in[2] << 16)) |
                   (static_cast<std::uint32_t>(in[3]) << 24);
    const std::string code = wire::hex_code(v, 8);
    FUZZ_CHECK(code.size() == 10);
    auto back = wire::from_hex(code);
    FUZZ_CHECK(back.ok() && back->size() == 4);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_utf16(in);
  check_utf8(text);
  check_hex(in, text);
  return 0;
}
