// The NLA password's DPAPI store (warmup/credentials/windows) against the real CryptProtectData /
// CryptUnprotectData and the real registry, and `rdwarm.exe credentials set --password-stdin`
// end to end, under wine (natively on Windows only on request, like the other registry tests).
// A value protected with other entropy, or changed, is refused with a clear error. The key and
// value names are written out here, so a typo in dpapi_store.hpp fails a test.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "config/default_paths.hpp"
#include "licensing/host/windows/win32_text.hpp"
#include "tests/support/ports.hpp"
#include "tests/windows/registry_sandbox.hpp"
#include "tests/windows/windows_fixture.hpp"
#include "warmup/credentials/password_file.hpp"
#include "warmup/credentials/resolver.hpp"
#include "warmup/credentials/windows/dpapi_store.hpp"

// After windows.h.
#include <sddl.h>
#include <wincrypt.h>

namespace rdwarm::test::windows {
namespace {

using host::windows::narrow;
using host::windows::widen;
using host::windows::win32_error_text;

const std::string kNlaKey = "SOFTWARE\\rdwarm\\NLA";
const std::string kPassword = "Tr0ub4dor&3-nla-test-Zq9";

#define EXPECT_NO_PASSWORD(text) \
  EXPECT_EQ(std::string(text).find(kPassword), std::string::npos) << "password in: " << (text)

std::vector<std::uint8_t> protect(const std::string& plain, const std::string& entropy,
                                  DWORD flags) {
  DATA_BLOB in{static_cast<DWORD>(plain.size()),
               reinterpret_cast<BYTE*>(const_cast<char*>(plain.data()))};
  DATA_BLOB ent{static_cast<DWORD>(entropy.size()),
                reinterpret_cast<BYTE*>(const_cast<char*>(entropy.data()))};
  DATA_BLOB out{0, nullptr};
  if (!CryptProtectData(&in, L"test", entropy.empty() ? nullptr : &ent, nullptr, nullptr,
                        flags | CRYPTPROTECT_UI_FORBIDDEN, &out)) {
    ADD_FAILURE() << "CryptProtectData: " << win32_error_text(GetLastError());
    return {};
  }
  std::vector<std::uint8_t> blob(out.pbData, out.pbData + out.cbData);
  LocalFree(out.pbData);
  return blob;
}

// The key's DACL as SDDL, e.g. "D:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)".
std::string key_dacl(const std::string& key) {
  HKEY h = nullptr;
  if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, widen(key).c_str(), 0, READ_CONTROL | KEY_WOW64_64KEY,
                    &h) != ERROR_SUCCESS) {
    return "cannot open";
  }
  DWORD size = 0;
  RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, nullptr, &size);
  std::vector<BYTE> sd(size);
  std::string out = "cannot read";
  if (RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, sd.data(), &size) == ERROR_SUCCESS) {
    LPWSTR text = nullptr;
    if (ConvertSecurityDescriptorToStringSecurityDescriptorW(
            sd.data(), SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
      out = narrow(text);
      LocalFree(text);
    }
  }
  RegCloseKey(h);
  return out;
}

std::vector<std::uint8_t> read_raw(const std::string& key, const std::string& value, DWORD& type) {
  DWORD size = 0;
  type = REG_NONE;
  if (RegGetValueW(HKEY_LOCAL_MACHINE, widen(key).c_str(), widen(value).c_str(),
                   RRF_RT_ANY | RRF_NOEXPAND | RRF_SUBKEY_WOW6464KEY, &type, nullptr,
                   &size) != ERROR_SUCCESS) {
    return {};
  }
  std::vector<std::uint8_t> data(size);
  RegGetValueW(HKEY_LOCAL_MACHINE, widen(key).c_str(), widen(value).c_str(),
               RRF_RT_ANY | RRF_NOEXPAND | RRF_SUBKEY_WOW6464KEY, &type, data.data(), &size);
  data.resize(size);
  return data;
}

