#include "warmup/cli/credentials_command.hpp"

#include <openssl/crypto.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "config/default_paths.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"
#include "warmup/cli/exit_codes.hpp"
#include "warmup/credentials/credential_store.hpp"
#include "warmup/credentials/password_file.hpp"
#include "warmup/credentials/resolver.hpp"
#include "warmup/credentials/terminal.hpp"

namespace rdwarm::cli {

namespace {

namespace cred = credentials;

#ifdef _WIN32
constexpr bool kWindows = true;
#else
constexpr bool kWindows = false;
#endif

constexpr const char* kNoPasswordArgument =
    "There is no --password option: a password on the command line shows in process lists and "
    "shell history.";

int fail(std::string_view command, const Error& e, int code) {
  std::cerr << "rdwarm credentials " << command << ": " << e.message() << "\n";
  return code;
}

Result<config::LoadedConfig> load(const std::string& file) {
  return config::load_effective_config(config::path_from_utf8(file));
}

std::string config_name(const config::LoadedConfig& loaded) {
  return loaded.file.empty() ? std::string("built-in defaults") : config::path_to_utf8(loaded.file);
}

// The password for `set`: standard input with --password-stdin, else typed at the terminal twice.
Result<auth::Secret> read_new_password(const CredentialsSetArgs& a) {
  if (a.password_stdin) {
    auto raw = cred::read_stdin(cred::kMaxPasswordBytes + 2);
    if (!raw) return raw.error();
    std::string text(raw->reveal());
    return cred::password_from_text(text, "--password-stdin", "standard input");
  }
  if (!cred::stdin_is_terminal()) {
    return make_error("--password-stdin", "",
                      "standard input is not a terminal, so the password cannot be typed; pipe "
                      "it in with --password-stdin, e.g. from your secret store. " +
                          std::string(kNoPasswordArgument));
  }
  const std::string account = cred::account_name(a.user, a.domain);
  auto first = cred::read_password_from_terminal("NLA password for " + account + ": ",
                                                 cred::kMaxPasswordBytes + 2);
  if (!first) return first.error();
  auto again = cred::read_password_from_terminal("Again, to check: ", cred::kMaxPasswordBytes + 2);
  if (!again) return again.error();
  if (first->reveal() != again->reveal()) {
    return make_error("terminal", "", "the two passwords differ; nothing was stored");
  }
  std::string text(first->reveal());
  return cred::password_from_text(text, "terminal", "the typed line");
}

// check_nla names the [nla] key; on the command line the flag is what the user typed.
Error as_flag_error(Error e) {
  for (const auto& [key, flag] :
       {std::pair{"nla.user", "--user"}, std::pair{"nla.domain", "--domain"},
        std::pair{"nla.password_env", "--password-env"},
        std::pair{"nla.password_file", "--password-file"}}) {
    if (e.where == key) e.where = flag;
  }
  return e;
}

std::string source_location(const config::NlaConfig& nla, const cred::CredentialStore& store) {
  switch (config::effective_password_source(nla.password_source)) {
    case config::PasswordSource::File:
      return "file " + config::path_to_utf8(nla.password_file);
    case config::PasswordSource::Env:
      return "environment variable " + nla.password_env;
    case config::PasswordSource::Dpapi:
    case config::PasswordSource::Auto:
      break;
  }
  return "DPAPI " + store.location();
}

void add_password_trap(CLI::App& cmd, PasswordTrap& trap) {
  trap.option = cmd.add_option("--password", trap.value)->group("")->expected(0, 1);
}

}  // namespace

std::optional<Error> PasswordTrap::refuse(std::string_view command) {
  if (option == nullptr || option->count() == 0) return std::nullopt;
  if (!value.empty()) OPENSSL_cleanse(value.data(), value.size());
  value.clear();
  option->clear();
  return make_error("--password", "",
                    "there is no such option: a password on the command line shows in process "
                    "lists and shell history. See rdwarm " +
                        std::string(command) + " --help.");
}

int run_credentials_set(CredentialsSetArgs& a) {
  if (auto refused = a.password.refuse("credentials set")) return fail("set", *refused, kExitUsage);
  auto loaded = load(a.config_file);
  if (!loaded) return fail("set", loaded.error(), kExitUsage);
  config::AgentConfig cfg = loaded->config;
  cfg.nla.user = a.user;
  cfg.nla.domain = a.domain;
  cfg.nla.password_source = kWindows ? config::PasswordSource::Dpapi : config::PasswordSource::File;
  if (!a.password_file.empty()) cfg.nla.password_file = config::path_from_utf8(a.password_file);
  if (cfg.nla.user.empty()) {
    return fail("set", make_error("--user", "", "the account name is required"), kExitUsage);
  }
  if (auto ok = config::check_nla(cfg.nla); !ok) {
    return fail("set", as_flag_error(ok.error()), kExitUsage);
  }

  auto password = read_new_password(a);
  if (!password) return fail("set", password.error(), kExitUsage);
  auth::Credentials c;
  c.user = cfg.nla.user;
  c.domain = cfg.nla.domain;
  c.password = std::move(password).value();

  auto store = cred::make_platform_store(cfg.nla);
  if (auto saved = store->save(c); !saved) return fail("set", saved.error(), kExitInternal);
  // Read back the way the boot agent will, so a store it cannot use is found now, not at boot.
  auto check = cred::resolve_credentials(cfg.nla, *store);
  if (!check) return fail("set", check.error(), kExitInternal);

  const std::string account = cred::account_name(c.user, c.domain);
  if (kWindows) {
    std::cout << "Stored the NLA password of " << account << " in " << store->location()
              << " (DPAPI, machine scope; the key is readable by SYSTEM and Administrators "
                 "only).\n";
  } else {
    std::cout << "Stored the NLA password of " << account << " in " << store->location()
              << " (mode 0600: readable and writable by its owner only).\n";
  }
  std::cout << "rdwarm reads it back: " << cred::describe(**check) << ".\n\n"
            << "Put these lines in rdwarm.toml (now: " << config_name(*loaded)
            << "), replacing its [nla] table:\n\n"
            << config::to_toml(cfg, "nla");
  return kExitReady;
}

int run_credentials_show(const CredentialsShowArgs& a) {
  auto loaded = load(a.config_file);
  if (!loaded) return fail("show", loaded.error(), kExitUsage);
  const config::NlaConfig& nla = loaded->config.nla;
  auto store = cred::make_platform_store(nla);
  auto resolved = cred::resolve_credentials(nla, *store);
  const bool present = resolved.ok() && resolved->has_value();
  const std::string source(
      config::to_string(config::effective_password_source(nla.password_source)));
  const std::string location = source_location(nla, *store);
  // With no account configured, still say what the store holds, so a forgotten [nla] shows.
  std::optional<std::string> stored_unused;
  if (nla.user.empty()) {
    if (auto held = store->load(); held && *held) {
      stored_unused =
          store->location() + " holds a password" +
          ((*held)->user.empty() ? std::string()
                                 : " for " + cred::account_name((*held)->user, (*held)->domain)) +
          ", unused while [nla] user is empty";
    }
  }

  if (a.json) {
    nlohmann::ordered_json j{
        {"schema", "rdwarm.credentials/1"},
        {"config_file", loaded->file.empty() ? nlohmann::ordered_json(nullptr)
                                             : nlohmann::ordered_json(config_name(*loaded))},
        {"user", nla.user},
        {"domain", nla.domain},
        {"password_source", source},
        {"location", location},
        {"password", present ? nlohmann::ordered_json(std::string(auth::Secret::kRedacted))
                             : nlohmann::ordered_json()},
        {"problem",
         resolved ? nlohmann::ordered_json() : nlohmann::ordered_json(resolved.error().message())},
        {"stored_unused",
         stored_unused ? nlohmann::ordered_json(*stored_unused) : nlohmann::ordered_json()}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "NLA credentials (configuration: " << config_name(*loaded) << ")\n";
    if (nla.user.empty()) {
      std::cout << "  account          none ([nla] user is empty): a session host that requires "
                   "NLA gives the verdict \"NLA required\" (exit code 12)\n";
    } else {
      std::cout << "  account          " << cred::account_name(nla.user, nla.domain) << "\n"
                << "  password from    " << location << "\n"
                << "  password         "
                << (present ? "present (" + std::string(auth::Secret::kRedacted) + ")"
                            : std::string("not usable"))
                << "\n";
    }
    if (stored_unused) std::cout << "  note             " << *stored_unused << "\n";
    if (!resolved) std::cout << "\n" << resolved.error().message() << "\n";
  }
  return resolved ? kExitReady : kExitUsage;
}

int run_credentials_clear(const CredentialsClearArgs& a) {
  auto loaded = load(a.config_file);
  if (!loaded) return fail("clear", loaded.error(), kExitUsage);
  config::NlaConfig nla = loaded->config.nla;
  if (!a.password_file.empty()) nla.password_file = config::path_from_utf8(a.password_file);
  auto store = cred::make_platform_store(nla);
  auto removed = store->clear();
  if (!removed) return fail("clear", removed.error(), kExitInternal);
  if (*removed) {
    std::cout << "Removed the stored NLA password: " << store->location() << ".\n";
  } else {
    std::cout << "No stored NLA password to remove: " << store->location() << " does not exist.\n";
  }
  if (!kWindows) {
    std::cout << "(A removed file's blocks may stay on the disk until they are reused.)\n";
  }
  if (!nla.user.empty() &&
      config::effective_password_source(nla.password_source) == config::PasswordSource::Env) {
    std::cout << "The configuration takes the password from the environment variable "
              << nla.password_env << ", which rdwarm cannot clear; unset it where it is set.\n";
  }
  if (!nla.user.empty()) {
    std::cout << "[nla] user is still " << cred::account_name(nla.user, nla.domain) << " in "
              << config_name(*loaded)
              << ": empty it, or the boot agent refuses to start without the password.\n";
  }
  return kExitReady;
}

CredentialsCommand::CredentialsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "credentials", "The account rdwarm authenticates with when a session host requires NLA");
  cmd->require_subcommand(1);
  cmd->footer(std::string(kNoPasswordArgument) + " See docs/credentials.md.");

