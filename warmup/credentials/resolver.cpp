#include "warmup/credentials/resolver.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "config/default_paths.hpp"
#include "warmup/credentials/password_file.hpp"

namespace rdwarm::credentials {

namespace {

// Windows compares account and domain names without regard to case.
bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string set_command(const config::NlaConfig& nla) {
  std::string cmd = "rdwarm credentials set --user " + nla.user;
  if (!nla.domain.empty()) cmd += " --domain " + nla.domain;
  return "`" + cmd + "`";
}

Result<std::optional<auth::Credentials>> from_file(const config::NlaConfig& nla) {
  PasswordFileStore file(nla.password_file);
  auto loaded = file.load();
  if (!loaded) return loaded.error();
  if (!*loaded) {
    return make_error(
        "nla.password_file", "",
        config::path_to_utf8(nla.password_file) + " does not exist, so there is no password for " +
            account_name(nla.user, nla.domain) + "; write it with " + set_command(nla) +
            " (it creates the file with mode 0600), or set password_file to "
            "where the password is");
  }
  (*loaded)->user = nla.user;
  (*loaded)->domain = nla.domain;
  return loaded;
}

Result<std::optional<auth::Credentials>> from_environment(const config::NlaConfig& nla) {
  const char* value = std::getenv(nla.password_env.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) {
    return make_error("nla.password_env", "",
                      "the environment variable " + nla.password_env +
                          " is not set, so there is no password for " +
                          account_name(nla.user, nla.domain) +
                          "; set it in the environment rdwarm runs in (a boot task or service "
                          "sees only machine-wide variables), or choose another "
                          "password_source");
  }
  if (*value == '\0') {
    return make_error("nla.password_env", "",
                      "the environment variable " + nla.password_env +
                          " is set but empty; it must hold the password of " +
                          account_name(nla.user, nla.domain));
  }
  std::string text(value);
  if (text.size() > kMaxPasswordBytes) {
    take_secret(text);
    return make_error("nla.password_env", "",
                      "the environment variable " + nla.password_env + " holds more than " +
                          std::to_string(kMaxPasswordBytes) + " bytes, which is no password");
  }
  auth::Credentials c;
  c.user = nla.user;
  c.domain = nla.domain;
  c.password = take_secret(text);
  c.source = "environment variable " + nla.password_env;
  return std::optional<auth::Credentials>(std::move(c));
}

Result<std::optional<auth::Credentials>> from_store(const config::NlaConfig& nla,
                                                    CredentialStore& store) {
  if (store.kind() != config::PasswordSource::Dpapi) {
    return make_error("nla.password_source", "",
                      "\"dpapi\" is available only in rdwarm.exe on Windows; here use \"file\" "
                      "or \"env\"");
  }
  auto loaded = store.load();
  if (!loaded) return loaded.error();
  if (!*loaded) {
    return make_error("nla.password_source", "",
                      "no password is stored in " + store.location() + " for " +
                          account_name(nla.user, nla.domain) + "; run " + set_command(nla) +
                          " from an elevated prompt on this machine");
  }
  const auto& stored = **loaded;
  if (!same_name(stored.user, nla.user) || !same_name(stored.domain, nla.domain)) {
    return make_error("nla.user", "",
                      store.location() + " holds the password of " +
                          account_name(stored.user, stored.domain) +
                          ", but the configuration names " + account_name(nla.user, nla.domain) +
                          " ([nla] user and domain); correct [nla], or run " + set_command(nla) +
                          " to store that account's password");
  }
  (*loaded)->user = nla.user;
  (*loaded)->domain = nla.domain;
  return loaded;
}

}  // namespace

std::string account_name(std::string_view user, std::string_view domain) {
  if (domain.empty()) return std::string(user);
  return std::string(domain) + "\\" + std::string(user);
}

std::string describe(const auth::Credentials& credentials) {
  return account_name(credentials.user, credentials.domain) + ", password from " +
         credentials.source;
}

Result<std::optional<auth::Credentials>> resolve_credentials(const config::NlaConfig& nla,
                                                             CredentialStore& store) {
  if (nla.user.empty()) return std::optional<auth::Credentials>();
  switch (config::effective_password_source(nla.password_source)) {
    case config::PasswordSource::File:
      return from_file(nla);
    case config::PasswordSource::Env:
      return from_environment(nla);
    case config::PasswordSource::Dpapi:
    case config::PasswordSource::Auto:
      break;
  }
  return from_store(nla, store);
}

}  // namespace rdwarm::credentials
