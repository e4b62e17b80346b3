#include "licensing/auth/spnego/acceptor.hpp"

#include <algorithm>
#include <utility>

#include "licensing/wire/spnego.hpp"

namespace rdwarm::auth::spnego {

namespace sp = wire::spnego;

namespace {
constexpr const char* kWhere = "SPNEGO acceptor";
}  // namespace

Acceptor::Acceptor(std::unique_ptr<SecurityContext> inner, wire::der::Oid mechanism,
                   std::vector<std::uint8_t> inner_token_start)
    : DelegatingContext(std::move(inner)),
      mechanism_(mechanism),
      inner_token_start_(std::move(inner_token_start)) {}

Result<Step> Acceptor::fail(std::string field, std::string what) {
  failed_ = true;
  return make_error(kWhere, std::move(field), std::move(what));
}

Result<Step> Acceptor::step(wire::Bytes peer_token) {
  if (failed_) return fail("token", "the negotiation failed earlier");
  if (complete_) return fail("token", "the negotiation is already complete");
  if (mode_ == Mode::Unknown) return first(peer_token);
  if (mode_ == Mode::PassThrough) {
    auto r = inner().step(peer_token);
    if (!r) failed_ = true;
    if (r && r->complete) complete_ = true;
    return r;
  }
  return next(peer_token);
}

Result<Step> Acceptor::first(wire::Bytes token) {
  const auto& start = inner_token_start_;
  if (!start.empty() && token.size() >= start.size() &&
      std::equal(start.begin(), start.end(), token.begin())) {
    mode_ = Mode::PassThrough;
    return step(token);
  }
  mode_ = Mode::Spnego;
  auto init = sp::NegTokenInit::decode(token);
  if (!init) return fail("negTokenInit", init.error().message());
  const auto& offered = init->mech_types;
  if (std::find(offered.begin(), offered.end(), mechanism_) == offered.end()) {
    return fail("mechTypes", "the client does not offer " + std::string(inner().mechanism()));
  }
  // An optimistic token is for the client's first choice; only then is it ours to use.
  if (!(offered.front() == mechanism_) || !init->mech_token) {
    return fail("mechToken", "the lab needs " + std::string(inner().mechanism()) +
                                 " as the first mechanism, with its token");
  }
  mech_list_ = sp::mech_type_list_der(offered);
  auto r = inner().step(*init->mech_token);
  if (!r) {
    failed_ = true;
    return r.error();
  }
  sp::NegTokenResp resp;
  resp.neg_state = sp::NegState::AcceptIncomplete;
  resp.supported_mech = mechanism_;
  resp.response_token = std::move(r->token);
  return Step{wire::encode_to_vector(resp), false};
}

Result<Step> Acceptor::next(wire::Bytes token) {
  auto resp = sp::NegTokenResp::decode(token);
  if (!resp) return fail("negTokenResp", resp.error().message());
  if (!resp->response_token) return fail("responseToken", "missing");
  auto r = inner().step(*resp->response_token);
  if (!r) {
    failed_ = true;
    return r.error();
  }
  if (!r->complete) {
    sp::NegTokenResp out;
    out.neg_state = sp::NegState::AcceptIncomplete;
    out.response_token = std::move(r->token);
    return Step{wire::encode_to_vector(out), false};
  }
  sp::NegTokenResp out;
  out.neg_state = sp::NegState::AcceptCompleted;
  if (!r->token.empty()) out.response_token = std::move(r->token);
  // The client's MIC first (then its direction restarts), then ours (then ours restarts): the
  // order Windows uses, so both CredSSP wraps that follow start at sequence number 0.
  if (resp->mech_list_mic) {
    auto ok = inner().verify_mic(mech_list_, *resp->mech_list_mic);
    if (!ok) return fail("mechListMIC", ok.error().message());
    inner().reset_cipher_state(Direction::kIncoming);
    client_mic_verified_ = true;
    auto mic = inner().get_mic(mech_list_);
    if (!mic) {
      failed_ = true;
      return mic.error();
    }
    inner().reset_cipher_state(Direction::kOutgoing);
    out.mech_list_mic = std::move(mic).value();
  }
  complete_ = true;
  return Step{wire::encode_to_vector(out), true};
}

}  // namespace rdwarm::auth::spnego
