#include "licensing/auth/ntlm/ntlmv2_response.hpp"

#include <algorithm>
#include <string>

#include "licensing/wire/hex.hpp"

namespace rdwarm::auth::ntlm {
namespace {

constexpr std::string_view kWhere = "NTLMv2_RESPONSE";
constexpr std::size_t kTrailingZeros = 4;

void read_client_challenge(wire::Reader& r, NtlmV2ClientChallenge& out) {
  const std::uint8_t resp_type = r.u8("RespType");
  const std::uint8_t hi_resp_type = r.u8("HiRespType");
  if (r.ok() && resp_type != NtlmV2ClientChallenge::kRespType) {
    r.fail("RespType", "is " + wire::hex_code(resp_type, 2) + ", must be 0x01");
  }
  if (r.ok() && hi_resp_type != NtlmV2ClientChallenge::kRespType) {
    r.fail("HiRespType", "is " + wire::hex_code(hi_resp_type, 2) + ", must be 0x01");
  }
  r.skip(2, "Reserved1");
  r.skip(4, "Reserved2");
  const std::uint32_t low = r.u32le("TimeStamp");
  const std::uint32_t high = r.u32le("TimeStamp");
  out.timestamp = (static_cast<std::uint64_t>(high) << 32) | low;
  const wire::Bytes challenge = r.bytes(kChallengeSize, "ChallengeFromClient");
  if (r.ok()) std::copy(challenge.begin(), challenge.end(), out.challenge_from_client.begin());
  r.skip(4, "Reserved3");
  if (r.ok()) out.av_pairs = AvPairs::read(r, "AvPairs");
}

}  // namespace

void NtlmV2ClientChallenge::encode(wire::Writer& w) const {
  w.u8(kRespType);
  w.u8(kRespType);
  w.zeros(6);  // Reserved1, Reserved2
  w.u32le(static_cast<std::uint32_t>(timestamp));
  w.u32le(static_cast<std::uint32_t>(timestamp >> 32));
  w.bytes(challenge_from_client);
  w.zeros(4);  // Reserved3
  av_pairs.encode(w);
  w.zeros(kTrailingZeros);
}

std::size_t NtlmV2ClientChallenge::size() const {
  return kFixedSize + av_pairs.size() + kTrailingZeros;
}

Result<NtlmV2ClientChallenge> NtlmV2ClientChallenge::decode(wire::Bytes bytes) {
  wire::Reader r(bytes, "NTLMv2_CLIENT_CHALLENGE");
  NtlmV2ClientChallenge out;
  read_client_challenge(r, out);
  if (!r.ok()) return r.error();
  return out;
}

void NtlmV2Response::encode(wire::Writer& w) const {
  w.bytes(nt_proof_str);
  client_challenge.encode(w);
}

std::size_t NtlmV2Response::size() const {
  return nt_proof_str.size() + client_challenge.size();
}

Result<NtlmV2Response> NtlmV2Response::decode(wire::Bytes bytes) {
  wire::Reader r(bytes, kWhere);
  NtlmV2Response out;
  const wire::Bytes proof = r.bytes(out.nt_proof_str.size(), "Response");
  if (r.ok()) std::copy(proof.begin(), proof.end(), out.nt_proof_str.begin());
  read_client_challenge(r, out.client_challenge);
  if (!r.ok()) return r.error();
  return out;
}

}  // namespace rdwarm::auth::ntlm
