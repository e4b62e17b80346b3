#include "licensing/host/windows/registry.hpp"

#include <charconv>
#include <cstring>
#include <optional>
#include <utility>

#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::host::windows {

namespace {

constexpr std::size_t kMaxValueBytes = 16u << 20;  // far above any value this backend reads

// The bytes of a REG_SZ as UTF-16 code units, up to the first NUL (the terminator is optional).
std::wstring utf16_units(const std::vector<std::uint8_t>& data) {
  std::wstring units(data.size() / 2, L'\0');
  std::memcpy(units.data(), data.data(), units.size() * 2);
  const auto nul = units.find(L'\0');
  if (nul != std::wstring::npos) units.resize(nul);
  return units;
}

std::string type_problem(DWORD found, std::string_view expected, std::string_view reg_type) {
  return "is " + registry_type_name(found) + ", expected " + std::string(expected) +
         "; the value was set with the wrong type: set it again as " + std::string(reg_type) +
         " (reg add ... /t " + std::string(reg_type) + ") or delete it";
}

// Opens the key and reads the value; decode turns the stored value into T or a problem.
template <class T, class Decode>
Fact<T> read_typed(std::string_view key, std::string_view value, Decode decode) {
  const auto source = hklm_source(key, value);
  auto opened = open_hklm(key, KEY_QUERY_VALUE);
  if (opened.status == ERROR_FILE_NOT_FOUND) return Fact<T>::absent(source);
  if (opened.status != ERROR_SUCCESS) return Fact<T>::failed(source, read_problem(opened.status));
  RegistryValue raw;
  const auto status = query_value(opened.key.get(), value, raw);
  if (status == ERROR_FILE_NOT_FOUND) return Fact<T>::absent(source);
  if (status != ERROR_SUCCESS) return Fact<T>::failed(source, read_problem(status));
  std::string problem;
  std::optional<T> decoded = decode(raw, problem);
  if (!decoded) return Fact<T>::failed(source, problem);
  return Fact<T>::found(std::move(*decoded), source);
}

std::optional<std::uint32_t> decode_dword(const RegistryValue& raw, std::string& problem) {
  if (raw.type != REG_DWORD) {
    problem = type_problem(raw.type, "REG_DWORD", "REG_DWORD");
    return std::nullopt;
  }
  if (raw.data.size() != 4) {
    problem = "is a REG_DWORD of " + std::to_string(raw.data.size()) +
              " bytes instead of 4; set it again with reg add ... /t REG_DWORD";
    return std::nullopt;
  }
  std::uint32_t v = 0;
  std::memcpy(&v, raw.data.data(), 4);  // little-endian, as the machine
  return v;
}

}  // namespace

std::string hklm_source(std::string_view key, std::string_view value) {
  std::string s = "HKLM\\";
  s += key;
  s += '\\';
  s += value;
  return s;
}

RegistryKey::~RegistryKey() {
  if (key_ != nullptr) RegCloseKey(key_);
}

RegistryKey::RegistryKey(RegistryKey&& other) noexcept : key_(std::exchange(other.key_, nullptr)) {}

RegistryKey& RegistryKey::operator=(RegistryKey&& other) noexcept {
  if (this != &other) {
    if (key_ != nullptr) RegCloseKey(key_);
    key_ = std::exchange(other.key_, nullptr);
  }
  return *this;
}

OpenedKey open_hklm(std::string_view path, REGSAM access) {
  HKEY key = nullptr;
  const auto wide = widen(path);
  OpenedKey opened;
  opened.status =
      RegOpenKeyExW(HKEY_LOCAL_MACHINE, wide.c_str(), 0, access | KEY_WOW64_64KEY, &key);
  if (opened.status == ERROR_SUCCESS) opened.key = RegistryKey(key);
  return opened;
}

LSTATUS query_value(HKEY key, std::string_view name, RegistryValue& out) {
  const auto wide = widen(name);
  // The size can grow between the two calls when another process writes the value: retry.
  for (int attempt = 0; attempt < 4; ++attempt) {
    DWORD type = REG_NONE;
    DWORD size = 0;
    LSTATUS status = RegQueryValueExW(key, wide.c_str(), nullptr, &type, nullptr, &size);
    if (status != ERROR_SUCCESS) return status;
    if (size > kMaxValueBytes) return ERROR_INVALID_DATA;
    out.data.assign(size, 0);
    status = RegQueryValueExW(key, wide.c_str(), nullptr, &type, out.data.data(), &size);
    if (status == ERROR_MORE_DATA) continue;
    if (status != ERROR_SUCCESS) return status;
    out.type = type;
    out.data.resize(size);
    return ERROR_SUCCESS;
  }
  return ERROR_MORE_DATA;
}

std::string registry_type_name(DWORD type) {
  switch (type) {
    case REG_NONE:
      return "REG_NONE";
    case REG_SZ:
      return "REG_SZ";
    case REG_EXPAND_SZ:
      return "REG_EXPAND_SZ";
    case REG_BINARY:
      return "REG_BINARY";
    case REG_DWORD:
      return "REG_DWORD";
    case REG_DWORD_BIG_ENDIAN:
      return "REG_DWORD_BIG_ENDIAN";
    case REG_LINK:
      return "REG_LINK";
    case REG_MULTI_SZ:
      return "REG_MULTI_SZ";
    case REG_QWORD:
      return "REG_QWORD";
    default:
      return "type " + std::to_string(type);
  }
}