  set_ = cmd->add_subcommand(
      "set", kWindows
                 ? "Store the NLA password with DPAPI (machine scope) in HKLM\\SOFTWARE\\rdwarm"
                   "\\NLA; run elevated"
                 : "Write the NLA password file (mode 0600, atomically) and print the [nla] "
                   "lines for rdwarm.toml");
  set_->add_option("--user", set_args_.user, "Account name, or user@domain")->required();
  set_->add_option("--domain", set_args_.domain,
                   "Domain of the account: \".\" for an account of the session host itself");
  set_->add_flag("--password-stdin", set_args_.password_stdin,
                 "Read the password from standard input (one trailing newline is ignored); "
                 "without it the password is typed at the terminal, without echo");
  set_->add_option("--config", set_args_.config_file,
                   "rdwarm.toml (default: $RDWARM_CONFIG, then the platform's default path)");
  if (!kWindows) {
    set_->add_option("--password-file", set_args_.password_file,
                     "Where to write the password (default: [nla] password_file, else "
                     "/etc/rdwarm/nla-password)");
  }
  set_->footer(kNoPasswordArgument);
  add_password_trap(*set_, set_args_.password);

  show_ = cmd->add_subcommand(
      "show",
      "Show the NLA account, where its password comes from and whether it is usable "
      "(never the password)");
  show_->add_option("--config", show_args_.config_file,
                    "rdwarm.toml (default: $RDWARM_CONFIG, then the platform's default path)");
  show_->add_flag("--json", show_args_.json, "Print JSON (schema rdwarm.credentials/1)");

