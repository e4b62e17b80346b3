#include "imagebuild/install/windows/registry_write.hpp"

#include <cstring>
#include <vector>

#include "licensing/host/windows/registry.hpp"
#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::imagebuild::install::windows {

namespace {

using host::windows::narrow;
using host::windows::RegistryKey;
using host::windows::widen;
using host::windows::win32_error_text;

Error registry_error(std::string_view key, const std::string& what, LSTATUS code) {
  std::string text = what + ": " + win32_error_text(static_cast<DWORD>(code));
  if (code == ERROR_ACCESS_DENIED) {
    text += "; run rdwarm image install from an elevated administrator prompt (or as SYSTEM)";
  }
  return make_error("HKLM\\" + std::string(key), "", text);
}

std::vector<std::uint8_t> value_bytes(const RegistryValueSpec& v) {
  if (v.kind == RegistryValueSpec::Kind::kDword) {
    std::vector<std::uint8_t> b(sizeof(DWORD));
    const DWORD n = v.number;
    std::memcpy(b.data(), &n, sizeof n);
    return b;
  }
  const std::wstring w = widen(v.text);
  std::vector<std::uint8_t> b((w.size() + 1) * sizeof(wchar_t), 0);  // with the terminator
  std::memcpy(b.data(), w.data(), w.size() * sizeof(wchar_t));
  return b;
}

DWORD value_type(const RegistryValueSpec& v) {
  switch (v.kind) {
    case RegistryValueSpec::Kind::kExpandString:
      return REG_EXPAND_SZ;
    case RegistryValueSpec::Kind::kDword:
      return REG_DWORD;
    case RegistryValueSpec::Kind::kString:
      break;
  }
  return REG_SZ;
}

}  // namespace

Result<Change> ensure_hklm_values(std::string_view key,
                                  std::initializer_list<RegistryValueSpec> values) {
  const std::wstring wkey = widen(key);
  HKEY raw = nullptr;
  DWORD disposition = 0;
  const LSTATUS created = RegCreateKeyExW(
      HKEY_LOCAL_MACHINE, wkey.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE,
      KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr, &raw, &disposition);
  if (created != ERROR_SUCCESS) return registry_error(key, "cannot create the key", created);
  const RegistryKey k(raw);
  bool changed = false;
  for (const auto& v : values) {
    const auto bytes = value_bytes(v);
    const DWORD type = value_type(v);
    host::windows::RegistryValue current;
    if (host::windows::query_value(k.get(), v.name, current) == ERROR_SUCCESS &&
        current.type == type && current.data == bytes) {
      continue;
    }
    const std::wstring wname = widen(v.name);
    const LSTATUS set = RegSetValueExW(k.get(), wname.c_str(), 0, type, bytes.data(),
                                       static_cast<DWORD>(bytes.size()));
    if (set != ERROR_SUCCESS) return registry_error(key, "cannot set " + v.name, set);
    changed = true;
  }
  if (disposition == REG_CREATED_NEW_KEY) return Change::kCreated;
  return changed ? Change::kUpdated : Change::kUnchanged;
}

Result<Change> delete_hklm_tree(std::string_view key) {
  const std::wstring wkey = widen(key);
  HKEY raw = nullptr;
  LSTATUS s = RegOpenKeyExW(
      HKEY_LOCAL_MACHINE, wkey.c_str(), 0,
      DELETE | KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY, &raw);
  if (s == ERROR_FILE_NOT_FOUND) return Change::kAbsent;
  if (s != ERROR_SUCCESS) return registry_error(key, "cannot open the key to delete it", s);
  {
    const RegistryKey k(raw);
    s = RegDeleteTreeW(k.get(), nullptr);  // everything below the key
    if (s != ERROR_SUCCESS) return registry_error(key, "cannot delete the key's contents", s);
  }
  s = RegDeleteKeyExW(HKEY_LOCAL_MACHINE, wkey.c_str(), KEY_WOW64_64KEY, 0);
  if (s != ERROR_SUCCESS && s != ERROR_FILE_NOT_FOUND) {
    return registry_error(key, "cannot delete the key", s);
  }
  return Change::kRemoved;
}

Result<std::optional<std::string>> read_hklm_string(std::string_view key, std::string_view value) {
  auto opened = host::windows::open_hklm(key, KEY_QUERY_VALUE);
  if (opened.status == ERROR_FILE_NOT_FOUND) return std::optional<std::string>();
  if (opened.status != ERROR_SUCCESS) {
    return registry_error(key, "cannot open the key", opened.status);
  }
  host::windows::RegistryValue v;
  const LSTATUS s = host::windows::query_value(opened.key.get(), value, v);
  if (s == ERROR_FILE_NOT_FOUND) return std::optional<std::string>();
  if (s != ERROR_SUCCESS) return registry_error(key, "cannot read " + std::string(value), s);
  if (v.type != REG_SZ && v.type != REG_EXPAND_SZ) {
    return make_error("HKLM\\" + std::string(key), std::string(value),
                      "is " + host::windows::registry_type_name(v.type) +
                          ", expected REG_SZ; the value was not written by rdwarm image install");
  }
  std::wstring w(v.data.size() / sizeof(wchar_t), L'\0');
  std::memcpy(w.data(), v.data.data(), w.size() * sizeof(wchar_t));
  while (!w.empty() && w.back() == L'\0') w.pop_back();
  return std::optional<std::string>(narrow(w));
}

}  // namespace rdwarm::imagebuild::install::windows
