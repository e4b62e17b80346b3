// The NT hash and NTOWFv2 against FreeRDP's winpr-hash, the tool that writes the SAM files of
// freerdp-shadow-cli /sec:nla (and of the lab). The first test holds the value winpr-hash printed
// for `-u x -p y` when the reference notes were written; the others run winpr-hash itself when it
// is installed (Debian package winpr-utils) and skip otherwise (e.g. under wine).
#include <gtest/gtest.h>

#include <string>

#include "licensing/auth/ntlm/unicode.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/unit/ntlm/ntlm_test_support.hpp"

namespace rdwarm::auth::ntlm {
namespace {

using testing::to_hex;

// `winpr-hash -u x -p y` -> 53c1bf6deaede22fa6110ff189023576
TEST(WinprHash, RecordedValue) {
  EXPECT_EQ(to_hex(nt_hash("y")), "53c1bf6deaede22fa6110ff189023576");
}

std::string winpr_hash(const std::string& args) {
  auto r = rdwarm::testing::run_shell("winpr-hash " + args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) {
    r.output.pop_back();
  }
  return r.output;
}

bool winpr_hash_installed() {
#ifdef _WIN32
  return false;
#else
  return rdwarm::testing::run_shell("command -v winpr-hash").exit_code == 0;
#endif
}

TEST(WinprHash, NtHashMatchesTheTool) {
  if (!winpr_hash_installed()) GTEST_SKIP() << "winpr-hash is not installed (winpr-utils)";
  EXPECT_EQ(winpr_hash("-u x -p y"), to_hex(nt_hash("y")));
  EXPECT_EQ(winpr_hash("-u probe -p 'S3cret-Pa55'"), to_hex(nt_hash("S3cret-Pa55")));
  EXPECT_EQ(winpr_hash("-u probe -p 'Pässwörd €'"), to_hex(nt_hash("Pässwörd €")));
  // -v 2: NTOWFv2 of user and domain (MS-NLMP 4.2.4.1.1's inputs give its value).
  EXPECT_EQ(winpr_hash("-u User -d Domain -p Password -v 2"),
            to_hex(ntowfv2(nt_hash("Password"), to_utf16le("User"), to_utf16le("Domain"))));
  EXPECT_EQ(winpr_hash("-u probe -d LAB -p 'S3cret-Pa55' -v 2"),
            to_hex(ntowfv2(nt_hash("S3cret-Pa55"), to_utf16le("probe"), to_utf16le("LAB"))));
}

// A SAM line as the lab and freerdp-shadow-cli read it, "user:::nthash:::", configures the
// acceptor, and the client authenticates with the password.
TEST(WinprHash, SamLineConfiguresTheAcceptor) {
  if (!winpr_hash_installed()) GTEST_SKIP() << "winpr-hash is not installed (winpr-utils)";
  const std::string line = winpr_hash("-u probe -p 'S3cret-Pa55' -f sam");
  ASSERT_EQ(line.substr(0, 8), "probe:::") << line;
  const std::string hex = line.substr(8, 32);
  ASSERT_EQ(line.substr(40), ":::") << line;
  auto account = Account::with_nt_hash("probe", "", hex);
  ASSERT_TRUE(account.ok()) << account.error().message();

  Client client(testing::client_config());
  Acceptor acceptor(testing::acceptor_config(*account));
  auto done = acceptor.step(testing::first_two(client, acceptor).authenticate);
  ASSERT_TRUE(done.ok()) << done.error().message();
  auto wrapped = client.wrap(testing::utf16("hello"));
  ASSERT_TRUE(wrapped.ok());
  auto plain = acceptor.unwrap(*wrapped);
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ(*plain, testing::utf16("hello"));
}

}  // namespace
}  // namespace rdwarm::auth::ntlm
