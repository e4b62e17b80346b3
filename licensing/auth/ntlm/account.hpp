// The one account the lab's NTLM acceptor knows, with the states a lab scenario can give it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "licensing/auth/credentials.hpp"
#include "licensing/auth/ntlm/ntlmv2.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::auth::ntlm {

// Account states Windows reports only once the password was right; each has its NTSTATUS.
enum class AccountState { Enabled, Disabled, PasswordExpired, PasswordMustChange, LockedOut };

// STATUS_SUCCESS, STATUS_ACCOUNT_DISABLED, STATUS_PASSWORD_EXPIRED, STATUS_PASSWORD_MUST_CHANGE,
// STATUS_ACCOUNT_LOCKED_OUT.
std::uint32_t ntstatus_of(AccountState state);
// "enabled", "disabled", "password-expired", "password-must-change", "locked-out".
std::string_view name_of(AccountState state);

struct Account {
  std::string user;    // matched case-insensitively
  std::string domain;  // may be empty; see Acceptor for the domain rules
  Key nt_hash{};       // MD4 of the UTF-16LE password; wiped when the Account goes away
  AccountState state = AccountState::Enabled;

  static Account with_password(std::string user, std::string domain, const Secret& password,
                               AccountState state = AccountState::Enabled);
  // The NT hash as 32 hex digits (a winpr-hash SAM line's fourth field).
  static Result<Account> with_nt_hash(std::string user, std::string domain,
                                      std::string_view nt_hash_hex,
                                      AccountState state = AccountState::Enabled);

  Account() = default;
  Account(const Account&) = default;
  Account& operator=(const Account&) = default;
  Account(Account&&) = default;
  Account& operator=(Account&&) = default;
  ~Account();
};

}  // namespace rdwarm::auth::ntlm
