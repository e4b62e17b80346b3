// The three NTLM messages [MS-NLMP 2.2.1.1-2.2.1.3]. Variable fields live in the payload and are
// located by (Len, MaxLen, BufferOffset) triples; every decoder checks each triple against the
// message and names the field that does not fit. Strings are kept as the bytes on the wire
// (UTF-16LE once NTLMSSP_NEGOTIATE_UNICODE is negotiated); unicode.hpp converts them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "licensing/auth/ntlm/av_pairs.hpp"
#include "licensing/auth/ntlm/constants.hpp"
#include "licensing/auth/ntlm/version.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::auth::ntlm {

// NEGOTIATE_MESSAGE [2.2.1.1]. `version` is on the wire only when flags has
// NTLMSSP_NEGOTIATE_VERSION (else it decodes as the default).
struct NegotiateMessage {
  std::uint32_t flags = 0;
  std::vector<std::uint8_t> domain_name;  // OEM; with NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED
  std::vector<std::uint8_t> workstation;  // OEM; with NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED
  Version version;

  void encode(wire::Writer& w) const;
  [[nodiscard]] std::size_t size() const;
  static Result<NegotiateMessage> decode(wire::Bytes bytes);

  bool operator==(const NegotiateMessage&) const = default;
};

// CHALLENGE_MESSAGE [2.2.1.2]. TargetInfo is written when flags has
// NTLMSSP_NEGOTIATE_TARGET_INFO or the list is not empty; an absent TargetInfo decodes as empty.
struct ChallengeMessage {
  std::vector<std::uint8_t> target_name;
  std::uint32_t flags = 0;
  std::array<std::uint8_t, kChallengeSize> server_challenge{};
  AvPairs target_info;
  Version version;

  void encode(wire::Writer& w) const;
  [[nodiscard]] std::size_t size() const;
  static Result<ChallengeMessage> decode(wire::Bytes bytes);

  bool operator==(const ChallengeMessage&) const = default;
};

// AUTHENTICATE_MESSAGE [2.2.1.3]. The MIC field is present when the NTLMv2 response's AvPairs
// carry MsvAvFlags with MSV_AV_FLAG_MIC_PRESENT [3.2.5.1.2]; decode() follows that rule and
// encode() writes `mic` when it has a value, so a sender sets both.
struct AuthenticateMessage {
  std::vector<std::uint8_t> lm_challenge_response;
  std::vector<std::uint8_t> nt_challenge_response;
  std::vector<std::uint8_t> domain_name;
  std::vector<std::uint8_t> user_name;
  std::vector<std::uint8_t> workstation;
  std::vector<std::uint8_t> encrypted_random_session_key;
  std::uint32_t flags = 0;
  Version version;
  std::optional<std::array<std::uint8_t, kMicSize>> mic;

  void encode(wire::Writer& w) const;
  [[nodiscard]] std::size_t size() const;
  static Result<AuthenticateMessage> decode(wire::Bytes bytes);

  // Where the MIC sits in the encoded message (after the fixed fields and the version).
  [[nodiscard]] std::size_t mic_offset() const;

  bool operator==(const AuthenticateMessage&) const = default;
};

// True when an NtChallengeResponse is an NTLMv2_RESPONSE whose AvPairs announce a MIC.
bool announces_mic(wire::Bytes nt_challenge_response);

}  // namespace rdwarm::auth::ntlm
