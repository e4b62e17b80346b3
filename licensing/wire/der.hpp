// A small, strict DER reader and writer [X.690 8, 10] for the two ASN.1 structures NLA carries:
// CredSSP's TSRequest [MS-CSSP 2.2.1] and SPNEGO's tokens [RFC 4178 4]. The BER helpers in
// ber_per.hpp serve the MCS Connect PDUs, which need less (no OIDs, no nesting beyond one level).
//
// What the reader accepts, and why:
//  * one-byte identifiers only (tag numbers 0..30): every tag CredSSP and SPNEGO use is one;
//  * definite lengths only: DER forbids the indefinite form (X.690 10.1), and so does CredSSP;
//  * minimal lengths only: the long form only from 128 bytes on, without leading zero bytes, with
//    at most 4 length bytes. Windows (DER) and FreeRDP (ber_write_length) write them this way;
//  * minimal INTEGERs (X.690 8.3.2) of at most 8 content bytes;
//  * OBJECT IDENTIFIERs with minimal sub-identifiers, at most Oid::kMaxArcs arcs, each arc fitting
//    32 bits (every mechanism OID in use does);
//  * a constructed element's contents must fill it exactly.
// Every failure is recorded in the Reader, naming the structure and the field, never a value (the
// same reader decodes password structures).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire::der {

// Universal tags [X.680 8.4, table 1], primitive unless noted.
inline constexpr std::uint8_t TAG_INTEGER = 0x02;
inline constexpr std::uint8_t TAG_BIT_STRING = 0x03;
inline constexpr std::uint8_t TAG_OCTET_STRING = 0x04;
inline constexpr std::uint8_t TAG_OBJECT_IDENTIFIER = 0x06;
inline constexpr std::uint8_t TAG_ENUMERATED = 0x0A;
inline constexpr std::uint8_t TAG_GENERAL_STRING = 0x1B;
inline constexpr std::uint8_t TAG_SEQUENCE = 0x30;  // constructed

// [n] of an EXPLICIT-tagged field: context-specific, constructed [X.690 8.1.2, 8.14].
constexpr std::uint8_t context_tag(unsigned number) {
  return static_cast<std::uint8_t>(0xA0u | (number & 0x1Fu));
}
// [APPLICATION n], constructed (GSS-API's InitialContextToken is [APPLICATION 0]).
constexpr std::uint8_t application_tag(unsigned number) {
  return static_cast<std::uint8_t>(0x60u | (number & 0x1Fu));
}

// An OBJECT IDENTIFIER as its arcs. Fixed capacity, so the mechanism OIDs are constexpr constants.
class Oid {
 public:
  static constexpr std::size_t kMaxArcs = 20;

  constexpr Oid() = default;
  // Precondition (not checked, constants only): at least two arcs, the first 0, 1 or 2, the second
  // below 40 unless the first is 2, at most kMaxArcs.
  constexpr Oid(std::initializer_list<std::uint32_t> arcs) {
    for (std::uint32_t a : arcs) {
      if (count_ < kMaxArcs) arcs_[count_++] = a;
    }
  }

  // The first kMaxArcs arcs of `arcs`.
  static constexpr Oid from_arcs(std::span<const std::uint32_t> arcs) {
    Oid oid;
    for (std::uint32_t a : arcs) {
      if (oid.count_ < kMaxArcs) oid.arcs_[oid.count_++] = a;
    }
    return oid;
  }

  [[nodiscard]] std::span<const std::uint32_t> arcs() const { return {arcs_.data(), count_}; }
  [[nodiscard]] bool empty() const { return count_ == 0; }
  [[nodiscard]] std::string to_string() const;  // "1.3.6.1.5.5.2"
  // The contents octets (the sub-identifiers, without tag and length) [X.690 8.19].
  [[nodiscard]] std::size_t content_size() const;
  void encode_content(Writer& w) const;

  friend bool operator==(const Oid&, const Oid&) = default;

 private:
  std::array<std::uint32_t, kMaxArcs> arcs_{};
  std::size_t count_ = 0;
};

// --- writing ----------------------------------------------------------------------------------

std::size_t length_size(std::size_t length);
// Identifier + length + contents, for contents of the given size.
std::size_t tlv_size(std::size_t content_length);
void write_header(Writer& w, std::uint8_t tag, std::size_t content_length);

// INTEGER (or ENUMERATED with that tag) in the fewest two's-complement bytes [X.690 8.3].
std::size_t integer_content_size(std::int64_t value);
std::size_t integer_size(std::int64_t value);
void write_integer(Writer& w, std::int64_t value, std::uint8_t tag = TAG_INTEGER);

std::size_t octet_string_size(std::size_t length);
void write_octet_string(Writer& w, Bytes contents);

std::size_t oid_size(const Oid& oid);
void write_oid(Writer& w, const Oid& oid);

// --- reading ----------------------------------------------------------------------------------

// Reads an identifier that must be `tag` and a definite, minimal length whose contents fit in what
// is left. Returns the contents length (0 after a failure).
std::size_t read_header(Reader& r, std::uint8_t tag, std::string_view field);
// The next element's identifier, or 0 at the end (the caller tests optional fields with this).
inline std::uint8_t peek_tag(const Reader& r) {
  return r.empty() ? 0 : r.peek_u8();
}

// A Reader over the contents of the next element, which must have `tag`; `r` moves past it.
// `message` is the whole buffer the decoder started with, and every Reader a decoder uses is over
// a prefix of it: the nested Reader then counts offsets from the start of the message, so an error
// points at the byte that was received. After a failure in `r` the result is empty and `r` holds
// the error (check r.ok()).
Reader enter(Bytes message, Reader& r, std::uint8_t tag, std::string_view field);

// Runs `body(Reader& contents)` on the contents of the next element, which must have `tag` and
// which `body` must consume exactly; returns the first error, from `r` or from the contents.
// `body` returns a Status (so nested elements propagate their errors).
template <class Body>
Status with_contents(Bytes message, Reader& r, std::uint8_t tag, std::string_view field,
                     Body&& body) {
  Reader contents = enter(message, r, tag, field);
  if (!r.ok()) return r.error();
  Status inner = body(contents);
  if (!inner.ok()) return inner;
  if (!contents.ok()) return contents.error();
  contents.expect_end(field);
  if (!contents.ok()) return contents.error();
  return Ok{};
}

// Primitive values. After a failure they return zero / empty and the Reader holds the error.
Bytes read_octet_string(Reader& r, std::string_view field);
std::int64_t read_integer(Reader& r, std::string_view field, std::uint8_t tag = TAG_INTEGER);
// An INTEGER that must be 0..2^32-1.
std::uint32_t read_unsigned(Reader& r, std::string_view field);
// A 32-bit status code (NTSTATUS, HRESULT): Windows writes the signed form (0xC000006D as
// 02 04 C0 00 00 6D); the unsigned form (02 05 00 C0 00 00 6D) is accepted too.
std::uint32_t read_status_code(Reader& r, std::string_view field);
Oid read_oid(Reader& r, std::string_view field);
// BIT STRING contents including the leading unused-bits octet (0..7; 0 when there are no bits).
Bytes read_bit_string(Reader& r, std::string_view field);

}  // namespace rdwarm::wire::der