  clear_ =
      cmd->add_subcommand("clear", kWindows ? "Delete HKLM\\SOFTWARE\\rdwarm\\NLA (run elevated)"
                                            : "Remove the NLA password file");
  clear_->add_option("--config", clear_args_.config_file,
                     "rdwarm.toml (default: $RDWARM_CONFIG, then the platform's default path)");
  if (!kWindows) {
    clear_->add_option("--password-file", clear_args_.password_file,
                       "The file to remove (default: [nla] password_file)");
  }
}

bool CredentialsCommand::selected() const {
  return *set_ || *show_ || *clear_;
}

int CredentialsCommand::run() const {
  if (*set_) return run_credentials_set(set_args_);
  if (*show_) return run_credentials_show(show_args_);
  return run_credentials_clear(clear_args_);
}

void add_probe_credential_options(CLI::App& probe, ProbeCredentialFlags& flags) {
  add_password_trap(probe, flags.password);
  probe.add_option("--user", flags.user,
                   "NLA account, used when the session host requires NLA (CredSSP); its password "
                   "comes from --password-file, --password-env, or else the store `rdwarm "
                   "credentials set` writes. There is no --password: process lists show "
                   "arguments");
  probe.add_option("--domain", flags.domain,
                   "Domain of --user: \".\" for an account of the session host itself");
  probe.add_option("--password-file", flags.password_file,
                   "File holding --user's password, readable by its owner only (chmod 600)");
  probe.add_option("--password-env", flags.password_env,
                   "Environment variable holding --user's password");
  probe
      .add_option("--nla-tokens", flags.tokens,
                  "How NLA tokens travel: spnego (as Windows clients send them; the default) or "
                  "ntlm (bare NTLM, for servers built on FreeRDP 2)")
      ->check(CLI::IsMember({"spnego", "ntlm"}));
}

Result<std::optional<auth::Credentials>> probe_credentials(ProbeCredentialFlags& f) {
  if (auto refused = f.password.refuse("probe")) return *refused;
  if (f.user.empty()) {
    for (const auto& [flag, value] :
         {std::pair{"--domain", &f.domain}, std::pair{"--password-file", &f.password_file},
          std::pair{"--password-env", &f.password_env}}) {
      if (!value->empty()) {
        return make_error(flag, "", "needs --user, the account whose password this is");
      }
    }
    return std::optional<auth::Credentials>();
  }
  if (!f.password_file.empty() && !f.password_env.empty()) {
    return make_error("--password-file", "",
                      "and --password-env both name a password; give one of them");
  }
  config::NlaConfig nla = config::default_config().nla;
  nla.user = f.user;
  nla.domain = f.domain;
  if (!f.password_file.empty()) {
    nla.password_source = config::PasswordSource::File;
    nla.password_file = config::path_from_utf8(f.password_file);
  } else if (!f.password_env.empty()) {
    nla.password_source = config::PasswordSource::Env;
    nla.password_env = f.password_env;
  }
  if (auto ok = config::check_nla(nla); !ok) return as_flag_error(ok.error());
  auto store = cred::make_platform_store(nla);
  return cred::resolve_credentials(nla, *store);
}

}  // namespace rdwarm::cli
