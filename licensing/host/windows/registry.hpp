// Reading HKLM values into Facts. Each Fact's source is "HKLM\<key>\<value>", exactly what an admin
// passes to `reg query`. A missing key or value is an absent fact; anything else that stops the
// read (access denied, wrong type, malformed data) is a problem that names the cause and the fix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/host/fact.hpp"
#include "licensing/host/windows/win32.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::host::windows {

// "HKLM\SYSTEM\...\RCM\X509 Certificate2".
std::string hklm_source(std::string_view key, std::string_view value);

// An open registry key, closed on destruction.
class RegistryKey {
 public:
  RegistryKey() = default;
  explicit RegistryKey(HKEY key) : key_(key) {}
  ~RegistryKey();
  RegistryKey(RegistryKey&& other) noexcept;
  RegistryKey& operator=(RegistryKey&& other) noexcept;
  RegistryKey(const RegistryKey&) = delete;
  RegistryKey& operator=(const RegistryKey&) = delete;

  [[nodiscard]] HKEY get() const { return key_; }
  explicit operator bool() const { return key_ != nullptr; }

 private:
  HKEY key_ = nullptr;
};

// HKLM\<path> in the 64-bit registry view. `status` is ERROR_SUCCESS, ERROR_FILE_NOT_FOUND (the key
// does not exist) or the error that stopped the open.
struct OpenedKey {
  RegistryKey key;
  LSTATUS status = ERROR_SUCCESS;
};
OpenedKey open_hklm(std::string_view path, REGSAM access);

// One value as stored: its type and bytes.
struct RegistryValue {
  DWORD type = REG_NONE;
  std::vector<std::uint8_t> data;
};
// ERROR_SUCCESS, ERROR_FILE_NOT_FOUND (no such value) or the error.
LSTATUS query_value(HKEY key, std::string_view name, RegistryValue& out);

std::string registry_type_name(DWORD type);  // "REG_DWORD", "REG_SZ", ..., "type 42"

// The problem text for a failed open or read: the Win32 error and what to do about it.
std::string read_problem(LSTATUS status);

// Typed reads of HKLM\<key>\<value>. Accepted types:
Fact<std::uint32_t> read_dword(std::string_view key, std::string_view value);  // REG_DWORD
// REG_DWORD, or REG_SZ holding a decimal number (Winlogon keeps its switches as strings).
Fact<std::uint32_t> read_dword_or_number(std::string_view key, std::string_view value);
Fact<std::string> read_string(std::string_view key,
                              std::string_view value);  // REG_SZ, REG_EXPAND_SZ
// REG_MULTI_SZ; a REG_SZ is taken as a list of one (a hand-made value).
Fact<std::vector<std::string>> read_multi_string(std::string_view key, std::string_view value);
Fact<std::vector<std::uint8_t>> read_binary(std::string_view key,
                                            std::string_view value);  // REG_BINARY

// Names of the subkeys of HKLM\<key>; an empty list when the key does not exist.
Result<std::vector<std::string>> subkey_names(std::string_view key);

// Sets HKLM\<key>\<value> to a REG_DWORD; the key must exist.
Status write_dword(std::string_view key, std::string_view value, std::uint32_t data);

}  // namespace rdwarm::host::windows
