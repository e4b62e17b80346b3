// The NTLMv2 client [MS-NLMP 3.1]: NEGOTIATE, then AUTHENTICATE in answer to the server's
// CHALLENGE, then message protection with extended session security. rdwarm's Linux NLA path (under
// SPNEGO, in CredSSP). It refuses servers that do not offer NTLMv2 with extended session security,
// 128-bit keys, signing and sealing: anything less is not what a Windows session host does.
//
// The AUTHENTICATE carries, beside the server's AV pairs (with its timestamp when it sent one):
// MsvAvFlags with the MIC bit and a MIC when the server sent MsvAvTimestamp, MsvAvChannelBindings
// of 16 zero bytes (no channel binding: CredSSP binds to TLS itself, with pubKeyAuth), and
// MsvAvTargetName = the target SPN, as Windows clients do. The LM response is 24 zero bytes when
// the server sent a timestamp [3.1.5.1.2], else LMv2.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "licensing/auth/credentials.hpp"
#include "licensing/auth/ntlm/inputs.hpp"
#include "licensing/auth/ntlm/ntlmv2.hpp"
#include "licensing/auth/ntlm/protected_context.hpp"
#include "licensing/auth/ntlm/session_security.hpp"

namespace rdwarm::auth::ntlm {

struct ClientConfig {
  // "user" with a domain, "DOMAIN\user" (domain left empty), or "user@dns.domain" (a UPN: sent as
  // the user name with an empty domain, whatever `domain` says).
  Credentials credentials;
  std::string workstation;  // this machine's NetBIOS name (AUTHENTICATE.Workstation); may be empty
  std::string target_spn;   // "TERMSRV/<host>" (MsvAvTargetName); empty: not sent
  RandomSource random;      // default: OpenSSL's generator
  FiletimeClock now;        // default: the system clock
};

class Client final : public ProtectedContext {
 public:
  // NEGOTIATE flags [2.2.2.5]: Unicode (OEM offered too), request target, sign, seal, NTLM,
  // always sign, extended session security, version, 128-bit, key exchange, 56-bit.
  static constexpr std::uint32_t kNegotiateFlags =
      NTLMSSP_NEGOTIATE_UNICODE | NTLM_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET |
      NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM |
      NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
      NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH |
      NTLMSSP_NEGOTIATE_56;

  explicit Client(ClientConfig config);
  ~Client() override;

  // step({}) -> NEGOTIATE_MESSAGE; step(CHALLENGE_MESSAGE) -> AUTHENTICATE_MESSAGE, complete.
  Result<Step> step(wire::Bytes peer_token) override;

  // The flags of the AUTHENTICATE_MESSAGE (what both sides use); 0 before it.
  [[nodiscard]] std::uint32_t negotiated_flags() const { return negotiated_flags_; }

 private:
  enum class State { Initial, WaitChallenge, Complete, Failed };

  Result<Step> negotiate();
  Result<Step> authenticate(wire::Bytes challenge_token);
  Result<Step> fail(Error error);

  std::string user_;
  std::string domain_;
  std::string workstation_;
  std::string target_spn_;
  Key nt_hash_{};
  RandomSource random_;
  FiletimeClock now_;

  State state_ = State::Initial;
  std::vector<std::uint8_t> negotiate_bytes_;
  std::uint32_t negotiated_flags_ = 0;
};

}  // namespace rdwarm::auth::ntlm
