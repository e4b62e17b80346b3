// password_source = "file" on Windows (warmup/credentials/windows/): the DACL rule on security
// descriptors built by the real ConvertStringSecurityDescriptorToSecurityDescriptor, and the file
// itself read through read_private_file.
//
// Wine does not keep a file's DACL: GetSecurityInfo returns one derived from the Unix mode bits
// (0644 becomes an allow ACE "Everyone: read"), and SetNamedSecurityInfo changes only the mode. So
// under wine a file can be shown refused, but not accepted for its DACL; the acceptance of a file
// restricted to SYSTEM and Administrators runs on Windows only.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "config/default_paths.hpp"
#include "licensing/host/windows/win32_text.hpp"
#include "tests/support/ports.hpp"
#include "warmup/credentials/password_file.hpp"
#include "warmup/credentials/windows/file_acl.hpp"

// After windows.h.
#include <aclapi.h>
#include <sddl.h>

namespace rdwarm::test::windows {
namespace {

using host::windows::win32_error_text;

const std::string kPassword = "Tr0ub4dor&3-nla-test-Zq9";
const std::string kName = "C:\\ProgramData\\rdwarm\\nla-password";

bool under_wine() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// broad_access of the DACL that `sddl` describes.
std::optional<std::string> judge(const std::wstring& sddl) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd,
                                                            nullptr)) {
    ADD_FAILURE() << "bad SDDL: " << win32_error_text(GetLastError());
    return "bad SDDL";
  }
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
  auto problem = credentials::windows::broad_access(present ? dacl : nullptr, kName);
  LocalFree(sd);
  return problem;
}

std::string refused_for(const std::string& group) {
  return kName + " can be read or changed by " + group +
         " (its access control list allows it), so other accounts on this machine could read the "
         "NLA password; rdwarm refuses to use it. Run: icacls \"" +
         kName + "\" /inheritance:r /grant:r SYSTEM:F /grant:r Administrators:F";
}

TEST(CredentialsFileAcl, SystemAndAdministratorsOnlyPasses) {
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;FA;;;BA)"), std::nullopt);
  // A single account, or rights that read nothing, are the admin's business.
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;FA;;;S-1-5-21-1-2-3-1001)"), std::nullopt);
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;0x100000;;;WD)"), std::nullopt);  // SYNCHRONIZE
  // An inherit-only ACE is for files created inside, not for this one.
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;OICIIO;FR;;;BU)"), std::nullopt);
  EXPECT_EQ(judge(L"D:P"), std::nullopt);  // an empty DACL: nobody at all
}

TEST(CredentialsFileAcl, BroadGroupsThatCanReadOrChangeItAreRefused) {
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;WD)"), refused_for("Everyone"));
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;0x1200a9;;;BU)"), refused_for("Users"));
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;FW;;;AU)"), refused_for("Authenticated Users"));
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;GR;;;BG)"), refused_for("Guests"));
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;WD;;;IU)"), refused_for("INTERACTIVE"));  // WRITE_DAC
  EXPECT_EQ(judge(L"D:P(A;;FA;;;SY)(A;;GA;;;AN)"), refused_for("ANONYMOUS LOGON"));
  // What %ProgramData% gives a new file: inherited read for Users.
  EXPECT_EQ(judge(L"D:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)"), refused_for("Users"));
  // A deny before it is not weighed.
  EXPECT_EQ(judge(L"D:P(D;;FA;;;WD)(A;;FR;;;WD)"), refused_for("Everyone"));
  // A NULL DACL (SetSecurityDescriptorDacl with no ACL; wine's SDDL parser makes an empty DACL of
  // "D:NO_ACCESS_CONTROL", so it is built by hand).
  SECURITY_DESCRIPTOR sd{};
  ASSERT_TRUE(InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION));
  ASSERT_TRUE(SetSecurityDescriptorDacl(&sd, TRUE, nullptr, FALSE));
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL null_dacl = nullptr;
  ASSERT_TRUE(GetSecurityDescriptorDacl(&sd, &present, &null_dacl, &defaulted));
  ASSERT_TRUE(present);
  EXPECT_EQ(credentials::windows::broad_access(null_dacl, kName),
            kName +
                " has no access control list (a NULL DACL), so every account can read and change "
                "it; rdwarm refuses to use it. Run: icacls \"" +
                kName + "\" /inheritance:r /grant:r SYSTEM:F /grant:r Administrators:F");
}

class CredentialsPasswordFile : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(file_, std::ios::binary) << kPassword << "\r\n"; }
  void set_dacl(const std::wstring& sddl) {
    PSECURITY_DESCRIPTOR sd = nullptr;
    ASSERT_TRUE(ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                                     &sd, nullptr));
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PACL dacl = nullptr;
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    std::wstring name = file_.wstring();
    const DWORD status =
        SetNamedSecurityInfoW(name.data(), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              nullptr, nullptr, dacl, nullptr);
    LocalFree(sd);
    ASSERT_EQ(status, static_cast<DWORD>(ERROR_SUCCESS)) << win32_error_text(status);
  }
  rdwarm::testing::ScopedTempDir dir_{"rdwarm-cred-acl"};
  std::filesystem::path file_ = dir_.path() / "nla-password";
};

TEST_F(CredentialsPasswordFile, AFileEveryoneCanReadIsRefused) {
  set_dacl(L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;WD)");  // under wine: its mode gives the same
  const auto r = credentials::read_private_file(file_);
  ASSERT_FALSE(r.ok()) << "read although Everyone may read it";
  const std::string name = config::path_to_utf8(file_);
  EXPECT_EQ(r.error().message(),
            "nla.password_file: " + name +
                " can be read or changed by Everyone (its access control list allows it), so "
                "other accounts on this machine could read the NLA password; rdwarm refuses to "
                "use it. Run: icacls \"" +
                name + "\" /inheritance:r /grant:r SYSTEM:F /grant:r Administrators:F");
  EXPECT_EQ(r.error().message().find(kPassword), std::string::npos);
  // Missing: absent, not an error (the resolver says how to write it).
  const auto missing = credentials::read_private_file(dir_.path() / "none");
  ASSERT_TRUE(missing.ok()) << missing.error().message();
  EXPECT_FALSE(missing->has_value());
}

TEST_F(CredentialsPasswordFile, AFileForSystemAndAdministratorsIsRead) {
  if (under_wine()) {
    GTEST_SKIP() << "wine derives file DACLs from the Unix mode and ignores SetNamedSecurityInfo; "
                    "the rule is tested on descriptors (CredentialsFileAcl)";
  }
  set_dacl(L"D:P(A;;FA;;;SY)(A;;FA;;;BA)");
  credentials::PasswordFileStore store(file_);
  const auto loaded = store.load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->password.reveal(), kPassword);
}

TEST_F(CredentialsPasswordFile, SetDoesNotWriteFilesOnWindows) {
  credentials::PasswordFileStore store(dir_.path() / "other");
  const auto saved = store.save({"probe", "", auth::Secret(kPassword), ""});
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().message().find("stores the password with DPAPI"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "other"));
}

}  // namespace
}  // namespace rdwarm::test::windows
