#include "tests/windows/registry_sandbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "licensing/host/windows/win32_text.hpp"

// After windows.h: DPAPI.
#include <wincrypt.h>

namespace rdwarm::test::windows {

namespace {

using host::windows::narrow;
using host::windows::widen;
using host::windows::win32_error_text;

void check(LSTATUS status, const std::string& what) {
  if (status != ERROR_SUCCESS) {
    throw std::runtime_error(what + ": " + win32_error_text(static_cast<DWORD>(status)));
  }
}

HKEY open(const std::string& key, REGSAM access, LSTATUS* status = nullptr) {
  HKEY h = nullptr;
  const auto s =
      RegOpenKeyExW(HKEY_LOCAL_MACHINE, widen(key).c_str(), 0, access | KEY_WOW64_64KEY, &h);
  if (status != nullptr) *status = s;
  return s == ERROR_SUCCESS ? h : nullptr;
}

std::vector<std::uint8_t> utf16_bytes(const std::wstring& text) {
  std::vector<std::uint8_t> bytes(text.size() * 2);
  std::memcpy(bytes.data(), text.data(), bytes.size());
  return bytes;
}

std::vector<std::string> subkeys(HKEY h) {
  std::vector<std::string> names;
  for (DWORD i = 0;; ++i) {
    wchar_t name[256];
    DWORD length = 256;
    if (RegEnumKeyExW(h, i, name, &length, nullptr, nullptr, nullptr, nullptr) != ERROR_SUCCESS) {
      break;
    }
    names.push_back(narrow(std::wstring_view(name, length)));
  }
  return names;
}

std::vector<std::string> value_names(HKEY h) {
  std::vector<std::string> names;
  for (DWORD i = 0;; ++i) {
    wchar_t name[16384];
    DWORD length = 16384;
    if (RegEnumValueW(h, i, name, &length, nullptr, nullptr, nullptr, nullptr) != ERROR_SUCCESS) {
      break;
    }
    names.push_back(narrow(std::wstring_view(name, length)));
  }
  return names;
}

// The value's type and bytes, nullopt type when it does not exist.
std::pair<std::optional<DWORD>, std::vector<std::uint8_t>> read_raw(HKEY h,
                                                                    const std::string& value) {
  const auto name = widen(value);
  DWORD type = 0;
  DWORD size = 0;
  if (RegQueryValueExW(h, name.c_str(), nullptr, &type, nullptr, &size) != ERROR_SUCCESS) {
    return {std::nullopt, {}};
  }
  std::vector<std::uint8_t> data(size);
  RegQueryValueExW(h, name.c_str(), nullptr, &type, data.data(), &size);
  data.resize(size);
  return {type, data};
}

}  // namespace

RegistrySandbox::~RegistrySandbox() {
  // Access first, so that the rest can be put back.
  for (auto it = saved_security_.rbegin(); it != saved_security_.rend(); ++it) {
    HKEY h = open(it->key, WRITE_DAC);
    if (h == nullptr) continue;
    RegSetKeySecurity(h, DACL_SECURITY_INFORMATION, it->descriptor.data());
    RegCloseKey(h);
  }
  // Values next, newest change last restored first; then whole trees; then keys we created.
  for (auto it = saved_values_.rbegin(); it != saved_values_.rend(); ++it) {
    HKEY h = open(it->key, KEY_SET_VALUE);
    if (h == nullptr) continue;  // the key was created by us and goes below
    const auto name = widen(it->value);
    if (it->type) {
      RegSetValueExW(h, name.c_str(), 0, *it->type, it->data.data(),
                     static_cast<DWORD>(it->data.size()));
    } else {
      RegDeleteValueW(h, name.c_str());
    }
    RegCloseKey(h);
  }
  for (auto tree = saved_trees_.rbegin(); tree != saved_trees_.rend(); ++tree) {
    for (const auto& key : tree->keys) {
      HKEY h = nullptr;
      RegCreateKeyExW(HKEY_LOCAL_MACHINE, widen(key).c_str(), 0, nullptr, 0,
                      KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr, &h, nullptr);
      if (h != nullptr) RegCloseKey(h);
    }
    for (const auto& v : tree->values) {
      HKEY h = open(v.key, KEY_SET_VALUE);
      if (h == nullptr) continue;
      RegSetValueExW(h, widen(v.value).c_str(), 0, *v.type, v.data.data(),
                     static_cast<DWORD>(v.data.size()));
      RegCloseKey(h);
    }
  }
  for (auto it = created_keys_.rbegin(); it != created_keys_.rend(); ++it) {
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, widen(*it).c_str());
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, widen(*it).c_str(), KEY_WOW64_64KEY, 0);
  }
}