// A command line run with `input` on its standard input; its exit code and everything it printed.
CommandResult run_with_input(const std::string& command_line, const std::string& input) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE out_read = nullptr;
  HANDLE out_write = nullptr;
  HANDLE in_read = nullptr;
  HANDLE in_write = nullptr;
  CommandResult result;
  if (!CreatePipe(&out_read, &out_write, &inherit, 0) ||
      !CreatePipe(&in_read, &in_write, &inherit, 0)) {
    ADD_FAILURE() << "CreatePipe: " << win32_error_text(GetLastError());
    return result;
  }
  SetHandleInformation(out_read, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(in_write, HANDLE_FLAG_INHERIT, 0);
  DWORD written = 0;
  WriteFile(in_write, input.data(), static_cast<DWORD>(input.size()), &written, nullptr);
  CloseHandle(in_write);  // the end of standard input
  STARTUPINFOW si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdOutput = out_write;
  si.hStdError = out_write;
  si.hStdInput = in_read;
  PROCESS_INFORMATION pi{};
  auto cmd = widen(command_line);
  const BOOL started = CreateProcessW(nullptr, cmd.data(), nullptr, nullptr, TRUE, CREATE_NO_WINDOW,
                                      nullptr, nullptr, &si, &pi);
  CloseHandle(out_write);
  CloseHandle(in_read);
  if (!started) {
    CloseHandle(out_read);
    ADD_FAILURE() << "CreateProcess " << command_line << ": " << win32_error_text(GetLastError());
    return result;
  }
  const auto deadline = GetTickCount64() + 30'000;
  bool exited = false;
  while (true) {
    DWORD available = 0;
    if (PeekNamedPipe(out_read, nullptr, 0, nullptr, &available, nullptr) && available > 0) {
      char buffer[4096];
      DWORD n = 0;
      if (ReadFile(out_read, buffer, std::min<DWORD>(available, sizeof buffer), &n, nullptr)) {
        result.output.append(buffer, n);
      }
      continue;
    }
    if (exited) break;
    exited = WaitForSingleObject(pi.hProcess, 10) == WAIT_OBJECT_0;
    if (!exited && GetTickCount64() > deadline) {
      TerminateProcess(pi.hProcess, 1);
      WaitForSingleObject(pi.hProcess, 5'000);
      ADD_FAILURE() << command_line << " did not end within 30 s";
      break;
    }
  }
  CloseHandle(out_read);
  GetExitCodeProcess(pi.hProcess, &result.exit_code);
  CloseHandle(pi.hProcess);
  CloseHandle(pi.hThread);
  return result;
}

std::string rdwarm_exe() {
#ifdef RDWARM_BINARY
  std::string path = RDWARM_BINARY;
  for (auto& c : path) {
    if (c == '/') c = '\\';
  }
  if (path.starts_with("\\")) path = "Z:" + path;
  return path;
#else
  return {};
#endif
}

config::NlaConfig dpapi_settings(const std::string& user, const std::string& domain) {
  config::NlaConfig nla = config::default_config().nla;
  nla.user = user;
  nla.domain = domain;
  nla.password_source = config::PasswordSource::Dpapi;
  return nla;
}

class CredentialsDpapi : public ::testing::Test {
 protected:
  void SetUp() override {
    RDWARM_SKIP_UNLESS_REGISTRY_IS_DISPOSABLE();
    reg_.remove_key(kNlaKey);  // restored afterwards when it existed
  }
  void TearDown() override {
    // A key the test created is not the sandbox's: delete it here.
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, widen(kNlaKey).c_str());
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, widen(kNlaKey).c_str(), KEY_WOW64_64KEY, 0);
  }

  Result<std::optional<auth::Credentials>> resolve(const config::NlaConfig& nla) {
    return credentials::resolve_credentials(nla, store_);
  }

  RegistrySandbox reg_;
  credentials::windows::DpapiStore store_;
};

TEST_F(CredentialsDpapi, RoundTripThroughTheRegistryAndDpapi) {
  ASSERT_TRUE(store_.save({"rdwarm-probe", "CORP", auth::Secret(kPassword), ""}).ok());

  DWORD type = 0;
  auto user = read_raw(kNlaKey, "User", type);
  EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
  EXPECT_EQ(user.size(), (std::string("rdwarm-probe").size() + 1) * 2);
  read_raw(kNlaKey, "Domain", type);
  EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
  const auto blob = read_raw(kNlaKey, "Password", type);
  EXPECT_EQ(type, static_cast<DWORD>(REG_BINARY));
  ASSERT_GT(blob.size(), kPassword.size());
  const std::string stored(blob.begin(), blob.end());
  EXPECT_EQ(stored.find(kPassword), std::string::npos) << "the password is stored in clear";

  // The value is a machine-scope DPAPI blob with rdwarm's entropy: CryptUnprotectData itself
  // gives the password back with it, and refuses without it.
  std::vector<BYTE> copy(blob.begin(), blob.end());
  DATA_BLOB in{static_cast<DWORD>(copy.size()), copy.data()};
  const std::string entropy = "rdwarm NLA password v1";
  DATA_BLOB ent{static_cast<DWORD>(entropy.size()),
                reinterpret_cast<BYTE*>(const_cast<char*>(entropy.data()))};
  DATA_BLOB out{0, nullptr};
  ASSERT_TRUE(
      CryptUnprotectData(&in, nullptr, &ent, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &out))
      << win32_error_text(GetLastError());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out.pbData), out.cbData), kPassword);
  LocalFree(out.pbData);
  EXPECT_FALSE(
      CryptUnprotectData(&in, nullptr, nullptr, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &out))
      << "decrypted without the entropy";

  const auto r = resolve(dpapi_settings("rdwarm-probe", "CORP"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->password.reveal(), kPassword);
  EXPECT_EQ((*r)->source, "DPAPI HKLM\\SOFTWARE\\rdwarm\\NLA\\Password");
  EXPECT_EQ(credentials::describe(**r),
            "CORP\\rdwarm-probe, password from DPAPI HKLM\\SOFTWARE\\rdwarm\\NLA\\Password");
}

