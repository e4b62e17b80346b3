#include "licensing/auth/ntlm/av_pairs.hpp"

#include "licensing/auth/ntlm/constants.hpp"
#include "licensing/auth/ntlm/unicode.hpp"
#include "licensing/wire/hex.hpp"

namespace rdwarm::auth::ntlm {
namespace {

constexpr std::size_t kHeaderSize = 4;  // AvId, AvLen

// Values whose length the specification fixes [2.2.2.1]; 0 for any other id.
std::size_t fixed_length(std::uint16_t id) {
  switch (id) {
    case MsvAvFlags:
      return 4;
    case MsvAvTimestamp:
      return 8;
    case MsvAvChannelBindings:
      return 16;
    default:
      return 0;
  }
}

bool is_name(std::uint16_t id) {
  return (id >= MsvAvNbComputerName && id <= MsvAvDnsTreeName) || id == MsvAvTargetName;
}

std::uint64_t little_endian(const std::vector<std::uint8_t>& v) {
  std::uint64_t out = 0;
  for (std::size_t i = v.size(); i-- > 0;) out = (out << 8) | v[i];
  return out;
}

std::vector<std::uint8_t> little_endian_bytes(std::uint64_t value, std::size_t n) {
  std::vector<std::uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  return out;
}

}  // namespace

std::string av_id_name(std::uint16_t id) {
  static constexpr const char* kNames[] = {
      "MsvAvEOL",           "MsvAvNbComputerName", "MsvAvNbDomainName",   "MsvAvDnsComputerName",
      "MsvAvDnsDomainName", "MsvAvDnsTreeName",    "MsvAvFlags",          "MsvAvTimestamp",
      "MsvAvSingleHost",    "MsvAvTargetName",     "MsvAvChannelBindings"};
  if (id < std::size(kNames)) return kNames[id];
  return "AvId " + wire::hex_code(id, 4);
}

void AvPairs::encode(wire::Writer& w) const {
  for (const auto& pair : pairs) {
    w.u16le(pair.id);
    w.u16le(static_cast<std::uint16_t>(pair.value.size()));
    w.bytes(pair.value);
  }
  w.u16le(MsvAvEOL);
  w.u16le(0);
}

std::size_t AvPairs::size() const {
  std::size_t n = kHeaderSize;
  for (const auto& pair : pairs) n += kHeaderSize + pair.value.size();
  return n;
}

AvPairs AvPairs::read(wire::Reader& r, std::string_view field) {
  AvPairs out;
  const std::string prefix(field);
  while (r.ok()) {
    if (r.remaining() < kHeaderSize) {
      r.fail(prefix, "ends without the MsvAvEOL that terminates the AV_PAIR list");
      break;
    }
    const std::uint16_t id = r.u16le(prefix + ".AvId");
    const std::uint16_t len = r.u16le(prefix + ".AvLen");
    const std::string name = prefix + "." + av_id_name(id);
    if (id == MsvAvEOL) {
      if (len != 0) r.fail(name, "has length " + std::to_string(len) + ", must be 0");
      break;
    }
    const std::size_t fixed = fixed_length(id);
    if (fixed != 0 && len != fixed) {
      r.fail(name, "has length " + std::to_string(len) + ", must be " + std::to_string(fixed));
      break;
    }
    if (is_name(id) && len % 2 != 0) {
      r.fail(name, "has an odd length " + std::to_string(len) + " (UTF-16 text)");
      break;
    }
    const wire::Bytes value = r.bytes(len, name);
    if (!r.ok()) break;
    out.pairs.push_back(AvPair{id, std::vector<std::uint8_t>(value.begin(), value.end())});
  }
  return out;
}

Result<AvPairs> AvPairs::decode(wire::Bytes bytes, std::string_view where, std::string_view field) {
  wire::Reader r(bytes, where);
  AvPairs out = read(r, field);
  if (!r.ok()) return r.error();
  return out;
}

const AvPair* AvPairs::find(std::uint16_t id) const {
  for (const auto& pair : pairs) {
    if (pair.id == id) return &pair;
  }
  return nullptr;
}

void AvPairs::set(std::uint16_t id, std::vector<std::uint8_t> value) {
  for (auto& pair : pairs) {
    if (pair.id == id) {
      pair.value = std::move(value);
      return;
    }
  }
  pairs.push_back(AvPair{id, std::move(value)});
}

std::optional<std::string> AvPairs::text(std::uint16_t id) const {
  const AvPair* pair = find(id);
  if (pair == nullptr) return std::nullopt;
  return to_utf8(pair->value);
}

std::optional<std::uint32_t> AvPairs::flags() const {
  const AvPair* pair = find(MsvAvFlags);
  if (pair == nullptr || pair->value.size() != 4) return std::nullopt;
  return static_cast<std::uint32_t>(little_endian(pair->value));
}

std::optional<std::uint64_t> AvPairs::timestamp() const {
  const AvPair* pair = find(MsvAvTimestamp);
  if (pair == nullptr || pair->value.size() != 8) return std::nullopt;
  return little_endian(pair->value);
}

void AvPairs::set_text(std::uint16_t id, std::string_view utf8) {
  set(id, to_utf16le(utf8));
}

void AvPairs::set_flags(std::uint32_t flags) {
  set(MsvAvFlags, little_endian_bytes(flags, 4));
}

void AvPairs::set_timestamp(std::uint64_t filetime) {
  set(MsvAvTimestamp, little_endian_bytes(filetime, 8));
}

}  // namespace rdwarm::auth::ntlm
