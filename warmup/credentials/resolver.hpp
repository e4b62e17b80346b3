// Where rdwarm gets the NLA account from ([nla] in rdwarm.toml, docs/credentials.md): the user and
// domain from the configuration, the password from the source it names (DPAPI store, a file only
// its owner can read, or an environment variable). No password ever comes from the configuration
// or the command line, and none reaches a message: errors name the source, never the value.
#pragma once

#include <optional>
#include <string>

#include "config/agent_config.hpp"
#include "licensing/auth/credentials.hpp"
#include "licensing/wire/result.hpp"
#include "warmup/credentials/credential_store.hpp"

namespace rdwarm::credentials {

// nullopt when nla.user is empty (no NLA credentials: a host that requires NLA stays the final
// NlaRequired verdict, exit code 12). Otherwise the account with its password, or the error that
// says why the password cannot be used and what to run. `store` serves the "dpapi" source (and is
// not read for the others); a store of another kind means DPAPI does not exist here.
Result<std::optional<auth::Credentials>> resolve_credentials(const config::NlaConfig& nla,
                                                             CredentialStore& store);

// "CORP\rdwarm-probe", ".\rdwarm-probe", "rdwarm-probe@corp.example".
std::string account_name(std::string_view user, std::string_view domain);

// For logs and reports: "CORP\rdwarm-probe, password from file /etc/rdwarm/nla-password". Never
// the password.
std::string describe(const auth::Credentials& credentials);

}  // namespace rdwarm::credentials
