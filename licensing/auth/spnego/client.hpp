// SPNEGO [RFC 4178] around one inner mechanism, as a Windows Negotiate client sends it in CredSSP:
// NegTokenInit with the inner's first token, then NegTokenResp carrying its next token and the
// mechListMIC, then the server's accept-completed with its own mechListMIC. rdwarm offers NTLM
// alone (its Linux mechanism); Kerberos comes through SSPI on Windows.
//
// With NTLM, the mechListMIC exchange restarts the cipher state (security_context.hpp): the
// outgoing direction right after our MIC, the incoming one right after verifying the server's.
#pragma once

#include <memory>
#include <vector>

#include "licensing/auth/spnego/delegating_context.hpp"
#include "licensing/wire/der.hpp"

namespace rdwarm::auth::spnego {

class Client final : public DelegatingContext {
 public:
  Client(std::unique_ptr<SecurityContext> inner, wire::der::Oid mechanism);

  Result<Step> step(wire::Bytes peer_token) override;

  // True once the server's mechListMIC was verified (false if it sent none).
  [[nodiscard]] bool server_mic_verified() const { return server_mic_verified_; }

 private:
  enum class State { Initial, WaitResponse, WaitCompletion, Complete, Failed };
  Result<Step> fail(std::string field, std::string what);

  wire::der::Oid mechanism_;
  std::vector<std::uint8_t> mech_list_;  // DER MechTypeList: what both MICs cover
  State state_ = State::Initial;
  bool server_mic_verified_ = false;
};

}  // namespace rdwarm::auth::spnego
