// resolve_credentials: user and domain from [nla], the password from the file (refused when others
// can read or change it, with the command that fixes it), the environment, or the DPAPI store. No
// message ever holds the password.
#include "warmup/credentials/resolver.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/ports.hpp"
#include "tests/unit/config/config_test_support.hpp"
#include "tests/unit/credentials/credentials_test_support.hpp"
#include "warmup/credentials/password_file.hpp"

namespace rdwarm::credentials {
namespace {

using test::file_settings;
using test::kPassword;
using test::write_text;

// A DPAPI store in memory, to check the resolver's rules for the "dpapi" source on every platform
// (the real store is tested under wine: tests/windows/credentials_dpapi_test.cpp).
class MemoryDpapiStore final : public CredentialStore {
 public:
  [[nodiscard]] config::PasswordSource kind() const override {
    return config::PasswordSource::Dpapi;
  }
  [[nodiscard]] std::string location() const override { return "HKLM\\SOFTWARE\\rdwarm\\NLA"; }
  Result<std::optional<auth::Credentials>> load() override {
    if (!held) return std::optional<auth::Credentials>();
    auth::Credentials c = *held;
    c.source = "DPAPI " + location() + "\\Password";
    return std::optional<auth::Credentials>(std::move(c));
  }
  Status save(const auth::Credentials& c) override {
    held = c;
    return Ok{};
  }
  Result<bool> clear() override {
    const bool had = held.has_value();
    held.reset();
    return had;
  }
  std::optional<auth::Credentials> held;
};

std::string message_of(const config::NlaConfig& nla) {
  PasswordFileStore unused("/nonexistent");
  auto r = resolve_credentials(nla, unused);
  return r.ok() ? std::string("resolved") : r.error().message();
}

TEST(Resolver, NoUserMeansNoCredentials) {
  config::NlaConfig nla = config::default_config().nla;
  nla.password_source = config::PasswordSource::File;
  nla.password_file = "/nonexistent/nla-password";
  PasswordFileStore store(nla.password_file);
  const auto r = resolve_credentials(nla, store);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->has_value()) << "an empty user must not read any password";
}

TEST(Resolver, TheEnvironmentVariableGivesThePassword) {
  const config::test::ScopedEnv env("RDWARM_TEST_NLA_PW", std::string(kPassword));
  config::NlaConfig nla = config::default_config().nla;
  nla.user = "probe";
  nla.domain = ".";
  nla.password_source = config::PasswordSource::Env;
  nla.password_env = "RDWARM_TEST_NLA_PW";
  MemoryDpapiStore store;
  const auto r = resolve_credentials(nla, store);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->user, "probe");
  EXPECT_EQ((*r)->domain, ".");
  EXPECT_EQ((*r)->password.reveal(), kPassword);
  EXPECT_EQ((*r)->source, "environment variable RDWARM_TEST_NLA_PW");
  EXPECT_EQ(describe(**r), ".\\probe, password from environment variable RDWARM_TEST_NLA_PW");
  EXPECT_NO_PASSWORD(describe(**r));
}

TEST(Resolver, AMissingOrEmptyEnvironmentVariableIsRefused) {
  config::NlaConfig nla = config::default_config().nla;
  nla.user = "probe";
  nla.password_source = config::PasswordSource::Env;
  nla.password_env = "RDWARM_TEST_NLA_UNSET_7";
  EXPECT_EQ(message_of(nla),
            "nla.password_env: the environment variable RDWARM_TEST_NLA_UNSET_7 is not set, so "
            "there is no password for probe; set it in the environment rdwarm runs in (a boot "
            "task or service sees only machine-wide variables), or choose another "
            "password_source");
#ifndef _WIN32  // on Windows an empty value removes the variable
  const config::test::ScopedEnv empty("RDWARM_TEST_NLA_UNSET_7", "");
  EXPECT_EQ(message_of(nla),
            "nla.password_env: the environment variable RDWARM_TEST_NLA_UNSET_7 is set but empty; "
            "it must hold the password of probe");
#endif
}

