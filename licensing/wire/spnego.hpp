// SPNEGO tokens [RFC 4178 4.2] with Microsoft's NegTokenInit2 [MS-SPNG 2.2.1], DER with EXPLICIT
// tags. The first token of a context is framed as a GSS-API InitialContextToken [RFC 2743 3.1]:
// [APPLICATION 0] { thisMech OID 1.3.6.1.5.5.2, innerContextToken = negTokenInit [0] }; every
// later token is a bare NegotiationToken, in practice negTokenResp [1].
//
// Tolerance: mechanism lists may name any OID (unknown ones are kept, not refused, so the list
// re-encodes to the bytes the mechListMIC covers; only OIDs beyond Oid's limits are refused);
// NegTokenInit2's negHints is read; negState may be absent (RFC 4178 4.2.2 lets a reply after the
// first omit it).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "licensing/wire/der.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire::spnego {

using der::Oid;

// Mechanism OIDs [RFC 4178 3; MS-SPNG 1.9; MS-NLMP 1.9; RFC 4121 1.1; MS-KILE 3.1.5.1;
// MS-NEGOEX 1.9].
inline constexpr Oid OID_SPNEGO{1, 3, 6, 1, 5, 5, 2};
inline constexpr Oid OID_NTLMSSP{1, 3, 6, 1, 4, 1, 311, 2, 2, 10};
inline constexpr Oid OID_KERBEROS{1, 2, 840, 113554, 1, 2, 2};
inline constexpr Oid OID_MS_KERBEROS{1, 2, 840, 48018, 1, 2, 2};
inline constexpr Oid OID_NEGOEX{1, 3, 6, 1, 4, 1, 311, 2, 2, 30};
// "NTLM", "Kerberos", "MS Kerberos", "NegoEx", "SPNEGO", or empty.
std::string_view mechanism_name(const Oid& oid);

// The hint Windows servers place in negHints [MS-SPNG 2.2.1, 3.2.5.2].
inline constexpr std::string_view kNegHintsPlaceholder = "not_defined_in_RFC4178@please_ignore";

// NegTokenResp.negState [RFC 4178 4.2.2].
enum class NegState : std::uint8_t {
  AcceptCompleted = 0,
  AcceptIncomplete = 1,
  Reject = 2,
  RequestMic = 3,
};
std::string_view neg_state_name(NegState state);  // "accept-completed", ...

// NegHints [MS-SPNG 2.2.1].
struct NegHints {
  std::optional<std::string> hint_name;                   // [0] GeneralString, bytes as sent
  std::optional<std::vector<std::uint8_t>> hint_address;  // [1] OCTET STRING

  friend bool operator==(const NegHints&, const NegHints&) = default;
};

// NegTokenInit [RFC 4178 4.2.1] / NegTokenInit2 [MS-SPNG 2.2.1], always in its InitialContextToken
// frame (APPLICATION 0 + SPNEGO OID).
struct NegTokenInit {
  std::vector<Oid> mech_types;                             // [0] MechTypeList, preferred first
  std::optional<std::vector<std::uint8_t>> req_flags;      // [1] ContextFlags: BIT STRING contents
                                                           //     with the unused-bits octet
  std::optional<std::vector<std::uint8_t>> mech_token;     // [2] optimistic mechanism token
  std::optional<NegHints> neg_hints;                       // [3] NegTokenInit2 only
  std::optional<std::vector<std::uint8_t>> mech_list_mic;  // [3], or [4] in NegTokenInit2
  // NegTokenInit2 layout (mechListMIC at [4]) even without negHints; set by decode when seen.
  bool init2 = false;

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<NegTokenInit> decode(Bytes bytes);

  friend bool operator==(const NegTokenInit&, const NegTokenInit&) = default;
};

// NegTokenResp [RFC 4178 4.2.2], as a bare negTokenResp [1].
struct NegTokenResp {
  std::optional<NegState> neg_state;                        // [0] ENUMERATED
  std::optional<Oid> supported_mech;                        // [1]
  std::optional<std::vector<std::uint8_t>> response_token;  // [2]
  std::optional<std::vector<std::uint8_t>> mech_list_mic;   // [3]

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<NegTokenResp> decode(Bytes bytes);

  friend bool operator==(const NegTokenResp&, const NegTokenResp&) = default;
};

// Either token, told apart by the first byte (0x60 initial token, 0xA1 negTokenResp).
using NegotiationToken = std::variant<NegTokenInit, NegTokenResp>;
Result<NegotiationToken> decode_negotiation_token(Bytes bytes);

// The DER of a MechTypeList (SEQUENCE OF OID, without the [0] tag): what mechListMIC is computed
// over [RFC 4178 5]. The decoders accept only canonical DER, so for a received NegTokenInit this
// equals the bytes the peer sent.
std::vector<std::uint8_t> mech_type_list_der(std::span<const Oid> mech_types);

}  // namespace rdwarm::wire::spnego