TEST_F(CredentialsDpapi, TheKeyIsForSystemAndAdministratorsOnly) {
  ASSERT_TRUE(store_.save({"probe", ".", auth::Secret(kPassword), ""}).ok());
  EXPECT_EQ(key_dacl(kNlaKey), "D:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)");
  // A key made earlier with the inherited DACL gets the restricted one on the next set.
  ASSERT_TRUE(store_.clear().ok());
  reg_.set_string(kNlaKey, "User", "x");
  EXPECT_NE(key_dacl(kNlaKey), "D:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)");
  ASSERT_TRUE(store_.save({"probe", ".", auth::Secret(kPassword), ""}).ok());
  EXPECT_EQ(key_dacl(kNlaKey), "D:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)");
}

TEST_F(CredentialsDpapi, OtherEntropyIsRefused) {
  reg_.set_string(kNlaKey, "User", "probe");
  reg_.set_string(kNlaKey, "Domain", "");
  reg_.set_binary(kNlaKey, "Password",
                  protect(kPassword, "some other program", CRYPTPROTECT_LOCAL_MACHINE));
  const auto r = resolve(dpapi_settings("probe", ""));
  ASSERT_FALSE(r.ok());
  const std::string m = r.error().message();
  EXPECT_EQ(m.rfind("nla.password_source: HKLM\\SOFTWARE\\rdwarm\\NLA\\Password cannot be "
                    "decrypted: ",
                    0),
            0U)
      << m;
  EXPECT_NE(m.find(". It was not written by `rdwarm credentials set` on this machine (it comes "
                   "from another machine or program, or was changed); run `rdwarm credentials "
                   "set` again on this machine"),
            std::string::npos)
      << m;
  EXPECT_NO_PASSWORD(m);
  // No entropy at all is other entropy too.
  reg_.set_binary(kNlaKey, "Password", protect(kPassword, "", CRYPTPROTECT_LOCAL_MACHINE));
  EXPECT_FALSE(resolve(dpapi_settings("probe", "")).ok());
}

