#include "licensing/wire/der.hpp"

#include <limits>
#include <string>

#include "licensing/wire/hex.hpp"

namespace rdwarm::wire::der {
namespace {

constexpr std::uint64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();

std::size_t base128_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void write_base128(Writer& w, std::uint64_t v) {
  const std::size_t n = base128_size(v);
  for (std::size_t i = n; i-- > 0;) {
    const auto group = static_cast<std::uint8_t>((v >> (7 * i)) & 0x7Fu);
    w.u8(i == 0 ? group : static_cast<std::uint8_t>(group | 0x80u));
  }
}

// The first sub-identifier carries the first two arcs [X.690 8.19.4].
std::uint64_t first_subidentifier(std::span<const std::uint32_t> arcs) {
  return 40u * static_cast<std::uint64_t>(arcs[0]) + (arcs.size() > 1 ? arcs[1] : 0u);
}

std::string tag_text(std::uint8_t tag) {
  return hex_code(tag, 2);
}

}  // namespace

// --- Oid --------------------------------------------------------------------------------------

std::string Oid::to_string() const {
  std::string s;
  for (std::size_t i = 0; i < count_; ++i) {
    if (i != 0) s += '.';
    s += std::to_string(arcs_[i]);
  }
  return s;
}

std::size_t Oid::content_size() const {
  if (count_ == 0) return 0;
  const auto a = arcs();
  std::size_t n = base128_size(first_subidentifier(a));
  for (std::size_t i = 2; i < a.size(); ++i) n += base128_size(a[i]);
  return n;
}

void Oid::encode_content(Writer& w) const {
  if (count_ == 0) return;
  const auto a = arcs();
  write_base128(w, first_subidentifier(a));
  for (std::size_t i = 2; i < a.size(); ++i) write_base128(w, a[i]);
}

// --- writing ----------------------------------------------------------------------------------

std::size_t length_size(std::size_t length) {
  if (length < 0x80) return 1;
  std::size_t n = 1;
  for (std::size_t v = length; v != 0; v >>= 8) ++n;
  return n;
}

std::size_t tlv_size(std::size_t content_length) {
  return 1 + length_size(content_length) + content_length;
}

void write_header(Writer& w, std::uint8_t tag, std::size_t content_length) {
  w.u8(tag);
  if (content_length < 0x80) {
    w.u8(static_cast<std::uint8_t>(content_length));
    return;
  }
  const std::size_t n = length_size(content_length) - 1;
  w.u8(static_cast<std::uint8_t>(0x80u | n));
  for (std::size_t i = n; i-- > 0;) w.u8(static_cast<std::uint8_t>(content_length >> (8 * i)));
}

std::size_t integer_content_size(std::int64_t value) {
  // Drop leading octets that only repeat the sign bit of the next one [X.690 8.3.2].
  std::size_t n = 8;
  while (n > 1) {
    const auto top = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * (n - 1)));
    const auto next = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * (n - 2)));
    const bool redundant = (top == 0x00 && (next & 0x80u) == 0) || (top == 0xFF && (next & 0x80u));
    if (!redundant) break;
    --n;
  }
  return n;
}

std::size_t integer_size(std::int64_t value) {
  return tlv_size(integer_content_size(value));
}

void write_integer(Writer& w, std::int64_t value, std::uint8_t tag) {
  const std::size_t n = integer_content_size(value);
  write_header(w, tag, n);
  for (std::size_t i = n; i-- > 0;)
    w.u8(static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i)));
}

std::size_t octet_string_size(std::size_t length) {
  return tlv_size(length);
}

void write_octet_string(Writer& w, Bytes contents) {
  write_header(w, TAG_OCTET_STRING, contents.size());
  w.bytes(contents);
}

std::size_t oid_size(const Oid& oid) {
  return tlv_size(oid.content_size());
}

void write_oid(Writer& w, const Oid& oid) {
  write_header(w, TAG_OBJECT_IDENTIFIER, oid.content_size());
  oid.encode_content(w);
}

// --- reading ----------------------------------------------------------------------------------

std::size_t read_header(Reader& r, std::uint8_t tag, std::string_view field) {
  const std::uint8_t got = r.u8(field);
  if (!r.ok()) return 0;
  if (got != tag) {
    r.fail(field, "tag is " + tag_text(got) + ", expected " + tag_text(tag));
    return 0;
  }
  const std::uint8_t first = r.u8(field);
  if (!r.ok()) return 0;
  std::size_t length = first;
  if (first == 0x80) {
    r.fail(field, "indefinite length is not allowed in DER");
    return 0;
  }
  if ((first & 0x80u) != 0) {
    const unsigned count = first & 0x7Fu;
    if (count > 4) {
      r.fail(field, "length with " + std::to_string(count) + " length octets is too large");
      return 0;
    }
    length = 0;
    for (unsigned i = 0; i < count; ++i) {
      const std::uint8_t b = r.u8(field);
      if (!r.ok()) return 0;
      if (i == 0 && b == 0) {
        r.fail(field, "length has a leading zero octet (not minimal DER)");
        return 0;
      }
      length = (length << 8) | b;
    }
    if (length < 0x80) {
      r.fail(field, "length " + std::to_string(length) + " in the long form (not minimal DER)");
      return 0;
    }
  }
  if (length > r.remaining()) {
    r.fail(field, "length " + std::to_string(length) + " is beyond the buffer (" +
                      std::to_string(r.remaining()) + " bytes left)");
    return 0;
  }
  return length;
}

