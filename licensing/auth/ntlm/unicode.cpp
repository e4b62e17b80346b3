#include "licensing/auth/ntlm/unicode.hpp"

#include "licensing/wire/text.hpp"

namespace rdwarm::auth::ntlm {
namespace {

std::uint16_t upper(std::uint16_t c) {
  if (c >= u'a' && c <= u'z') return static_cast<std::uint16_t>(c - 0x20);
  if (c < 0x00E0) return c;
  // Latin-1: U+00E0..U+00FE except the division sign; U+00FF (y diaeresis) -> U+0178.
  if (c <= 0x00FE) return c == 0x00F7 ? c : static_cast<std::uint16_t>(c - 0x20);
  if (c == 0x00FF) return 0x0178;
  // Latin Extended-A: pairs (upper even, lower odd) in U+0100..U+0137 and U+014A..U+0177,
  // (upper odd, lower even) in U+0139..U+0148 and U+0179..U+017E.
  if ((c >= 0x0100 && c <= 0x0137) || (c >= 0x014A && c <= 0x0177)) {
    return (c & 1) != 0 ? static_cast<std::uint16_t>(c - 1) : c;
  }
  if ((c >= 0x0139 && c <= 0x0148) || (c >= 0x0179 && c <= 0x017E)) {
    return (c & 1) == 0 ? static_cast<std::uint16_t>(c - 1) : c;
  }
  // Greek small letters U+03B1..U+03C9 (final sigma U+03C2 -> U+03A3).
  if (c == 0x03C2) return 0x03A3;
  if (c >= 0x03B1 && c <= 0x03C9) return static_cast<std::uint16_t>(c - 0x20);
  // Cyrillic: U+0430..U+044F -> U+0410..U+042F, U+0450..U+045F -> U+0400..U+040F.
  if (c >= 0x0430 && c <= 0x044F) return static_cast<std::uint16_t>(c - 0x20);
  if (c >= 0x0450 && c <= 0x045F) return static_cast<std::uint16_t>(c - 0x50);
  return c;
}

}  // namespace

std::vector<std::uint8_t> to_utf16le(std::string_view utf8) {
  return wire::utf16le_from_utf8(utf8);
}

std::string to_utf8(wire::Bytes utf16le) {
  std::vector<std::uint8_t> even(utf16le.begin(), utf16le.end());
  const bool odd = (even.size() % 2) != 0;
  if (odd) even.pop_back();
  // NTLM strings are counted, not terminated: an embedded NUL would end the conversion early, so
  // it is shown as U+FFFD instead.
  for (std::size_t i = 0; i + 1 < even.size(); i += 2) {
    if (even[i] == 0 && even[i + 1] == 0) {
      even[i] = 0xFD;
      even[i + 1] = 0xFF;
    }
  }
  auto text = wire::utf8_from_utf16le(even, "NTLM string");
  std::string out = text.ok() ? std::move(text).value() : std::string();
  if (odd) out += "\xEF\xBF\xBD";
  return out;
}

std::vector<std::uint8_t> upper_utf16le(wire::Bytes utf16le) {
  std::vector<std::uint8_t> out(utf16le.begin(), utf16le.end());
  for (std::size_t i = 0; i + 1 < out.size(); i += 2) {
    const auto c = static_cast<std::uint16_t>(out[i] | (out[i + 1] << 8));
    const std::uint16_t u = upper(c);
    out[i] = static_cast<std::uint8_t>(u);
    out[i + 1] = static_cast<std::uint8_t>(u >> 8);
  }
  return out;
}

bool equal_ignore_case(std::string_view a, std::string_view b) {
  return upper_utf16le(to_utf16le(a)) == upper_utf16le(to_utf16le(b));
}

}  // namespace rdwarm::auth::ntlm