// Windows' DPAPI blob carries an HMAC over everything after its header, so any changed byte is
// refused. Wine's carries a hash of the plaintext only: a change in its header (the description,
// fixed fields) goes unnoticed there, one in the salt, the cipher text or the hash does not. The
// bytes changed here are at the end, which both cover: the hash (wine) or HMAC (Windows), and the
// last byte of wine's cipher text (inside Windows' HMAC). A blob cut short is refused by both.
TEST_F(CredentialsDpapi, AChangedValueIsRefused) {
  ASSERT_TRUE(store_.save({"probe", "", auth::Secret(kPassword), ""}).ok());
  DWORD type = 0;
  auto blob = read_raw(kNlaKey, "Password", type);
  ASSERT_GT(blob.size(), 40U);
  auto cut = blob;
  cut.pop_back();
  std::vector<std::vector<std::uint8_t>> changed_blobs{cut};
  for (const std::size_t from_end : {1U, 8U, 21U}) {
    auto changed = blob;
    changed[blob.size() - from_end] ^= 0x01;
    changed_blobs.push_back(changed);
  }
  for (const auto& changed : changed_blobs) {
    reg_.set_binary(kNlaKey, "Password", changed);
    const auto r = resolve(dpapi_settings("probe", ""));
    ASSERT_FALSE(r.ok()) << "a changed blob of " << changed.size() << " bytes was accepted";
    EXPECT_NE(r.error().message().find("cannot be decrypted"), std::string::npos)
        << r.error().message();
    EXPECT_NO_PASSWORD(r.error().message());
  }
  reg_.set_binary(kNlaKey, "Password", {});
  auto r = resolve(dpapi_settings("probe", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "nla.password_source: HKLM\\SOFTWARE\\rdwarm\\NLA\\Password holds 0 bytes, which is "
            "no DPAPI value; run `rdwarm credentials set` again");
  reg_.set_string(kNlaKey, "Password", kPassword);  // someone "simplified" it
  r = resolve(dpapi_settings("probe", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "nla.password_source: HKLM\\SOFTWARE\\rdwarm\\NLA\\Password is REG_SZ, not the "
            "REG_BINARY DPAPI value rdwarm writes; run `rdwarm credentials set` again");
}

TEST_F(CredentialsDpapi, NothingStoredAndClear) {
  auto r = resolve(dpapi_settings("probe", "."));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "nla.password_source: no password is stored in HKLM\\SOFTWARE\\rdwarm\\NLA for "
            ".\\probe; run `rdwarm credentials set --user probe --domain .` from an elevated "
            "prompt on this machine");
  auto cleared = store_.clear();
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(*cleared);
  ASSERT_TRUE(store_.save({"probe", ".", auth::Secret(kPassword), ""}).ok());
  cleared = store_.clear();
  ASSERT_TRUE(cleared.ok());
  EXPECT_TRUE(*cleared);
  EXPECT_FALSE(key_exists(kNlaKey));
}

// rdwarm.exe credentials set --password-stdin, then the resolver reads what it stored; show and
// clear through rdwarm.exe too. No output holds the password.
TEST_F(CredentialsDpapi, CredentialsSetShowClearThroughRdwarmExe) {
  ASSERT_FALSE(rdwarm_exe().empty()) << "RDWARM_BINARY is not defined";
  const rdwarm::testing::ScopedTempDir dir("rdwarm-cred-wine");
  const auto config_file = dir.path() / "rdwarm.toml";
  std::ofstream(config_file) << "[nla]\nuser = \"rdwarm-probe\"\ndomain = \".\"\n";
  const std::string config = "\"" + config::path_to_utf8(config_file) + "\"";

  auto r = run_with_input("\"" + rdwarm_exe() +
                              "\" credentials set --user rdwarm-probe --domain . "
                              "--password-stdin --config " +
                              config,
                          kPassword + "\r\n");
  EXPECT_EQ(r.exit_code, 0U) << r.output;
  EXPECT_NO_PASSWORD(r.output);
  EXPECT_NE(r.output.find("Stored the NLA password of .\\rdwarm-probe in "
                          "HKLM\\SOFTWARE\\rdwarm\\NLA (DPAPI, machine scope; the key is "
                          "readable by SYSTEM and Administrators only)."),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("password_source = \"dpapi\""), std::string::npos) << r.output;

  const auto resolved = resolve(dpapi_settings("rdwarm-probe", "."));
  ASSERT_TRUE(resolved.ok()) << resolved.error().message();
  ASSERT_TRUE(resolved->has_value());
  EXPECT_EQ((*resolved)->password.reveal(), kPassword) << "the CRLF was not stripped, or worse";

  r = run_with_input("\"" + rdwarm_exe() + "\" credentials show --config " + config, "");
  EXPECT_EQ(r.exit_code, 0U) << r.output;
  EXPECT_NE(r.output.find("password         present (<redacted>)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("password from    DPAPI HKLM\\SOFTWARE\\rdwarm\\NLA"), std::string::npos)
      << r.output;
  EXPECT_NO_PASSWORD(r.output);

  // Without --password-stdin, standard input that is no console is refused.
  r = run_with_input("\"" + rdwarm_exe() + "\" credentials set --user x --config " + config,
                     kPassword + "\n");
  EXPECT_EQ(r.exit_code, 2U) << r.output;
  EXPECT_NE(r.output.find("standard input is not a terminal"), std::string::npos) << r.output;
  EXPECT_NO_PASSWORD(r.output);

  r = run_with_input("\"" + rdwarm_exe() + "\" credentials clear --config " + config, "");
  EXPECT_EQ(r.exit_code, 0U) << r.output;
  EXPECT_NE(r.output.find("Removed the stored NLA password: HKLM\\SOFTWARE\\rdwarm\\NLA."),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(key_exists(kNlaKey));
  r = run_with_input("\"" + rdwarm_exe() + "\" credentials show --config " + config, "");
  EXPECT_EQ(r.exit_code, 2U) << r.output;
  EXPECT_NE(r.output.find("no password is stored in HKLM\\SOFTWARE\\rdwarm\\NLA"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace rdwarm::test::windows