std::string read_problem(LSTATUS status) {
  const auto code = static_cast<DWORD>(status);
  if (code == ERROR_ACCESS_DENIED) {
    return "cannot read: " + win32_error_text(code) +
           "; run rdwarm as SYSTEM (the boot task does) or from an elevated administrator prompt";
  }
  if (code == ERROR_INVALID_DATA) {
    return "cannot read: the value is larger than " + std::to_string(kMaxValueBytes >> 20) +
           " MiB, which no value rdwarm reads should be; inspect it with reg query";
  }
  return "cannot read: " + win32_error_text(code);
}

Fact<std::uint32_t> read_dword(std::string_view key, std::string_view value) {
  return read_typed<std::uint32_t>(key, value, decode_dword);
}

Fact<std::uint32_t> read_dword_or_number(std::string_view key, std::string_view value) {
  return read_typed<std::uint32_t>(
      key, value,
      [](const RegistryValue& raw, std::string& problem) -> std::optional<std::uint32_t> {
        if (raw.type != REG_SZ && raw.type != REG_EXPAND_SZ) return decode_dword(raw, problem);
        const auto text = narrow(utf16_units(raw.data));
        std::uint32_t v = 0;
        const auto* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, v);
        if (text.empty() || ec != std::errc{} || ptr != end) {
          problem = "is the string \"" + text +
                    "\", expected a number (0 or 1); set it again with reg add ... /t REG_SZ /d 0";
          return std::nullopt;
        }
        return v;
      });
}

Fact<std::string> read_string(std::string_view key, std::string_view value) {
  return read_typed<std::string>(
      key, value, [](const RegistryValue& raw, std::string& problem) -> std::optional<std::string> {
        if (raw.type != REG_SZ && raw.type != REG_EXPAND_SZ) {
          problem = type_problem(raw.type, "REG_SZ", "REG_SZ");
          return std::nullopt;
        }
        return narrow(utf16_units(raw.data));
      });
}

Fact<std::vector<std::string>> read_multi_string(std::string_view key, std::string_view value) {
  return read_typed<std::vector<std::string>>(
      key, value,
      [](const RegistryValue& raw,
         std::string& problem) -> std::optional<std::vector<std::string>> {
        if (raw.type == REG_SZ || raw.type == REG_EXPAND_SZ) {
          auto one = narrow(utf16_units(raw.data));
          return one.empty() ? std::vector<std::string>{} : std::vector<std::string>{one};
        }
        if (raw.type != REG_MULTI_SZ) {
          problem = type_problem(raw.type, "REG_MULTI_SZ", "REG_MULTI_SZ");
          return std::nullopt;
        }
        // NUL-separated strings, ended by an empty one; a missing final terminator is tolerated.
        std::wstring units(raw.data.size() / 2, L'\0');
        std::memcpy(units.data(), raw.data.data(), units.size() * 2);
        std::vector<std::string> list;
        std::size_t start = 0;
        while (start < units.size()) {
          auto end = units.find(L'\0', start);
          if (end == std::wstring::npos) end = units.size();
          if (end == start) break;
          list.push_back(narrow(std::wstring_view(units).substr(start, end - start)));
          start = end + 1;
        }
        return list;
      });
}

Fact<std::vector<std::uint8_t>> read_binary(std::string_view key, std::string_view value) {
  return read_typed<std::vector<std::uint8_t>>(
      key, value,
      [](const RegistryValue& raw,
         std::string& problem) -> std::optional<std::vector<std::uint8_t>> {
        if (raw.type != REG_BINARY) {
          problem = type_problem(raw.type, "REG_BINARY", "REG_BINARY");
          return std::nullopt;
        }
        return raw.data;
      });
}

Result<std::vector<std::string>> subkey_names(std::string_view key) {
  auto opened = open_hklm(key, KEY_ENUMERATE_SUB_KEYS);
  if (opened.status == ERROR_FILE_NOT_FOUND) return std::vector<std::string>{};
  if (opened.status != ERROR_SUCCESS) {
    return make_error(hklm_source(key, "*"), "", read_problem(opened.status));
  }
  std::vector<std::string> names;
  for (DWORD i = 0;; ++i) {
    wchar_t name[256];  // registry key names are at most 255 characters
    DWORD length = sizeof name / sizeof name[0];
    const auto status =
        RegEnumKeyExW(opened.key.get(), i, name, &length, nullptr, nullptr, nullptr, nullptr);
    if (status == ERROR_NO_MORE_ITEMS) break;
    if (status != ERROR_SUCCESS) {
      return make_error(hklm_source(key, "*"), "", read_problem(status));
    }
    names.push_back(narrow(std::wstring_view(name, length)));
  }
  return names;
}

Status write_dword(std::string_view key, std::string_view value, std::uint32_t data) {
  const auto source = hklm_source(key, value);
  const auto what = "cannot set to " + std::to_string(data) + ": ";
  auto opened = open_hklm(key, KEY_SET_VALUE);
  if (opened.status == ERROR_FILE_NOT_FOUND) {
    return make_error(source, "",
                      what +
                          "the key does not exist: this Windows has no Remote Desktop "
                          "Services configuration");
  }
  auto code = static_cast<DWORD>(opened.status);
  if (code == ERROR_SUCCESS) {
    const auto wide = widen(value);
    const DWORD bytes = data;
    code = static_cast<DWORD>(RegSetValueExW(opened.key.get(), wide.c_str(), 0, REG_DWORD,
                                             reinterpret_cast<const BYTE*>(&bytes), sizeof bytes));
    if (code == ERROR_SUCCESS) return Ok{};
  }
  std::string why = win32_error_text(code);
  if (code == ERROR_ACCESS_DENIED) {
    why += "; run rdwarm as SYSTEM (the boot task does) or from an elevated administrator prompt";
  }
  return make_error(source, "", what + why);
}

}  // namespace rdwarm::host::windows