void RegistrySandbox::ensure_key(const std::string& key) {
  // Find the outermost missing component: that is what this sandbox creates and later deletes.
  std::string path;
  std::size_t start = 0;
  while (start <= key.size()) {
    auto end = key.find('\\', start);
    if (end == std::string::npos) end = key.size();
    path = key.substr(0, end);
    HKEY h = open(path, KEY_READ);
    if (h == nullptr) {
      created_keys_.push_back(path);
      break;
    }
    RegCloseKey(h);
    start = end + 1;
  }
  HKEY h = nullptr;
  check(RegCreateKeyExW(HKEY_LOCAL_MACHINE, widen(key).c_str(), 0, nullptr, 0,
                        KEY_ALL_ACCESS | KEY_WOW64_64KEY, nullptr, &h, nullptr),
        "RegCreateKeyEx HKLM\\" + key);
  RegCloseKey(h);
}

void RegistrySandbox::save_value(const std::string& key, const std::string& value) {
  for (const auto& s : saved_values_) {
    if (s.key == key && s.value == value) return;  // keep the oldest state
  }
  SavedValue saved{key, value, std::nullopt, {}};
  if (HKEY h = open(key, KEY_QUERY_VALUE)) {
    std::tie(saved.type, saved.data) = read_raw(h, value);
    RegCloseKey(h);
  }
  saved_values_.push_back(std::move(saved));
}

void RegistrySandbox::set_raw(const std::string& key, const std::string& value, DWORD type,
                              const std::vector<std::uint8_t>& data) {
  ensure_key(key);
  save_value(key, value);
  HKEY h = open(key, KEY_SET_VALUE);
  if (h == nullptr) throw std::runtime_error("cannot open HKLM\\" + key);
  const auto status = RegSetValueExW(h, widen(value).c_str(), 0, type, data.data(),
                                     static_cast<DWORD>(data.size()));
  RegCloseKey(h);
  check(status, "RegSetValueEx HKLM\\" + key + "\\" + value);
}

void RegistrySandbox::set_dword(const std::string& key, const std::string& value,
                                std::uint32_t data) {
  std::vector<std::uint8_t> bytes(4);
  std::memcpy(bytes.data(), &data, 4);
  set_raw(key, value, REG_DWORD, bytes);
}

void RegistrySandbox::set_string(const std::string& key, const std::string& value,
                                 const std::string& data) {
  set_raw(key, value, REG_SZ, utf16_bytes(widen(data) + L'\0'));
}

void RegistrySandbox::set_multi_string(const std::string& key, const std::string& value,
                                       const std::vector<std::string>& data) {
  std::wstring all;
  for (const auto& s : data) all += widen(s) + L'\0';
  all += L'\0';
  set_raw(key, value, REG_MULTI_SZ, utf16_bytes(all));
}

void RegistrySandbox::set_binary(const std::string& key, const std::string& value,
                                 const std::vector<std::uint8_t>& data) {
  set_raw(key, value, REG_BINARY, data);
}

void RegistrySandbox::remove_value(const std::string& key, const std::string& value) {
  HKEY h = open(key, KEY_SET_VALUE | KEY_QUERY_VALUE);
  if (h == nullptr) return;
  save_value(key, value);
  RegDeleteValueW(h, widen(value).c_str());
  RegCloseKey(h);
}

void RegistrySandbox::remove_key(const std::string& key) {
  HKEY root = open(key, KEY_READ);
  if (root == nullptr) return;
  RegCloseKey(root);
  SavedTree tree;
  tree.key = key;
  std::vector<std::string> pending{key};
  while (!pending.empty()) {
    const auto k = pending.front();
    pending.erase(pending.begin());
    HKEY h = open(k, KEY_READ);
    if (h == nullptr) continue;
    tree.keys.push_back(k);
    for (const auto& v : value_names(h)) {
      auto [type, data] = read_raw(h, v);
      if (type) tree.values.push_back(SavedValue{k, v, type, data});
    }
    for (const auto& sub : subkeys(h)) {
      auto child = k;
      child += '\\';
      child += sub;
      pending.push_back(std::move(child));
    }
    RegCloseKey(h);
  }
  saved_trees_.push_back(std::move(tree));
  check(RegDeleteTreeW(HKEY_LOCAL_MACHINE, widen(key).c_str()), "RegDeleteTree HKLM\\" + key);
  RegDeleteKeyExW(HKEY_LOCAL_MACHINE, widen(key).c_str(), KEY_WOW64_64KEY, 0);
}