TEST(Resolver, TheDpapiStoreMustHoldThisAccountsPassword) {
  config::NlaConfig nla = config::default_config().nla;
  nla.user = "rdwarm-probe";
  nla.domain = "CORP";
  nla.password_source = config::PasswordSource::Dpapi;
  MemoryDpapiStore store;
  auto r = resolve_credentials(nla, store);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "nla.password_source: no password is stored in HKLM\\SOFTWARE\\rdwarm\\NLA for "
            "CORP\\rdwarm-probe; run `rdwarm credentials set --user rdwarm-probe --domain CORP` "
            "from an elevated prompt on this machine");

  auth::Credentials other{"someone-else", "CORP", auth::Secret(std::string(kPassword)), ""};
  ASSERT_TRUE(store.save(other).ok());
  r = resolve_credentials(nla, store);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "nla.user: HKLM\\SOFTWARE\\rdwarm\\NLA holds the password of CORP\\someone-else, but "
            "the configuration names CORP\\rdwarm-probe ([nla] user and domain); correct [nla], or "
            "run `rdwarm credentials set --user rdwarm-probe --domain CORP` to store that "
            "account's password");
  EXPECT_NO_PASSWORD(r.error().message());

  // Windows compares account names without regard to case.
  ASSERT_TRUE(store.save({"RDWARM-Probe", "corp", auth::Secret(std::string(kPassword)), ""}).ok());
  r = resolve_credentials(nla, store);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->user, "rdwarm-probe");
  EXPECT_EQ((*r)->password.reveal(), kPassword);
  EXPECT_EQ((*r)->source, "DPAPI HKLM\\SOFTWARE\\rdwarm\\NLA\\Password");
}

TEST(Resolver, DpapiWithoutADpapiStoreSaysWhereItExists) {
  config::NlaConfig nla = config::default_config().nla;
  nla.user = "probe";
  nla.password_source = config::PasswordSource::Dpapi;
  EXPECT_EQ(message_of(nla),
            "nla.password_source: \"dpapi\" is available only in rdwarm.exe on Windows; here use "
            "\"file\" or \"env\"");
}

TEST(PasswordText, OneTrailingNewlineIsNotPartOfThePassword) {
  for (const auto& [text, expected] :
       {std::pair{"pw\n", "pw"}, std::pair{"pw\r\n", "pw"}, std::pair{"pw", "pw"},
        std::pair{"pw\n\n", "pw\n"}, std::pair{" p w \n", " p w "}}) {
    std::string t = text;
    auto r = password_from_text(t, "x", "the file f");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->reveal(), expected) << text;
    EXPECT_TRUE(t.empty()) << "the buffer is wiped";
  }
  for (const char* text : {"", "\n", "\r\n"}) {
    std::string t = text;
    auto r = password_from_text(t, "nla.password_file", "the file f");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(),
              "nla.password_file: the file f holds no password (it is empty, or only a newline)");
  }
  std::string nul("a\0b", 3);
  EXPECT_FALSE(password_from_text(nul, "x", "f").ok());
  std::string huge(kMaxPasswordBytes + 1, 'x');
  EXPECT_FALSE(password_from_text(huge, "x", "f").ok());
}

TEST(PasswordFile, AMissingFileSaysHowToWriteIt) {
  const testing::ScopedTempDir dir("rdwarm-cred");
  const auto file = dir.path() / "nla-password";
  EXPECT_EQ(message_of(file_settings(file)),
            "nla.password_file: " + config::path_to_utf8(file) +
                " does not exist, so there is no password for CORP\\rdwarm-probe; write it with "
                "`rdwarm credentials set --user rdwarm-probe --domain CORP` (it creates the file "
                "with mode 0600), or set password_file to where the password is");
}

#ifndef _WIN32

using test::write_with_mode;

TEST(PasswordFile, Mode0600IsAcceptedAndTheNewlineStripped) {
  const testing::ScopedTempDir dir("rdwarm-cred");
  const auto file = dir.path() / "nla-password";
  write_with_mode(file, std::string(kPassword) + "\n", 0600);
  PasswordFileStore store(file);
  const auto r = resolve_credentials(file_settings(file), store);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->user, "rdwarm-probe");
  EXPECT_EQ((*r)->domain, "CORP");
  EXPECT_EQ((*r)->password.reveal(), kPassword);
  EXPECT_EQ((*r)->source, "file " + file.string());
  // Read-only for its owner is as private.
  write_with_mode(file, std::string(kPassword), 0400);
  EXPECT_EQ(message_of(file_settings(file)), "resolved");
}

