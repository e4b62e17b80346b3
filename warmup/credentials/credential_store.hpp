// The place `rdwarm credentials set` writes the NLA password and `clear` removes it: on Windows a
// DPAPI value in the registry (windows/dpapi_store.hpp), elsewhere the password file, readable by
// its owner only (password_file.hpp). The resolver reads the "dpapi" source through it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/agent_config.hpp"
#include "licensing/auth/credentials.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::credentials {

class CredentialStore {
 public:
  CredentialStore() = default;
  CredentialStore(const CredentialStore&) = delete;
  CredentialStore& operator=(const CredentialStore&) = delete;
  CredentialStore(CredentialStore&&) = delete;
  CredentialStore& operator=(CredentialStore&&) = delete;
  virtual ~CredentialStore() = default;

  // The password_source this store serves: Dpapi or File.
  [[nodiscard]] virtual config::PasswordSource kind() const = 0;
  // Where it keeps the password, as an admin finds it: "HKLM\SOFTWARE\rdwarm\NLA" or a path.
  [[nodiscard]] virtual std::string location() const = 0;
  // nullopt: nothing stored. A password file holds no account, so user and domain come back
  // empty from it; `source` says where the password came from.
  virtual Result<std::optional<auth::Credentials>> load() = 0;
  // Replaces what is stored. The DPAPI store keeps user and domain too, in plain text.
  virtual Status save(const auth::Credentials& credentials) = 0;
  // true when something was there and is gone.
  virtual Result<bool> clear() = 0;
};

// The store of this platform: DPAPI in rdwarm.exe, else the file nla.password_file.
std::unique_ptr<CredentialStore> make_platform_store(const config::NlaConfig& nla);

}  // namespace rdwarm::credentials
