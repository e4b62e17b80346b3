#include "licensing/wire/licensing_common.hpp"

#include <cassert>
#include <limits>
#include <string>
#include <utility>

namespace rdwarm::wire::lic {

std::string_view name_of_msg_type(std::uint8_t msg_type) {
  switch (msg_type) {
    case LICENSE_REQUEST:
      return "LICENSE_REQUEST";
    case PLATFORM_CHALLENGE:
      return "PLATFORM_CHALLENGE";
    case NEW_LICENSE:
      return "NEW_LICENSE";
    case UPGRADE_LICENSE:
      return "UPGRADE_LICENSE";
    case LICENSE_INFO:
      return "LICENSE_INFO";
    case NEW_LICENSE_REQUEST:
      return "NEW_LICENSE_REQUEST";
    case PLATFORM_CHALLENGE_RESPONSE:
      return "PLATFORM_CHALLENGE_RESPONSE";
    case ERROR_ALERT:
      return "ERROR_ALERT";
    default:
      return "unknown";
  }
}

void Preamble::encode(Writer& w) const {
  w.u8(msg_type);
  w.u8(flags);
  w.u16le(msg_size);
}

Preamble Preamble::read(Reader& r) {
  Preamble p;
  p.msg_type = r.u8("bMsgType");
  p.flags = r.u8("flags");
  p.msg_size = r.u16le("wMsgSize");
  return p;
}

void LicenseBinaryBlob::encode(Writer& w) const {
  assert(data.size() <= std::numeric_limits<std::uint16_t>::max());
  w.u16le(type);
  w.u16le(static_cast<std::uint16_t>(data.size()));
  w.bytes(data);
}

LicenseBinaryBlob LicenseBinaryBlob::read(Reader& r, std::string_view field) {
  const std::string f(field);
  LicenseBinaryBlob b;
  b.type = r.u16le(f + ".wBlobType");
  const std::uint16_t len = r.u16le(f + ".wBlobLen");
  const Bytes d = r.bytes(len, f + ".blobData");
  b.data.assign(d.begin(), d.end());
  return b;
}

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

void append_utf16le(std::vector<std::uint8_t>& out, char16_t u) {
  out.push_back(static_cast<std::uint8_t>(u & 0xFF));
  out.push_back(static_cast<std::uint8_t>(u >> 8));
}

constexpr char32_t kReplacement = 0xFFFD;

// Strings end at the first NUL; whatever follows it is padding or junk.
std::string cut_at_nul(std::string s) {
  const auto nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
  return s;
}

// Decodes one UTF-8 sequence at s[i]; advances i. Invalid input yields U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i++]);
  if (b0 < 0x80) return b0;
  int extra = 0;
  char32_t c = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    c = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    c = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    c = b0 & 0x07;
    min = 0x10000;
  } else {
    return kReplacement;
  }
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size()) return kReplacement;
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return kReplacement;
    c = (c << 6) | (b & 0x3F);
    ++i;
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return kReplacement;
  return c;
}

}  // namespace

std::string utf16le_to_utf8(Bytes bytes) {
  std::string out;
  out.reserve(bytes.size() / 2);
  const std::size_t units = bytes.size() / 2;  // an odd trailing byte is ignored
  for (std::size_t i = 0; i < units; ++i) {
    const auto u = static_cast<char16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    char32_t c = u;
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
      const auto lo = static_cast<char16_t>(bytes[2 * i + 2] | (bytes[2 * i + 3] << 8));
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        c = 0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) +
            (static_cast<char32_t>(lo) - 0xDC00);
        ++i;
      } else {
        c = kReplacement;
      }
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      c = kReplacement;
    }
    append_utf8(out, c);
  }
  return cut_at_nul(std::move(out));
}

std::vector<std::uint8_t> utf8_to_utf16le_z(std::string_view text) {
  std::vector<std::uint8_t> out;
  out.reserve(2 * text.size() + 2);
  std::size_t i = 0;
  while (i < text.size()) {
    const char32_t c = next_code_point(text, i);
    if (c >= 0x10000) {
      const char32_t v = c - 0x10000;
      append_utf16le(out, static_cast<char16_t>(0xD800 + (v >> 10)));
      append_utf16le(out, static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      append_utf16le(out, static_cast<char16_t>(c));
    }
  }
  append_utf16le(out, 0);
  return out;
}

std::string ansi_from_z(Bytes bytes) {
  return cut_at_nul(std::string(bytes.begin(), bytes.end()));
}

std::vector<std::uint8_t> ansi_to_z(std::string_view text) {
  std::vector<std::uint8_t> out(text.begin(), text.end());
  out.push_back(0);
  return out;
}

}  // namespace rdwarm::wire::lic