Reader enter(Bytes message, Reader& r, std::uint8_t tag, std::string_view field) {
  const std::size_t length = read_header(r, tag, field);
  if (!r.ok()) return Reader(Bytes(), r.pdu());
  const std::size_t start = r.position();
  r.skip(length, field);
  // start + length <= message.size() because r is over a prefix of message.
  Reader inner(message.first(start + length), r.pdu());
  inner.skip(start, field);
  return inner;
}

Bytes read_octet_string(Reader& r, std::string_view field) {
  const std::size_t length = read_header(r, TAG_OCTET_STRING, field);
  return r.bytes(length, field);
}

std::int64_t read_integer(Reader& r, std::string_view field, std::uint8_t tag) {
  const std::size_t length = read_header(r, tag, field);
  if (!r.ok()) return 0;
  if (length == 0) {
    r.fail(field, "INTEGER has no content octets");
    return 0;
  }
  if (length > 8) {
    r.fail(field, "INTEGER of " + std::to_string(length) + " octets does not fit 64 bits");
    return 0;
  }
  const Bytes b = r.bytes(length, field);
  if (!r.ok()) return 0;
  if (length > 1 && ((b[0] == 0x00 && (b[1] & 0x80u) == 0) || (b[0] == 0xFF && (b[1] & 0x80u)))) {
    r.fail(field, "INTEGER is not minimally encoded");
    return 0;
  }
  std::uint64_t v = (b[0] & 0x80u) ? ~std::uint64_t{0} : 0;  // sign extension
  for (std::uint8_t octet : b) v = (v << 8) | octet;
  return static_cast<std::int64_t>(v);
}

std::uint32_t read_unsigned(Reader& r, std::string_view field) {
  const std::int64_t v = read_integer(r, field);
  if (!r.ok()) return 0;
  if (v < 0 || static_cast<std::uint64_t>(v) > kMaxU32) {
    r.fail(field, "INTEGER " + std::to_string(v) + " is outside 0..4294967295");
    return 0;
  }
  return static_cast<std::uint32_t>(v);
}

std::uint32_t read_status_code(Reader& r, std::string_view field) {
  const std::int64_t v = read_integer(r, field);
  if (!r.ok()) return 0;
  if (v < std::numeric_limits<std::int32_t>::min() || v > static_cast<std::int64_t>(kMaxU32)) {
    r.fail(field, "INTEGER " + std::to_string(v) + " does not fit a 32-bit status code");
    return 0;
  }
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(v) & kMaxU32);
}

Oid read_oid(Reader& r, std::string_view field) {
  const std::size_t length = read_header(r, TAG_OBJECT_IDENTIFIER, field);
  const Bytes b = r.bytes(length, field);
  if (!r.ok()) return {};
  if (b.empty()) {
    r.fail(field, "OBJECT IDENTIFIER has no content octets");
    return {};
  }
  if ((b.back() & 0x80u) != 0) {
    r.fail(field, "OBJECT IDENTIFIER ends inside a sub-identifier");
    return {};
  }
  std::array<std::uint32_t, Oid::kMaxArcs> arcs{};
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < b.size()) {
    if (b[i] == 0x80) {
      r.fail(field, "OBJECT IDENTIFIER sub-identifier is not minimally encoded");
      return {};
    }
    std::uint64_t sub = 0;
    for (;;) {
      if (sub > (kMaxU32 + 80) >> 7) {
        r.fail(field, "OBJECT IDENTIFIER arc overflows 32 bits");
        return {};
      }
      const std::uint8_t octet = b[i++];
      sub = (sub << 7) | (octet & 0x7Fu);
      if ((octet & 0x80u) == 0) break;
    }
    const bool first = count == 0;
    if (count + (first ? 2 : 1) > Oid::kMaxArcs) {
      r.fail(field, "OBJECT IDENTIFIER has more than " + std::to_string(Oid::kMaxArcs) + " arcs");
      return {};
    }
    if (first) {
      // 0.x and 1.x take x < 40; everything from 80 on is 2.(sub - 80) [X.690 8.19.4].
      const std::uint64_t top = sub < 80 ? sub / 40 : 2;
      const std::uint64_t second = sub - 40 * top;
      if (second > kMaxU32) {
        r.fail(field, "OBJECT IDENTIFIER arc overflows 32 bits");
        return {};
      }
      arcs[count++] = static_cast<std::uint32_t>(top);
      arcs[count++] = static_cast<std::uint32_t>(second);
    } else {
      if (sub > kMaxU32) {
        r.fail(field, "OBJECT IDENTIFIER arc overflows 32 bits");
        return {};
      }
      arcs[count++] = static_cast<std::uint32_t>(sub);
    }
  }
  return Oid::from_arcs(std::span<const std::uint32_t>(arcs.data(), count));
}

Bytes read_bit_string(Reader& r, std::string_view field) {
  const std::size_t length = read_header(r, TAG_BIT_STRING, field);
  const Bytes b = r.bytes(length, field);
  if (!r.ok()) return {};
  if (b.empty()) {
    r.fail(field, "BIT STRING has no unused-bits octet");
    return {};
  }
  if (b[0] > 7 || (b.size() == 1 && b[0] != 0)) {
    r.fail(field, "BIT STRING unused-bits octet " + std::to_string(b[0]) + " is out of range");
    return {};
  }
  return b;
}

}  // namespace rdwarm::wire::der
