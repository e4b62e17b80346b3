#include "warmup/credentials/windows/dpapi_store.hpp"

#include <cstring>
#include <string>

#include "licensing/host/windows/registry.hpp"
#include "licensing/host/windows/win32.hpp"
#include "licensing/host/windows/win32_text.hpp"

// After windows.h: DPAPI and security descriptors.
#include <sddl.h>
#include <wincrypt.h>

namespace rdwarm::credentials::windows {

namespace {

using host::windows::narrow;
using host::windows::RegistryKey;
using host::windows::widen;
using host::windows::win32_error_text;

constexpr const char* kWhere = "nla.password_source";
constexpr const wchar_t* kDescription = L"rdwarm NLA password";

std::string key_name() {
  return "HKLM\\" + std::string(kNlaKey);
}

std::string value_name(std::string_view value) {
  return key_name() + "\\" + std::string(value);
}

// What an access-denied error means here.
std::string access_advice(LSTATUS status) {
  if (status == ERROR_ACCESS_DENIED) {
    return "; only SYSTEM and Administrators may use it: run from an elevated prompt (the boot "
           "task and the service run as SYSTEM)";
  }
  return "";
}

DATA_BLOB entropy_blob() {
  // The API takes a non-const pointer but does not write through it.
  return DATA_BLOB{static_cast<DWORD>(kEntropy.size()),
                   reinterpret_cast<BYTE*>(const_cast<char*>(kEntropy.data()))};
}

Result<std::optional<std::string>> read_string(HKEY key, std::string_view value) {
  const std::wstring name = widen(value);
  DWORD type = 0;
  DWORD size = 0;
  LSTATUS s = RegQueryValueExW(key, name.c_str(), nullptr, &type, nullptr, &size);
  if (s == ERROR_FILE_NOT_FOUND) return std::optional<std::string>();
  if (s == ERROR_SUCCESS && type != REG_SZ) {
    return make_error(kWhere, "",
                      value_name(value) + " is " + host::windows::registry_type_name(type) +
                          ", not REG_SZ; run `rdwarm credentials set` again");
  }
  std::wstring text(size / sizeof(wchar_t) + 1, L'\0');
  DWORD got = static_cast<DWORD>(text.size() * sizeof(wchar_t));
  if (s == ERROR_SUCCESS) {
    s = RegQueryValueExW(key, name.c_str(), nullptr, &type, reinterpret_cast<BYTE*>(text.data()),
                         &got);
  }
  if (s != ERROR_SUCCESS) {
    return make_error(kWhere, "",
                      "cannot read " + value_name(value) + ": " +
                          win32_error_text(static_cast<DWORD>(s)) + access_advice(s));
  }
  text.resize(got / sizeof(wchar_t));
  if (const auto nul = text.find(L'\0'); nul != std::wstring::npos) text.resize(nul);
  return std::optional<std::string>(narrow(text));
}

Result<std::optional<std::vector<std::uint8_t>>> read_binary(HKEY key, std::string_view value) {
  const std::wstring name = widen(value);
  DWORD type = 0;
  DWORD size = 0;
  LSTATUS s = RegQueryValueExW(key, name.c_str(), nullptr, &type, nullptr, &size);
  if (s == ERROR_FILE_NOT_FOUND) return std::optional<std::vector<std::uint8_t>>();
  if (s == ERROR_SUCCESS && type != REG_BINARY) {
    return make_error(kWhere, "",
                      value_name(value) + " is " + host::windows::registry_type_name(type) +
                          ", not the REG_BINARY DPAPI value rdwarm writes; run `rdwarm "
                          "credentials set` again");
  }
  std::vector<std::uint8_t> data(size);
  if (s == ERROR_SUCCESS && size > 0) {
    s = RegQueryValueExW(key, name.c_str(), nullptr, &type, data.data(), &size);
    data.resize(size);
  }
  if (s != ERROR_SUCCESS) {
    return make_error(kWhere, "",
                      "cannot read " + value_name(value) + ": " +
                          win32_error_text(static_cast<DWORD>(s)) + access_advice(s));
  }
  return std::optional<std::vector<std::uint8_t>>(std::move(data));
}

LSTATUS write_string(HKEY key, std::string_view value, const std::string& text) {
  const std::wstring name = widen(value);
  const std::wstring data = widen(text);
  return RegSetValueExW(key, name.c_str(), 0, REG_SZ, reinterpret_cast<const BYTE*>(data.c_str()),
                        static_cast<DWORD>((data.size() + 1) * sizeof(wchar_t)));
}

class SecurityDescriptor {
 public:
  SecurityDescriptor() {
    ConvertStringSecurityDescriptorToSecurityDescriptorW(kNlaKeySddl.data(), SDDL_REVISION_1, &sd_,
                                                         nullptr);
  }
  ~SecurityDescriptor() {
    if (sd_ != nullptr) LocalFree(sd_);
  }
  SecurityDescriptor(const SecurityDescriptor&) = delete;
  SecurityDescriptor& operator=(const SecurityDescriptor&) = delete;
  SecurityDescriptor(SecurityDescriptor&&) = delete;
  SecurityDescriptor& operator=(SecurityDescriptor&&) = delete;
  [[nodiscard]] PSECURITY_DESCRIPTOR get() const { return sd_; }

