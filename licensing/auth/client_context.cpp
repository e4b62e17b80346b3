#include "licensing/auth/client_context.hpp"

#include "licensing/auth/ntlm/client.hpp"
#include "licensing/auth/spnego/client.hpp"
#include "licensing/wire/spnego.hpp"
#ifdef _WIN32
#include "licensing/auth/windows/sspi_context.hpp"
#endif

namespace rdwarm::auth {

std::string_view token_format_name(TokenFormat format) {
  return format == TokenFormat::kRawNtlm ? "ntlm" : "spnego";
}

std::unique_ptr<SecurityContext> make_client_context(const Credentials& credentials,
                                                     const ClientContextOptions& options) {
#ifdef _WIN32
  if (options.format == TokenFormat::kSpnego) {
    return windows::make_sspi_client(credentials, options.host);
  }
#endif
  ntlm::ClientConfig config;
  config.credentials = credentials;
  config.workstation = options.workstation;
  config.target_spn = "TERMSRV/" + options.host;
  auto ntlm = std::make_unique<ntlm::Client>(std::move(config));
  if (options.format == TokenFormat::kRawNtlm) return ntlm;
  return std::make_unique<spnego::Client>(std::move(ntlm), wire::spnego::OID_NTLMSSP);
}

}  // namespace rdwarm::auth
