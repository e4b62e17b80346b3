#include "licensing/auth/ntlm/protected_context.hpp"

#include <string>

namespace rdwarm::auth::ntlm {

Result<Step> ProtectedContext::step_after_exchange(wire::Bytes peer_token, bool failed) const {
  if (failed) return make_error(where_, "", "the NTLM exchange already failed");
  if (!peer_token.empty()) {
    return make_error(where_, "",
                      "received " + std::to_string(peer_token.size()) +
                          " more bytes after the AUTHENTICATE_MESSAGE; NTLM has no fourth message");
  }
  return Step{{}, true};
}

Result<SessionSecurity*> ProtectedContext::security(std::string_view operation) {
  if (!security_) {
    return make_error(where_, std::string(operation), "the security context is not established");
  }
  return security_.get();
}

Result<std::vector<std::uint8_t>> ProtectedContext::wrap(wire::Bytes plaintext) {
  auto s = security("wrap");
  if (!s) return s.error();
  return (*s)->wrap(plaintext);
}

Result<std::vector<std::uint8_t>> ProtectedContext::unwrap(wire::Bytes message) {
  auto s = security("unwrap");
  if (!s) return s.error();
  return (*s)->unwrap(message);
}

Result<std::vector<std::uint8_t>> ProtectedContext::get_mic(wire::Bytes message) {
  auto s = security("get_mic");
  if (!s) return s.error();
  const auto mic = (*s)->get_mic(message);
  return std::vector<std::uint8_t>(mic.begin(), mic.end());
}

Status ProtectedContext::verify_mic(wire::Bytes message, wire::Bytes mic) {
  auto s = security("verify_mic");
  if (!s) return s.error();
  return (*s)->verify_mic(message, mic);
}

void ProtectedContext::reset_cipher_state(Direction direction) {
  if (!security_) return;
  if (direction == Direction::kOutgoing) {
    security_->reset_outgoing();
  } else {
    security_->reset_incoming();
  }
}

}  // namespace rdwarm::auth::ntlm
