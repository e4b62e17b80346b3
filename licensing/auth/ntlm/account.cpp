#include "licensing/auth/ntlm/account.hpp"

#include <openssl/crypto.h>

#include <utility>

#include "licensing/auth/ntlm/constants.hpp"

namespace rdwarm::auth::ntlm {

std::uint32_t ntstatus_of(AccountState state) {
  switch (state) {
    case AccountState::Enabled:
      return STATUS_SUCCESS;
    case AccountState::Disabled:
      return STATUS_ACCOUNT_DISABLED;
    case AccountState::PasswordExpired:
      return STATUS_PASSWORD_EXPIRED;
    case AccountState::PasswordMustChange:
      return STATUS_PASSWORD_MUST_CHANGE;
    case AccountState::LockedOut:
      return STATUS_ACCOUNT_LOCKED_OUT;
  }
  return STATUS_LOGON_FAILURE;
}

std::string_view name_of(AccountState state) {
  switch (state) {
    case AccountState::Enabled:
      return "enabled";
    case AccountState::Disabled:
      return "disabled";
    case AccountState::PasswordExpired:
      return "password-expired";
    case AccountState::PasswordMustChange:
      return "password-must-change";
    case AccountState::LockedOut:
      return "locked-out";
  }
  return "unknown";
}

Account Account::with_password(std::string user, std::string domain, const Secret& password,
                               AccountState state) {
  Account a;
  a.user = std::move(user);
  a.domain = std::move(domain);
  a.nt_hash = ntlm::nt_hash(password.reveal());
  a.state = state;
  return a;
}

Result<Account> Account::with_nt_hash(std::string user, std::string domain,
                                      std::string_view nt_hash_hex, AccountState state) {
  auto hash = nt_hash_from_hex(nt_hash_hex);
  if (!hash) return hash.error();
  Account a;
  a.user = std::move(user);
  a.domain = std::move(domain);
  a.nt_hash = *hash;
  OPENSSL_cleanse(hash->data(), hash->size());
  a.state = state;
  return a;
}

Account::~Account() {
  OPENSSL_cleanse(nt_hash.data(), nt_hash.size());
}

}  // namespace rdwarm::auth::ntlm