void RegistrySandbox::deny_access(const std::string& key) {
  ensure_key(key);
  HKEY h = open(key, READ_CONTROL | WRITE_DAC);
  if (h == nullptr) throw std::runtime_error("cannot open HKLM\\" + key + " for its DACL");
  DWORD size = 0;
  RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, nullptr, &size);
  SavedSecurity saved{key, std::vector<std::uint8_t>(size)};
  LSTATUS status = RegGetKeySecurity(h, DACL_SECURITY_INFORMATION, saved.descriptor.data(), &size);
  if (status == ERROR_SUCCESS) {
    saved_security_.push_back(std::move(saved));
    SECURITY_DESCRIPTOR deny_all;
    ACL empty;
    InitializeSecurityDescriptor(&deny_all, SECURITY_DESCRIPTOR_REVISION);
    InitializeAcl(&empty, sizeof empty, ACL_REVISION);
    SetSecurityDescriptorDacl(&deny_all, TRUE, &empty, FALSE);
    status = RegSetKeySecurity(h, DACL_SECURITY_INFORMATION, &deny_all);
  }
  RegCloseKey(h);
  check(status, "RegSetKeySecurity HKLM\\" + key);
}

std::optional<std::uint32_t> query_dword(const std::string& key, const std::string& value) {
  HKEY h = open(key, KEY_QUERY_VALUE);
  if (h == nullptr) return std::nullopt;
  auto [type, data] = read_raw(h, value);
  RegCloseKey(h);
  if (!type || *type != REG_DWORD || data.size() != 4) return std::nullopt;
  std::uint32_t v = 0;
  std::memcpy(&v, data.data(), 4);
  return v;
}

bool key_exists(const std::string& key) {
  HKEY h = open(key, KEY_READ);
  if (h != nullptr) RegCloseKey(h);
  return h != nullptr;
}

std::vector<std::uint8_t> protect_machine(const std::vector<std::uint8_t>& plaintext) {
  std::vector<BYTE> copy(plaintext.begin(), plaintext.end());
  DATA_BLOB in{static_cast<DWORD>(copy.size()), copy.data()};
  DATA_BLOB out{0, nullptr};
  if (!CryptProtectData(&in, L"", nullptr, nullptr, nullptr,
                        CRYPTPROTECT_LOCAL_MACHINE | CRYPTPROTECT_UI_FORBIDDEN, &out)) {
    throw std::runtime_error("CryptProtectData: " + win32_error_text(GetLastError()));
  }
  std::vector<std::uint8_t> blob(out.pbData, out.pbData + out.cbData);
  LocalFree(out.pbData);
  return blob;
}

CommandResult run_command(const std::string& command_line) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE read_end = nullptr;
  HANDLE write_end = nullptr;
  if (!CreatePipe(&read_end, &write_end, &inherit, 0)) {
    throw std::runtime_error("CreatePipe: " + win32_error_text(GetLastError()));
  }
  SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
  STARTUPINFOW si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdOutput = write_end;
  si.hStdError = write_end;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  PROCESS_INFORMATION pi{};
  auto cmd = widen(command_line);
  const BOOL started = CreateProcessW(nullptr, cmd.data(), nullptr, nullptr, TRUE, CREATE_NO_WINDOW,
                                      nullptr, nullptr, &si, &pi);
  CloseHandle(write_end);
  if (!started) {
    CloseHandle(read_end);
    throw std::runtime_error("CreateProcess " + command_line + ": " +
                             win32_error_text(GetLastError()));
  }
  // Drain the pipe while the command runs, bounded in time: reg.exe answers in well under a
  // second even under wine.
  CommandResult result;
  const auto deadline = GetTickCount64() + 30'000;
  bool exited = false;
  while (true) {
    DWORD available = 0;
    if (PeekNamedPipe(read_end, nullptr, 0, nullptr, &available, nullptr) && available > 0) {
      char buffer[4096];
      DWORD n = 0;
      if (ReadFile(read_end, buffer, std::min<DWORD>(available, sizeof buffer), &n, nullptr)) {
        result.output.append(buffer, n);
      }
      continue;
    }
    if (exited) break;  // exited and nothing left to read
    exited = WaitForSingleObject(pi.hProcess, 10) == WAIT_OBJECT_0;
    if (!exited && GetTickCount64() > deadline) {
      TerminateProcess(pi.hProcess, 1);
      WaitForSingleObject(pi.hProcess, 5'000);
      break;
    }
  }
  CloseHandle(read_end);
  GetExitCodeProcess(pi.hProcess, &result.exit_code);
  CloseHandle(pi.hProcess);
  CloseHandle(pi.hThread);
  return result;
}

}  // namespace rdwarm::test::windows
