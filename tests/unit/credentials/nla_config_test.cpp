// [nla] in rdwarm.toml: every key reaches its field, and every mistake gives one precise message
// with file, line, column and key, including a password written into the file (refused without
// repeating it) and "dpapi" where there is no DPAPI.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "config/default_paths.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"
#include "tests/unit/credentials/credentials_test_support.hpp"

namespace rdwarm::config {
namespace {

using credentials::test::kPassword;

std::string error_of(std::string_view text) {
  const auto config = load_config_text(text, "rdwarm.toml");
  return config.ok() ? std::string("loaded") : config.error().message();
}

const std::string kRefusal =
    "rdwarm.toml never holds the password (the file is copied into images, read by many and "
    "shown by configuration dumps); remove this line and store the password with `rdwarm "
    "credentials set` (DPAPI on Windows, a file only its owner can read elsewhere), or set [nla] "
    "password_source = \"file\" with password_file, or password_source = \"env\" with "
    "password_env (docs/credentials.md)";

TEST(NlaConfig, EveryKeyIsParsedIntoItsField) {
  const auto config = load_config_text(R"([nla]
user = "rdwarm-probe"
domain = "CORP"
password_source = "env"
password_file = "/srv/rdwarm/probe-password"
password_env = "PROBE_PASSWORD"
)",
                                       "x");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->nla.user, "rdwarm-probe");
  EXPECT_EQ(config->nla.domain, "CORP");
  EXPECT_EQ(config->nla.password_source, PasswordSource::Env);
  EXPECT_EQ(config->nla.password_file, std::filesystem::path("/srv/rdwarm/probe-password"));
  EXPECT_EQ(config->nla.password_env, "PROBE_PASSWORD");
  AgentConfig rest = *config;
  rest.nla = default_config().nla;
  EXPECT_EQ(rest, default_config()) << "an [nla] key changed another table";

  for (const auto& [text, source] :
       {std::pair{"file", PasswordSource::File}, std::pair{"auto", PasswordSource::Auto},
        std::pair{"env", PasswordSource::Env}}) {
    const auto c =
        load_config_text("[nla]\npassword_source = \"" + std::string(text) + "\"\n", "x");
    ASSERT_TRUE(c.ok()) << c.error().message();
    EXPECT_EQ(c->nla.password_source, source) << text;
  }
  const auto local = load_config_text("[nla]\nuser = \"probe\"\ndomain = \".\"\n", "x");
  ASSERT_TRUE(local.ok()) << local.error().message();
  EXPECT_EQ(local->nla.domain, ".");
  const auto upn = load_config_text("[nla]\nuser = \"probe@corp.example\"\n", "x");
  ASSERT_TRUE(upn.ok()) << upn.error().message();
  EXPECT_EQ(upn->nla.user, "probe@corp.example");
}

TEST(NlaConfig, DefaultsAreNoAccountAndThePlatformsStore) {
  const NlaConfig nla = default_config().nla;
  EXPECT_TRUE(nla.user.empty());
  EXPECT_TRUE(nla.domain.empty());
  EXPECT_EQ(nla.password_source, PasswordSource::Auto);
  EXPECT_EQ(nla.password_env, "RDWARM_NLA_PASSWORD");
  // Next to the default rdwarm.toml, and "" selects it.
  EXPECT_EQ(nla.password_file, default_password_file_path());
  EXPECT_EQ(default_password_file_path().parent_path(), default_config_path().parent_path());
  EXPECT_EQ(default_password_file_path().filename(), "nla-password");
  const auto empty = load_config_text("[nla]\npassword_file = \"\"\n", "x");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->nla.password_file, default_password_file_path());
#ifdef _WIN32
  EXPECT_EQ(effective_password_source(PasswordSource::Auto), PasswordSource::Dpapi);
#else
  EXPECT_EQ(default_password_file_path(), std::filesystem::path("/etc/rdwarm/nla-password"));
  EXPECT_EQ(effective_password_source(PasswordSource::Auto), PasswordSource::File);
#endif
}

TEST(NlaConfig, APasswordInTheFileIsRefusedWithWhereToPutIt) {
  const std::string pw(kPassword);
  EXPECT_EQ(error_of("[nla]\nuser = \"probe\"\npassword = \"" + pw + "\"\n"),
            "rdwarm.toml:3:1: nla.password: " + kRefusal);
  // Other spellings and other places: the same refusal, never the value.
  EXPECT_EQ(error_of("[nla]\nPassword = \"" + pw + "\"\n"),
            "rdwarm.toml:2:1: nla.Password: " + kRefusal);
  EXPECT_EQ(error_of("[nla]\npasswd = '" + pw + "'\n"), "rdwarm.toml:2:1: nla.passwd: " + kRefusal);
  EXPECT_EQ(error_of("password = \"" + pw + "\"\n"), "rdwarm.toml:1:1: password: " + kRefusal);
  EXPECT_EQ(error_of("[target]\npassword = \"" + pw + "\"\n"),
            "rdwarm.toml:2:1: target.password: " + kRefusal);
  for (const std::string& text :
       {"[nla]\npassword = \"" + pw + "\"\n", "[nla]\nsecret = \"" + pw + "\"\n",
        "[nla]\npwd = [\"" + pw + "\"]\n", "[nla]\nuser = \"probe\"\npassword = " + pw + "\n"}) {
    EXPECT_NO_PASSWORD(error_of(text));
  }
}

