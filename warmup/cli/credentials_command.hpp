// `rdwarm credentials set|show|clear` (docs/credentials.md): the NLA account's password, stored
// where the boot agent reads it (DPAPI on Windows, a file only its owner can read elsewhere), and
// the NLA flags of `rdwarm probe`. No command takes a password as an argument: process lists show
// arguments. None prints it.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "licensing/auth/credentials.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::cli {

// A hidden --password that only refuses: an unknown option would make CLI11 repeat the value that
// followed it ("The following arguments were not expected: <password>").
struct PasswordTrap {
  CLI::Option* option = nullptr;
  std::string value;
  // The refusal, when --password was given; the value is wiped first.
  std::optional<Error> refuse(std::string_view command);
};

struct CredentialsSetArgs {
  PasswordTrap password;
  std::string user;
  std::string domain;
  bool password_stdin = false;
  std::string config_file;
  std::string password_file;  // elsewhere than Windows: overrides [nla] password_file
};

struct CredentialsShowArgs {
  std::string config_file;
  bool json = false;
};

struct CredentialsClearArgs {
  std::string config_file;
  std::string password_file;
};

int run_credentials_set(CredentialsSetArgs& args);
int run_credentials_show(const CredentialsShowArgs& args);
int run_credentials_clear(const CredentialsClearArgs& args);

// Adds `credentials` with `set`, `show` and `clear`; the arguments live in this object, so it must
// outlive the parse and stay where it is.
class CredentialsCommand {
 public:
  explicit CredentialsCommand(CLI::App& app);
  CredentialsCommand(const CredentialsCommand&) = delete;
  CredentialsCommand& operator=(const CredentialsCommand&) = delete;
  CredentialsCommand(CredentialsCommand&&) = delete;
  CredentialsCommand& operator=(CredentialsCommand&&) = delete;
  ~CredentialsCommand() = default;

  [[nodiscard]] bool selected() const;
  [[nodiscard]] int run() const;

 private:
  CLI::App* set_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* clear_ = nullptr;
  mutable CredentialsSetArgs set_args_;
  CredentialsShowArgs show_args_;
  CredentialsClearArgs clear_args_;
};

// `rdwarm probe --user U [--domain D] [--password-file F | --password-env VAR]`.
struct ProbeCredentialFlags {
  PasswordTrap password;
  std::string user;
  std::string domain;
  std::string password_file;
  std::string password_env;
  std::string tokens = "spnego";  // --nla-tokens
};
void add_probe_credential_options(CLI::App& probe, ProbeCredentialFlags& flags);
// nullopt without --user. Without --password-file and --password-env the password comes from the
// platform's store, as [nla] password_source = "auto" says. Errors are usage errors (exit 2).
Result<std::optional<auth::Credentials>> probe_credentials(ProbeCredentialFlags& flags);

}  // namespace rdwarm::cli
