// Outside Windows there is no DPAPI: `rdwarm credentials set` writes the password file.
#include "warmup/credentials/password_file.hpp"

namespace rdwarm::credentials {

std::unique_ptr<CredentialStore> make_platform_store(const config::NlaConfig& nla) {
  return std::make_unique<PasswordFileStore>(nla.password_file);
}

}  // namespace rdwarm::credentials
