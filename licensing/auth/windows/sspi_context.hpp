// The Windows side of CredSSP's authentication [MS-CSSP 3.1.5]: a SecurityContext backed by
// secur32's "Negotiate" package, so Kerberos to TERMSRV/<host> when the machine is in a domain and
// a KDC answers, NTLM otherwise. Windows does the cryptography; this class only moves tokens and
// buffers and turns every SECURITY_STATUS into an Error a user can act on. docs/nla-sspi.md says
// what was verified under wine and what only against the documentation.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "licensing/auth/credentials.hpp"
#include "licensing/auth/security_context.hpp"

namespace rdwarm::auth::windows {

inline constexpr std::string_view kSspiPackage = "Negotiate";

// "TERMSRV/<host>": the service principal name of a session host's Remote Desktop service.
[[nodiscard]] std::string termsrv_spn(std::string_view host);

// A client context for the session host `host`. With credentials: that account (user, domain,
// password through SEC_WINNT_AUTH_IDENTITY_W). Without (credentials.empty()): the logon of the
// process itself, which is the machine account when rdwarm runs as SYSTEM.
// Never null. Acquiring the credentials happens here; if it fails, the first step() returns the
// error (and every later call does too), so the caller has one place to handle failures.
[[nodiscard]] std::unique_ptr<SecurityContext> make_sspi_client(const Credentials& credentials,
                                                                std::string_view host);

}  // namespace rdwarm::auth::windows