 private:
  PSECURITY_DESCRIPTOR sd_ = nullptr;
};

}  // namespace

Result<std::vector<std::uint8_t>> protect_password(const auth::Secret& password) {
  const std::string_view text = password.reveal();
  DATA_BLOB in{static_cast<DWORD>(text.size()),
               reinterpret_cast<BYTE*>(const_cast<char*>(text.data()))};
  DATA_BLOB entropy = entropy_blob();
  DATA_BLOB out{0, nullptr};
  if (!CryptProtectData(&in, kDescription, &entropy, nullptr, nullptr,
                        CRYPTPROTECT_LOCAL_MACHINE | CRYPTPROTECT_UI_FORBIDDEN, &out)) {
    return make_error(kWhere, "",
                      "CryptProtectData failed: " + win32_error_text(GetLastError()) +
                          "; the password was not stored");
  }
  std::vector<std::uint8_t> blob(out.pbData, out.pbData + out.cbData);
  LocalFree(out.pbData);
  return blob;
}

Result<auth::Secret> unprotect_password(std::span<const std::uint8_t> blob) {
  const std::string where = value_name(kPasswordValue);
  if (blob.empty() || blob.size() > 0xFFFF) {
    return make_error(kWhere, "",
                      where + " holds " + std::to_string(blob.size()) +
                          " bytes, which is no DPAPI value; run `rdwarm credentials set` again");
  }
  std::vector<BYTE> copy(blob.begin(), blob.end());
  DATA_BLOB in{static_cast<DWORD>(copy.size()), copy.data()};
  DATA_BLOB entropy = entropy_blob();
  DATA_BLOB out{0, nullptr};
  if (!CryptUnprotectData(&in, nullptr, &entropy, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN,
                          &out)) {
    return make_error(kWhere, "",
                      where + " cannot be decrypted: " + win32_error_text(GetLastError()) +
                          ". It was not written by `rdwarm credentials set` on this machine (it "
                          "comes from another machine or program, or was changed); run `rdwarm "
                          "credentials set` again on this machine");
  }
  std::string text(reinterpret_cast<const char*>(out.pbData), out.cbData);
  SecureZeroMemory(out.pbData, out.cbData);
  LocalFree(out.pbData);
  auth::Secret secret(text);
  SecureZeroMemory(text.data(), text.size());
  if (secret.empty()) {
    return make_error(kWhere, "",
                      where +
                          " decrypts to an empty password; run `rdwarm credentials set` "
                          "again");
  }
  return secret;
}

std::string DpapiStore::location() const {
  return key_name();
}

Result<std::optional<auth::Credentials>> DpapiStore::load() {
  auto opened = host::windows::open_hklm(kNlaKey, KEY_QUERY_VALUE);
  if (opened.status == ERROR_FILE_NOT_FOUND) return std::optional<auth::Credentials>();
  if (opened.status != ERROR_SUCCESS) {
    return make_error(kWhere, "",
                      "cannot open " + key_name() + ": " +
                          win32_error_text(static_cast<DWORD>(opened.status)) +
                          access_advice(opened.status));
  }
  auto blob = read_binary(opened.key.get(), kPasswordValue);
  if (!blob) return blob.error();
  if (!*blob) return std::optional<auth::Credentials>();
  auto user = read_string(opened.key.get(), kUserValue);
  if (!user) return user.error();
  auto domain = read_string(opened.key.get(), kDomainValue);
  if (!domain) return domain.error();
  auto password = unprotect_password(**blob);
  if (!password) return password.error();
  auth::Credentials c;
  c.user = user->value_or("");
  c.domain = domain->value_or("");
  c.password = std::move(password).value();
  c.source = "DPAPI " + value_name(kPasswordValue);
  return std::optional<auth::Credentials>(std::move(c));
}

Status DpapiStore::save(const auth::Credentials& credentials) {
  auto blob = protect_password(credentials.password);
  if (!blob) return blob.error();
  const SecurityDescriptor sd;
  if (sd.get() == nullptr) {
    return make_error(
        kWhere, "",
        "cannot build the key's security descriptor: " + win32_error_text(GetLastError()));
  }
  SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), sd.get(), FALSE};
  HKEY raw = nullptr;
  LSTATUS s = RegCreateKeyExW(HKEY_LOCAL_MACHINE, widen(kNlaKey).c_str(), 0, nullptr, 0,
                              KEY_SET_VALUE | WRITE_DAC | KEY_WOW64_64KEY, &sa, &raw, nullptr);
  if (s != ERROR_SUCCESS) {
    return make_error(kWhere, "",
                      "cannot create " + key_name() + ": " +
                          win32_error_text(static_cast<DWORD>(s)) + access_advice(s));
  }
  const RegistryKey key(raw);
  // A key that existed before keeps its DACL through RegCreateKeyEx: set it again.
  s = RegSetKeySecurity(key.get(), DACL_SECURITY_INFORMATION, sd.get());
  if (s != ERROR_SUCCESS) {
    return make_error(kWhere, "",
                      "cannot restrict " + key_name() + " to SYSTEM and Administrators: " +
                          win32_error_text(static_cast<DWORD>(s)) +
                          "; the password was not stored");
  }
  if ((s = write_string(key.get(), kUserValue, credentials.user)) != ERROR_SUCCESS ||
      (s = write_string(key.get(), kDomainValue, credentials.domain)) != ERROR_SUCCESS ||
      (s = RegSetValueExW(key.get(), widen(kPasswordValue).c_str(), 0, REG_BINARY, blob->data(),
                          static_cast<DWORD>(blob->size()))) != ERROR_SUCCESS) {
    return make_error(kWhere, "",
                      "cannot write " + key_name() + ": " +
                          win32_error_text(static_cast<DWORD>(s)) + access_advice(s));
  }
  return Ok{};
}

Result<bool> DpapiStore::clear() {
  const std::wstring name = widen(kNlaKey);
  LSTATUS s = RegDeleteTreeW(HKEY_LOCAL_MACHINE, name.c_str());
  if (s == ERROR_FILE_NOT_FOUND) return false;
  if (s == ERROR_SUCCESS) s = RegDeleteKeyExW(HKEY_LOCAL_MACHINE, name.c_str(), KEY_WOW64_64KEY, 0);
  if (s != ERROR_SUCCESS && s != ERROR_FILE_NOT_FOUND) {
    return make_error(kWhere, "",
                      "cannot delete " + key_name() + ": " +
                          win32_error_text(static_cast<DWORD>(s)) + access_advice(s));
  }
  return true;
}

}  // namespace rdwarm::credentials::windows