TEST(PasswordFile, Mode0644IsRefusedWithTheChmodToRun) {
  const testing::ScopedTempDir dir("rdwarm-cred");
  const auto file = dir.path() / "nla-password";
  write_with_mode(file, std::string(kPassword) + "\n", 0644);
  const std::string message = message_of(file_settings(file));
  EXPECT_EQ(message, "nla.password_file: " + file.string() +
                         " is readable by its group and readable by every other account (mode "
                         "0644), so other accounts on this machine could read or change the NLA "
                         "password; rdwarm refuses to use it. Run: chmod 600 " +
                         file.string());
  EXPECT_NO_PASSWORD(message);
}

TEST(PasswordFile, AnyGroupOrOtherAccessIsRefused) {
  const testing::ScopedTempDir dir("rdwarm-cred");
  const auto file = dir.path() / "nla-password";
  for (const auto& [mode, who] :
       {std::pair{0640, "is readable by its group (mode 0640)"},
        std::pair{0620, "is writable by its group (mode 0620)"},
        std::pair{0604, "is readable by every other account (mode 0604)"},
        std::pair{0602, "is writable by every other account (mode 0602)"},
        std::pair{0666,
                  "is readable and writable by its group and readable and writable by "
                  "every other account (mode 0666)"}}) {
    write_with_mode(file, std::string(kPassword), static_cast<mode_t>(mode));
    const std::string message = message_of(file_settings(file));
    EXPECT_NE(message.find(who), std::string::npos) << message;
    EXPECT_NE(message.find("Run: chmod 600 " + file.string()), std::string::npos) << message;
    EXPECT_NO_PASSWORD(message);
  }
  // A path a shell would split is quoted in the advice.
  const auto spaced = dir.path() / "nla password";
  write_with_mode(spaced, std::string(kPassword), 0644);
  const std::string message = message_of(file_settings(spaced));
  EXPECT_NE(message.find("Run: chmod 600 '" + spaced.string() + "'"), std::string::npos) << message;
}

TEST(PasswordFile, AFileOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another owner";
  const testing::ScopedTempDir dir("rdwarm-cred");
  const auto file = dir.path() / "nla-password";
  write_with_mode(file, std::string(kPassword), 0600);
  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);  // nobody
  const std::string message = message_of(file_settings(file));
  EXPECT_EQ(message, "nla.password_file: " + file.string() +
                         " is owned by nobody (uid 65534), not by root, the account rdwarm runs "
                         "as: its owner could replace the password. Run: chown root " +
                         file.string());
  EXPECT_NO_PASSWORD(message);
}

TEST(PasswordFile, EmptyFilesAndDirectoriesAreRefused) {
  const testing::ScopedTempDir dir("rdwarm-cred");
  const auto file = dir.path() / "nla-password";
  write_with_mode(file, "", 0600);
  EXPECT_EQ(message_of(file_settings(file)),
            "nla.password_file: the file " + file.string() +
                " holds no password (it is empty, or only a newline)");
  write_with_mode(file, "\n", 0600);
  EXPECT_EQ(message_of(file_settings(file)),
            "nla.password_file: the file " + file.string() +
                " holds no password (it is empty, or only a newline)");
  EXPECT_EQ(message_of(file_settings(dir.path())),
            "nla.password_file: " + dir.path().string() +
                " is not a regular file; it must be a file holding the password alone, written by "
                "`rdwarm credentials set`");
}

TEST(PasswordFile, TheStoreWritesMode0600AtomicallyWhateverTheUmask) {
  const testing::ScopedTempDir dir("rdwarm-cred");
  const auto file = dir.path() / "sub" / "nla-password";
  const mode_t old_umask = ::umask(0);  // the most permissive: the file must still be 0600
  PasswordFileStore store(file);
  const auto saved = store.save({"probe", "", auth::Secret(std::string(kPassword)), ""});
  ::umask(old_umask);
  ASSERT_TRUE(saved.ok()) << saved.error().message();
  EXPECT_EQ(test::mode_of(file), 0600U);
  // Replacing keeps it private and leaves no temporary file behind.
  write_with_mode(file, "old", 0644);
  ASSERT_TRUE(store.save({"probe", "", auth::Secret(std::string(kPassword)), ""}).ok());
  EXPECT_EQ(test::mode_of(file), 0600U);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(file.parent_path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1U);
  const auto back = store.load();
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->password.reveal(), kPassword);
  auto removed = store.clear();
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  removed = store.clear();
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(*removed);
}

#endif  // _WIN32

}  // namespace
}  // namespace rdwarm::credentials