TEST(NlaConfig, AnUnknownSourceListsTheAcceptedOnes) {
  EXPECT_EQ(error_of("[nla]\nuser = \"probe\"\npassword_source = \"keyring\"\n"),
            "rdwarm.toml:3:19: nla.password_source: \"keyring\" is not accepted; expected one of "
            "\"auto\", \"dpapi\", \"file\", \"env\"");
  EXPECT_EQ(error_of("[nla]\npassword_source = 1\n"),
            "rdwarm.toml:2:19: nla.password_source: expected a string, one of \"auto\", "
            "\"dpapi\", \"file\", \"env\"; found an integer (1)");
}

TEST(NlaConfig, DpapiIsRefusedWhereThereIsNoDpapi) {
  const auto config =
      load_config_text("[nla]\nuser = \"probe\"\npassword_source = \"dpapi\"\n", "rdwarm.toml");
#ifdef _WIN32
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->nla.password_source, PasswordSource::Dpapi);
#else
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(),
            "rdwarm.toml:3:19: nla.password_source: \"dpapi\" is available only in rdwarm.exe on "
            "Windows (the password is protected with Windows' DPAPI); here use \"file\" (a file "
            "only its owner can read, written by `rdwarm credentials set`) or \"env\"");
#endif
}

TEST(NlaConfig, UnknownKeysAreErrors) {
  EXPECT_EQ(error_of("[nla]\nusr = \"probe\"\n"),
            "rdwarm.toml:2:1: nla.usr: unknown key; did you mean \"user\"?");
  EXPECT_EQ(error_of("[nla]\npassword_fiel = \"/x\"\n"),
            "rdwarm.toml:2:1: nla.password_fiel: unknown key; did you mean \"password_file\"?");
  EXPECT_EQ(error_of("[nla]\nkerberos = true\n"),
            "rdwarm.toml:2:1: nla.kerberos: unknown key; [nla] accepts \"user\", \"domain\", "
            "\"password_source\", \"password_file\", \"password_env\", \"tokens\"");
  EXPECT_EQ(error_of("[nla]\nport = 3389\n"),
            "rdwarm.toml:2:1: nla.port: unknown key; \"port\" belongs in [target]");
}

TEST(NlaConfig, AccountMistakesSayHowToWriteIt) {
  EXPECT_EQ(error_of("[nla]\nuser = 'CORP\\probe'\n"),
            "rdwarm.toml:2:8: nla.user: \"CORP\\probe\" is not accepted; write the domain in "
            "nla.domain and the user name alone, such as domain = \"CORP\" and user = "
            "\"rdwarm-probe\"");
  EXPECT_EQ(error_of("[nla]\nuser = \"pro:be\"\n"),
            "rdwarm.toml:2:8: nla.user: \"pro:be\" is not accepted; a Windows user name cannot "
            "contain any of \" / \\ [ ] : ; | = , + * ? < >");
  EXPECT_EQ(error_of("[nla]\nuser = \"probe\"\ndomain = \"CORP/X\"\n"),
            "rdwarm.toml:3:10: nla.domain: \"CORP/X\" is not accepted; expected \"\" (no "
            "domain), \".\" (an account of the session host itself) or a domain name such as "
            "\"CORP\" or \"corp.example\"");
  EXPECT_EQ(error_of("[nla]\ndomain = \"CORP\"\n"),
            "rdwarm.toml:2:10: nla.domain: \"CORP\" is set but nla.user is empty; set user to the "
            "account the probe authenticates with, or remove domain");
  EXPECT_EQ(error_of("[nla]\nuser = \"probe@corp.example\"\ndomain = \"CORP\"\n"),
            "rdwarm.toml:3:10: nla.domain: \"probe@corp.example\" is a user principal name, "
            "which names its domain itself; leave domain empty, or write the user name "
            "without @");
  EXPECT_EQ(error_of("[nla]\npassword_env = \"RDWARM-PW\"\n"),
            "rdwarm.toml:2:16: nla.password_env: \"RDWARM-PW\" is not accepted; expected an "
            "environment variable name (letters, digits and _), such as "
            "\"RDWARM_NLA_PASSWORD\"");
  EXPECT_EQ(error_of("[nla]\nuser = 42\n"),
            "rdwarm.toml:2:8: nla.user: expected a string, the account name (\"\" for no NLA "
            "credentials); found an integer (42)");
}

TEST(NlaConfig, CommandLineValuesGetTheSameChecks) {
  NlaConfig nla = default_config().nla;
  nla.user = "probe";
  EXPECT_TRUE(check_nla(nla).ok());
  nla.user = "CORP\\probe";
  const auto bad = check_nla(nla);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where, "nla.user");
  EXPECT_EQ(bad.error().what.rfind("\"CORP\\probe\" is not accepted; write the domain", 0), 0U)
      << bad.error().what;
}

TEST(NlaConfig, DumpsNameWhereThePasswordIsNeverThePassword) {
  AgentConfig c = default_config();
  c.nla.user = "probe";
  c.nla.password_source = PasswordSource::Env;
  const auto json = to_json(c);
  std::set<std::string> keys;
  for (const auto& [key, value] : json["nla"].items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"user", "domain", "password_source", "password_file",
                                         "password_env", "tokens"}));
  EXPECT_EQ(json["nla"]["password_source"], "env");
  const std::string toml = to_toml(c, "nla");
  EXPECT_EQ(toml.rfind("[nla]\nuser = \"probe\"\ndomain = \"\"\npassword_source = \"env\"\n", 0),
            0U)
      << toml;
  const auto back = load_config_text(to_toml(c), "to_toml");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->nla, c.nla);
}

}  // namespace
}  // namespace rdwarm::config
