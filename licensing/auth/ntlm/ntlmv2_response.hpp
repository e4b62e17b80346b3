// NTLMv2_CLIENT_CHALLENGE [MS-NLMP 2.2.2.7] and NTLMv2_RESPONSE [2.2.2.8]: the client's
// NtChallengeResponse, NTProofStr followed by the "temp" blob of 3.3.2.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "licensing/auth/ntlm/av_pairs.hpp"
#include "licensing/auth/ntlm/constants.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::auth::ntlm {

// temp = RespType 1, HiRespType 1, Z(6), TimeStamp, ChallengeFromClient, Z(4), AvPairs, Z(4).
// The final Z(4) of 3.3.2 follows MsvAvEOL; encode() writes it, decode() ignores what follows the
// list (the acceptor hashes the received bytes, never a re-encoding).
struct NtlmV2ClientChallenge {
  static constexpr std::uint8_t kRespType = 0x01;
  static constexpr std::size_t kFixedSize = 28;

  std::uint64_t timestamp = 0;  // FILETIME
  std::array<std::uint8_t, kChallengeSize> challenge_from_client{};
  AvPairs av_pairs;

  void encode(wire::Writer& w) const;
  [[nodiscard]] std::size_t size() const;
  static Result<NtlmV2ClientChallenge> decode(wire::Bytes bytes);

  bool operator==(const NtlmV2ClientChallenge&) const = default;
};

struct NtlmV2Response {
  std::array<std::uint8_t, 16> nt_proof_str{};  // Response
  NtlmV2ClientChallenge client_challenge;

  void encode(wire::Writer& w) const;
  [[nodiscard]] std::size_t size() const;
  static Result<NtlmV2Response> decode(wire::Bytes bytes);

  bool operator==(const NtlmV2Response&) const = default;
};

}  // namespace rdwarm::auth::ntlm
