// The installer's registry writes under HKLM (64-bit view): values it owns, compared before they
// are written so a second install reports "unchanged", and whole keys it deletes on uninstall.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "imagebuild/install/installer.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild::install::windows {

// A value to set: REG_SZ, REG_EXPAND_SZ or REG_DWORD.
struct RegistryValueSpec {
  std::string name;
  enum class Kind { kString, kExpandString, kDword } kind = Kind::kString;
  std::string text;
  std::uint32_t number = 0;
};

// Creates HKLM\<key> when missing and sets each value; kCreated (new key), kUpdated (a value
// changed) or kUnchanged.
Result<Change> ensure_hklm_values(std::string_view key,
                                  std::initializer_list<RegistryValueSpec> values);

// Deletes HKLM\<key> with everything below it; kRemoved or kAbsent.
Result<Change> delete_hklm_tree(std::string_view key);

// A REG_SZ/REG_EXPAND_SZ value as stored (not expanded), nullopt when the key or value is missing.
Result<std::optional<std::string>> read_hklm_string(std::string_view key, std::string_view value);

}  // namespace rdwarm::imagebuild::install::windows
