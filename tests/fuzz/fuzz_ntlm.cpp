// NTLM [MS-NLMP]: the three message decoders, AV_PAIR lists and NTLMv2_RESPONSE with their round
// trips; the acceptor fed the input as NEGOTIATE and, after a valid NEGOTIATE, as AUTHENTICATE;
// the client fed it as CHALLENGE; an established client/acceptor pair fed it as a sealed message
// and as a signature. The exchanges are deterministic (ntlm_harness.hpp), so seeds that carry a
// valid AUTHENTICATE or sealed message reach the code behind the checks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "licensing/auth/ntlm/av_pairs.hpp"
#include "licensing/auth/ntlm/messages.hpp"
#include "licensing/auth/ntlm/ntlmv2_response.hpp"
#include "ntlm_harness.hpp"

namespace {

using namespace rdwarm;
using namespace rdwarm::auth::ntlm;
using fuzz::Bytes;

void decoders(Bytes in) {
  if (auto m = NegotiateMessage::decode(in); m.ok()) fuzz::round_trip(*m, NegotiateMessage::decode);
  if (auto m = ChallengeMessage::decode(in); m.ok()) fuzz::round_trip(*m, ChallengeMessage::decode);
  if (auto m = AuthenticateMessage::decode(in); m.ok()) {
    fuzz::round_trip(*m, AuthenticateMessage::decode);
    FUZZ_CHECK(m->mic.has_value() == announces_mic(m->nt_challenge_response));
  }
  if (auto r = NtlmV2Response::decode(in); r.ok()) fuzz::round_trip(*r, NtlmV2Response::decode);
  const auto pairs = [](Bytes b) { return AvPairs::decode(b, "fuzz", "AvPairs"); };
  if (auto p = pairs(in); p.ok()) fuzz::round_trip(*p, pairs);
}

void acceptor_as_negotiate(Bytes in) {
  Acceptor acceptor(fuzz::ntlm::acceptor_config());
  auto r = acceptor.step(in);
  if (!r.ok()) {
    FUZZ_CHECK(acceptor.status() != STATUS_SUCCESS);
    return;
  }
  FUZZ_CHECK(!r->complete);
  auto challenge = ChallengeMessage::decode(r->token);
  FUZZ_CHECK_MSG(challenge.ok(), challenge.ok() ? std::string() : challenge.error().message());
  FUZZ_CHECK(challenge->target_info.timestamp() == fuzz::ntlm::kFiletime);
}

void acceptor_as_authenticate(Bytes in) {
  Client client(fuzz::ntlm::client_config());
  Acceptor acceptor(fuzz::ntlm::acceptor_config());
  auto n = client.step({});
  FUZZ_CHECK(n.ok());
  FUZZ_CHECK(acceptor.step(n->token).ok());
  auto r = acceptor.step(in);
  if (!r.ok()) {
    FUZZ_CHECK(acceptor.status() != STATUS_SUCCESS);
    FUZZ_CHECK(!acceptor.wrap(in).ok());
    return;
  }
  FUZZ_CHECK(r->complete && r->token.empty());
  FUZZ_CHECK(acceptor.status() == STATUS_SUCCESS);
  auto wrapped = acceptor.wrap(in);
  FUZZ_CHECK(wrapped.ok() && wrapped->size() == in.size() + kMessageSignatureSize);
}

void client_as_challenge(Bytes in) {
  Client client(fuzz::ntlm::client_config());
  FUZZ_CHECK(client.step({}).ok());
  auto r = client.step(in);
  if (!r.ok()) return;
  FUZZ_CHECK(r->complete);
  auto challenge = ChallengeMessage::decode(in);
  FUZZ_CHECK(challenge.ok());
  auto authenticate = AuthenticateMessage::decode(r->token);
  FUZZ_CHECK_MSG(authenticate.ok(),
                 authenticate.ok() ? std::string() : authenticate.error().message());
  FUZZ_CHECK(authenticate->mic.has_value() == challenge->target_info.timestamp().has_value());
}

void established(Bytes in) {
  Client client(fuzz::ntlm::client_config());
  Acceptor acceptor(fuzz::ntlm::acceptor_config());
  FUZZ_CHECK(fuzz::ntlm::run_exchange(client, acceptor).complete);
  const std::vector<std::uint8_t> probe = {'o', 'k'};

  auto plain = acceptor.unwrap(in);
  if (plain.ok()) FUZZ_CHECK(plain->size() + kMessageSignatureSize == in.size());
  bool acceptor_moved = plain.ok();
  if (in.size() >= kMessageSignatureSize) {
    acceptor_moved |=
        acceptor.verify_mic(in.subspan(kMessageSignatureSize), in.first(kMessageSignatureSize))
            .ok();
  }
  const bool client_moved = client.unwrap(in).ok() || client.verify_mic(in, in).ok();
  // Refused input leaves the receiving side as it was: the peer's next message still unwraps.
  if (!acceptor_moved) {
    auto wrapped = client.wrap(probe);
    FUZZ_CHECK(wrapped.ok());
    auto back = acceptor.unwrap(*wrapped);
    FUZZ_CHECK_MSG(back.ok() && *back == probe, back.ok() ? std::string() : back.error().message());
  }
  if (!client_moved) {
    auto wrapped = acceptor.wrap(probe);
    FUZZ_CHECK(wrapped.ok());
    auto back = client.unwrap(*wrapped);
    FUZZ_CHECK_MSG(back.ok() && *back == probe, back.ok() ? std::string() : back.error().message());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  decoders(in);
  acceptor_as_negotiate(in);
  acceptor_as_authenticate(in);
  client_as_challenge(in);
  established(in);
  return 0;
}
