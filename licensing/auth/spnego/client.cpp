#include "licensing/auth/spnego/client.hpp"

#include <utility>

#include "licensing/wire/spnego.hpp"

namespace rdwarm::auth::spnego {

namespace sp = wire::spnego;

namespace {
constexpr const char* kWhere = "SPNEGO";
}  // namespace

Client::Client(std::unique_ptr<SecurityContext> inner, wire::der::Oid mechanism)
    : DelegatingContext(std::move(inner)), mechanism_(mechanism) {
  const wire::der::Oid list[] = {mechanism_};
  mech_list_ = sp::mech_type_list_der(list);
}

Result<Step> Client::fail(std::string field, std::string what) {
  state_ = State::Failed;
  return make_error(kWhere, std::move(field), std::move(what));
}

Result<Step> Client::step(wire::Bytes peer_token) {
  switch (state_) {
    case State::Initial: {
      auto first = inner().step({});
      if (!first) {
        state_ = State::Failed;
        return first.error();
      }
      sp::NegTokenInit init;
      init.mech_types = {mechanism_};
      init.mech_token = std::move(first->token);
      state_ = State::WaitResponse;
      return Step{wire::encode_to_vector(init), false};
    }
    case State::WaitResponse: {
      auto resp = sp::NegTokenResp::decode(peer_token);
      if (!resp) return fail("negTokenResp", resp.error().message());
      if (resp->neg_state == sp::NegState::Reject) {
        return fail("negState", "the server rejected " + std::string(inner().mechanism()) +
                                    ", the only mechanism offered");
      }
      if (resp->supported_mech && !(*resp->supported_mech == mechanism_)) {
        return fail("supportedMech", "the server chose a mechanism that was not offered");
      }
      if (!resp->response_token) {
        return fail("responseToken", "missing: the server sent no " +
                                         std::string(inner().mechanism()) + " challenge");
      }
      auto next = inner().step(*resp->response_token);
      if (!next) {
        state_ = State::Failed;
        return next.error();
      }
      sp::NegTokenResp out;
      out.response_token = std::move(next->token);
      if (next->complete) {
        // Our mechListMIC protects the mechanism list from downgrade [RFC 4178 5].
        auto mic = inner().get_mic(mech_list_);
        if (!mic) {
          state_ = State::Failed;
          return mic.error();
        }
        inner().reset_cipher_state(Direction::kOutgoing);
        out.mech_list_mic = std::move(mic).value();
        state_ = State::WaitCompletion;
      }
      return Step{wire::encode_to_vector(out), next->complete};
    }
    case State::WaitCompletion: {
      auto resp = sp::NegTokenResp::decode(peer_token);
      if (!resp) return fail("negTokenResp", resp.error().message());
      if (resp->neg_state && *resp->neg_state != sp::NegState::AcceptCompleted) {
        return fail("negState", "the server ended the negotiation with " +
                                    std::string(sp::neg_state_name(*resp->neg_state)));
      }
      if (resp->mech_list_mic) {
        auto ok = inner().verify_mic(mech_list_, *resp->mech_list_mic);
        if (!ok) {
          return fail("mechListMIC", "the server's MIC does not verify (" + ok.error().message() +
                                         "): the negotiation was tampered with");
        }
        inner().reset_cipher_state(Direction::kIncoming);
        server_mic_verified_ = true;
      }
      state_ = State::Complete;
      return Step{{}, true};
    }
    case State::Complete:
      return fail("token", "the negotiation is already complete");
    case State::Failed:
      return fail("token", "the negotiation failed earlier");
  }
  return fail("token", "unreachable state");
}

}  // namespace rdwarm::auth::spnego
