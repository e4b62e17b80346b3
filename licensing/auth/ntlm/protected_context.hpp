// What the NTLM client and acceptor share once established: message protection through their
// SessionSecurity [MS-NLMP 3.4], behind the SecurityContext calls CredSSP and SPNEGO make.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/auth/ntlm/session_security.hpp"
#include "licensing/auth/security_context.hpp"

namespace rdwarm::auth::ntlm {

class ProtectedContext : public SecurityContext {
 public:
  Result<std::vector<std::uint8_t>> wrap(wire::Bytes plaintext) override;
  Result<std::vector<std::uint8_t>> unwrap(wire::Bytes message) override;
  Result<std::vector<std::uint8_t>> get_mic(wire::Bytes message) override;
  Status verify_mic(wire::Bytes message, wire::Bytes mic) override;
  void reset_cipher_state(Direction direction) override;
  [[nodiscard]] std::string_view mechanism() const override { return "NTLM"; }

 protected:
  // `where` names the side in errors ("NTLM client").
  explicit ProtectedContext(std::string where) : where_(std::move(where)) {}
  // Set once the exchange succeeded.
  void establish(std::unique_ptr<SessionSecurity> security) { security_ = std::move(security); }
  // step() once the exchange is over: an empty token is a no-op; NTLM has no fourth message.
  [[nodiscard]] Result<Step> step_after_exchange(wire::Bytes peer_token, bool failed) const;

 private:
  Result<SessionSecurity*> security(std::string_view operation);

  std::string where_;
  std::unique_ptr<SessionSecurity> security_;
};

}  // namespace rdwarm::auth::ntlm
