// The security context the probe authenticates with when a session host requires NLA: on Windows
// SSPI's Negotiate package (Kerberos to TERMSRV/<host> when the machine is domain-joined, NTLM
// otherwise); elsewhere rdwarm's NTLMv2 client, inside SPNEGO like a Windows client, or bare for
// servers whose Negotiate takes only NTLM messages (FreeRDP 2's).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "licensing/auth/credentials.hpp"
#include "licensing/auth/security_context.hpp"

namespace rdwarm::auth {

enum class TokenFormat {
  kSpnego,   // what Windows sends and accepts (default)
  kRawNtlm,  // bare NTLM messages in TSRequest.negoTokens (FreeRDP 2 servers)
};
std::string_view token_format_name(TokenFormat format);  // "spnego", "ntlm"

struct ClientContextOptions {
  std::string host;         // the session host as dialled: SPN TERMSRV/<host>
  std::string workstation;  // this machine's NetBIOS name, for NTLM
  TokenFormat format = TokenFormat::kSpnego;
};

// Never null. Failures (no such package, bad credentials) surface from the first step().
std::unique_ptr<SecurityContext> make_client_context(const Credentials& credentials,
                                                     const ClientContextOptions& options);

}  // namespace rdwarm::auth
