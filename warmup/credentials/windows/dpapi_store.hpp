// Windows: the NLA password as a DPAPI value in the registry, written by `rdwarm credentials set`
// and read by the boot agent running as SYSTEM (docs/credentials.md).
//
//   HKLM\SOFTWARE\rdwarm\NLA   User      REG_SZ      the account name (plain text)
//                              Domain    REG_SZ      its domain (plain text)
//                              Password  REG_BINARY  CryptProtectData(UTF-8 password,
//                                                    entropy kEntropy, CRYPTPROTECT_LOCAL_MACHINE)
//
// Machine scope lets any account of this machine decrypt the blob, so the key's DACL is what keeps
// the password: rdwarm gives the key a protected DACL of SYSTEM and Administrators only. The
// entropy is a constant of a public program: it hides nothing; it keeps a DPAPI blob made for
// anything else from being taken for rdwarm's password.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "warmup/credentials/credential_store.hpp"

namespace rdwarm::credentials::windows {

inline constexpr std::string_view kNlaKey = "SOFTWARE\\rdwarm\\NLA";
inline constexpr std::string_view kUserValue = "User";
inline constexpr std::string_view kDomainValue = "Domain";
inline constexpr std::string_view kPasswordValue = "Password";
inline constexpr std::string_view kEntropy = "rdwarm NLA password v1";
// SYSTEM and BUILTIN\Administrators: full control; inheritance from SOFTWARE\rdwarm cut.
inline constexpr std::wstring_view kNlaKeySddl = L"D:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)";

// CryptProtectData with machine scope and kEntropy. Errors name the Win32 error.
Result<std::vector<std::uint8_t>> protect_password(const auth::Secret& password);
// CryptUnprotectData with kEntropy. A blob made with other entropy, on another machine, or
// changed, is an error that says so and what to run.
Result<auth::Secret> unprotect_password(std::span<const std::uint8_t> blob);

class DpapiStore final : public CredentialStore {
 public:
  [[nodiscard]] config::PasswordSource kind() const override {
    return config::PasswordSource::Dpapi;
  }
  [[nodiscard]] std::string location() const override;
  Result<std::optional<auth::Credentials>> load() override;
  Status save(const auth::Credentials& credentials) override;
  Result<bool> clear() override;
};

}  // namespace rdwarm::credentials::windows
