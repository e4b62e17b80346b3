// Seeds wine's (or Windows') real HKLM for one test with the Win32 API and puts it back afterwards:
// keys the sandbox created are deleted, values it changed or removed in existing keys are restored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "licensing/host/windows/win32.hpp"

namespace rdwarm::test::windows {

class RegistrySandbox {
 public:
  RegistrySandbox() = default;
  ~RegistrySandbox();
  RegistrySandbox(const RegistrySandbox&) = delete;
  RegistrySandbox& operator=(const RegistrySandbox&) = delete;
  RegistrySandbox(RegistrySandbox&&) = delete;
  RegistrySandbox& operator=(RegistrySandbox&&) = delete;

  // All paths are under HKLM. Each creates the key (and its parents) when missing.
  void set_dword(const std::string& key, const std::string& value, std::uint32_t data);
  void set_string(const std::string& key, const std::string& value, const std::string& data);
  void set_multi_string(const std::string& key, const std::string& value,
                        const std::vector<std::string>& data);
  void set_binary(const std::string& key, const std::string& value,
                  const std::vector<std::uint8_t>& data);
  void set_raw(const std::string& key, const std::string& value, DWORD type,
               const std::vector<std::uint8_t>& data);
  void remove_value(const std::string& key, const std::string& value);
  // Removes the key and everything under it (restored afterwards when it existed).
  void remove_key(const std::string& key);
  // Replaces the key's DACL with an empty one: every open for reading or writing fails with
  // ERROR_ACCESS_DENIED, as on the real GracePeriod key for a non-SYSTEM user. The owner can still
  // change the DACL, which is how the original comes back.
  void deny_access(const std::string& key);

 private:
  struct SavedValue {
    std::string key;
    std::string value;
    std::optional<DWORD> type;  // nullopt: did not exist
    std::vector<std::uint8_t> data;
  };
  struct SavedTree {
    std::string key;
    std::vector<SavedValue> values;  // of the key and every subkey, parents first
    std::vector<std::string> keys;   // every key of the tree, parents first
  };
  void ensure_key(const std::string& key);
  void save_value(const std::string& key, const std::string& value);

  struct SavedSecurity {
    std::string key;
    std::vector<std::uint8_t> descriptor;  // self-relative, DACL only
  };
  std::vector<SavedSecurity> saved_security_;
  std::vector<std::string> created_keys_;  // outermost key of each chain this sandbox created
  std::vector<SavedValue> saved_values_;
  std::vector<SavedTree> saved_trees_;
};

// Registry helpers for the tests themselves.
std::optional<std::uint32_t> query_dword(const std::string& key, const std::string& value);
bool key_exists(const std::string& key);

// DPAPI with local-machine scope, as Windows protects the grace-period timebomb.
std::vector<std::uint8_t> protect_machine(const std::vector<std::uint8_t>& plaintext);

// Runs a command line (e.g. "reg.exe query ...") and returns its exit code and standard output.
struct CommandResult {
  DWORD exit_code = 0;
  std::string output;
};
CommandResult run_command(const std::string& command_line);

}  // namespace rdwarm::test::windows
