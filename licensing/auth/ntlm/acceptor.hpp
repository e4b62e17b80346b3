// The server side of NTLMv2 [MS-NLMP 3.2] for the lab's session host: NEGOTIATE in, CHALLENGE out
// (with the host's names and a timestamp), AUTHENTICATE in and verified against one configured
// account, then message protection with extended session security.
//
// Who may log on: the user name must equal the account's (case-insensitively), and the domain the
// client sends must be empty, ".", or (case-insensitively) the account's domain, the NetBIOS or
// DNS domain name, or the NetBIOS or DNS computer name: a local account of this host. A UPN
// "user@suffix" with an empty domain is split at the last '@' and its suffix checked the same
// way. Only NTLMv2 responses are accepted (no NTLMv1, no LMv2-only, no anonymous logon), whose
// timestamp lies within 36 hours of the acceptor's clock [3.2.1.1 MaxLifetime]. As Windows does, a
// response computed with an empty UserDom is accepted too [3.2.5.1.2].
//
// Order of checks, and the NTSTATUS each failure reports (status(), for TSRequest.errorCode):
// malformed message SEC_E_INVALID_TOKEN; flags without extended session security, Unicode or
// 128-bit keys SEC_E_UNSUPPORTED_FUNCTION; unknown user or domain, NTLMv1, stale timestamp or
// wrong password STATUS_LOGON_FAILURE; MIC mismatch SEC_E_MESSAGE_ALTERED; and only then the
// account state (disabled, password expired / must change, locked out), as Windows reports those
// only to a caller who knew the password.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "licensing/auth/ntlm/account.hpp"
#include "licensing/auth/ntlm/inputs.hpp"
#include "licensing/auth/ntlm/messages.hpp"
#include "licensing/auth/ntlm/protected_context.hpp"
#include "licensing/auth/ntlm/session_security.hpp"

namespace rdwarm::auth::ntlm {

struct AcceptorConfig {
  Account account;
  std::string nb_computer_name = "RDWARM-LAB";  // MsvAvNbComputerName; the CHALLENGE's TargetName
  std::string nb_domain_name;     // MsvAvNbDomainName; empty: nb_computer_name (workgroup host)
  std::string dns_computer_name;  // MsvAvDnsComputerName; empty: nb_computer_name
  std::string dns_domain_name;    // MsvAvDnsDomainName; empty: dns_computer_name
  RandomSource random;            // server challenge; default: OpenSSL's generator
  FiletimeClock now;              // MsvAvTimestamp; default: the system clock
};

class Acceptor final : public ProtectedContext {
 public:
  // CHALLENGE flags offered when the client asks for them [2.2.2.5].
  static constexpr std::uint32_t kSupportedFlags =
      NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |
      NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
      NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_VERSION |
      NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56;

  explicit Acceptor(AcceptorConfig config);
  ~Acceptor() override;

  // step(NEGOTIATE) -> CHALLENGE; step(AUTHENTICATE) -> complete, empty token. On failure the
  // error says why and status() holds the NTSTATUS to report.
  Result<Step> step(wire::Bytes peer_token) override;

  // STATUS_SUCCESS until a step fails, then the failure's NTSTATUS.
  [[nodiscard]] std::uint32_t status() const { return status_; }
  // The user and domain names as the client sent them, once authenticated (else empty).
  [[nodiscard]] const std::string& user() const { return user_; }
  [[nodiscard]] const std::string& domain() const { return domain_; }

 private:
  enum class State { WaitNegotiate, WaitAuthenticate, Complete, Failed };

  Result<Step> challenge(wire::Bytes negotiate_token);
  Result<Step> verify(wire::Bytes authenticate_token);
  Result<Step> fail(std::uint32_t status, std::string field, std::string what);
  [[nodiscard]] bool domain_matches(std::string_view domain) const;

  AcceptorConfig config_;
  State state_ = State::WaitNegotiate;
  std::uint32_t status_ = STATUS_SUCCESS;
  std::vector<std::uint8_t> negotiate_bytes_;
  std::vector<std::uint8_t> challenge_bytes_;
  Challenge server_challenge_{};
  std::uint64_t challenge_time_ = 0;
  std::string user_;
  std::string domain_;
};

}  // namespace rdwarm::auth::ntlm
