// Windows: the password file is read only when its DACL passes windows::broad_access
// (file_acl.hpp), checked on the handle that is then read.
#include <aclapi.h>

#include <array>
#include <optional>
#include <string>

#include "config/default_paths.hpp"
#include "licensing/host/windows/win32.hpp"
#include "licensing/host/windows/win32_text.hpp"
#include "warmup/credentials/password_file.hpp"
#include "warmup/credentials/windows/file_acl.hpp"

namespace rdwarm::credentials {

namespace {

using host::windows::win32_error_text;

constexpr const char* kWhere = "nla.password_file";

class Handle {
 public:
  explicit Handle(HANDLE h) : h_(h) {}
  ~Handle() {
    if (h_ != INVALID_HANDLE_VALUE) CloseHandle(h_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&&) = delete;
  Handle& operator=(Handle&&) = delete;
  [[nodiscard]] HANDLE get() const { return h_; }

 private:
  HANDLE h_;
};

}  // namespace

Result<std::optional<auth::Secret>> read_private_file(const std::filesystem::path& file) {
  const std::string name = config::path_to_utf8(file);
  const Handle h(CreateFileW(file.wstring().c_str(), GENERIC_READ | READ_CONTROL, FILE_SHARE_READ,
                             nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (h.get() == INVALID_HANDLE_VALUE) {
    const DWORD e = GetLastError();
    if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) {
      return std::optional<auth::Secret>();
    }
    return make_error(kWhere, "", "cannot open " + name + ": " + win32_error_text(e));
  }
  if (GetFileType(h.get()) != FILE_TYPE_DISK) {
    return make_error(kWhere, "", name + " is not a file; it must hold the password alone");
  }
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  const DWORD status = GetSecurityInfo(h.get(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                       nullptr, &dacl, nullptr, &sd);
  if (status != ERROR_SUCCESS) {
    return make_error(
        kWhere, "",
        "cannot read the access control list of " + name + ": " + win32_error_text(status));
  }
  const auto problem = windows::broad_access(dacl, name);
  LocalFree(sd);
  if (problem) return make_error(kWhere, "", *problem);
  std::string text;
  std::array<char, 512> chunk{};
  while (text.size() <= kMaxPasswordBytes + 2) {
    DWORD got = 0;
    if (!ReadFile(h.get(), chunk.data(), static_cast<DWORD>(chunk.size()), &got, nullptr)) {
      const DWORD e = GetLastError();
      SecureZeroMemory(chunk.data(), chunk.size());
      take_secret(text);
      return make_error(kWhere, "", "cannot read " + name + ": " + win32_error_text(e));
    }
    if (got == 0) break;
    text.append(chunk.data(), got);
  }
  SecureZeroMemory(chunk.data(), chunk.size());
  return std::optional<auth::Secret>(take_secret(text));
}

Status write_private_file(const std::filesystem::path& file, const auth::Secret& /*contents*/) {
  return make_error(kWhere, "",
                    "on Windows `rdwarm credentials set` stores the password with DPAPI, not in " +
                        config::path_to_utf8(file) +
                        "; to use a file, write it yourself and restrict it to SYSTEM and "
                        "Administrators (docs/credentials.md)");
}

}  // namespace rdwarm::credentials
