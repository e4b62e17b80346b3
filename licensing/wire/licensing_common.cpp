#include "licensing/wire/licensing_common.hpp"

#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include "licensing/wire/text.hpp"

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
// Strings end at the first NUL; whatever follows it is padding or junk.
std::string cut_at_nul(std::string s) {
  const auto nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
  return s;
}
}  // namespace

std::string utf16le_to_utf8(Bytes bytes) {
  // An odd trailing byte is ignored; the conversion itself lives in wire/text.
  auto text = utf8_from_utf16le(bytes.first(bytes.size() & ~std::size_t{1}), "UTF-16LE string");
  return text.ok() ? std::move(text).value() : std::string();
}

std::vector<std::uint8_t> utf8_to_utf16le_z(std::string_view text) {
  auto out = utf16le_from_utf8(text);
  out.push_back(0);
  out.push_back(0);
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
