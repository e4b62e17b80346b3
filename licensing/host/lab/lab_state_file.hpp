// The lab's host state file (docs/lab-state-file.md): the licensing state of an emulated session
// host, kept the way Windows keeps it in the registry, in one JSON file. rdwarm-lab writes it; the
// lab platform backend reads it and writes the admission values (the gate). Both sides change it
// with update_lab_state_file: lock, read, change their own fields, write a temp file, rename.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "licensing/host/host_platform.hpp"
#include "licensing/host/raw_host_values.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::host::lab {

inline constexpr const char* kLabStateFormat = "rdwarm.lab-state/1";
inline constexpr const char* kLabStateFileName = "host-state.json";

struct LabHostState {
  std::string host_name = "LAB-SH01";
  bool rdsh_role = true;
  std::string edition_id = "ServerDatacenter";
  std::optional<std::uint32_t> policy_licensing_mode;  // null: policy not configured
  std::optional<std::uint32_t> local_licensing_mode;
  std::optional<std::string> policy_license_servers;  // comma-separated, as the policy stores it
  std::vector<std::string> local_license_servers;
  // End of the grace period; nullopt: the timebomb value does not exist.
  std::optional<SystemTime> grace_period_end;
  // The registry "X509 Certificate2" value (decode_registry_certificate_chain layout); empty:
  // absent.
  std::vector<std::uint8_t> x509_certificate2;
  std::uint32_t user_authentication = 0;  // 1: NLA required
  std::optional<std::string> sxs_listener_name;
  std::uint32_t sxs_listener_enabled = 0;
  // ClusterSettings\SessionDirectoryListener; written inside "sxs_listener" when set.
  std::optional<std::string> sxs_session_directory_listener;
  std::uint32_t drain_mode = 0;            // TSServerDrainMode
  std::uint32_t winstations_disabled = 0;  // WinStationsDisabled
  // Windows services of the emulated host, for the service gate: name -> kRunning or kStopped
  // (the file holds "running" / "stopped"). Empty: the key is left out of the file.
  std::map<std::string, ServiceState> services;
  std::uint64_t revision = 0;  // incremented on every write
  SystemTime updated_at{};
};

std::string encode_lab_state(const LabHostState& state);
// Errors name the JSON key: Error{"lab state file", "licensing_mode.policy", "expected ..."}.
Result<LabHostState> decode_lab_state(const std::string& json_text);

Result<LabHostState> read_lab_state_file(const std::filesystem::path& file);
// Creates or replaces the file atomically (temp file in the same directory + rename).
Status write_lab_state_file(const std::filesystem::path& file, LabHostState state);
// Locked read-modify-write; creates the file from `initial` when it does not exist. Returns the
// state as written.
Result<LabHostState> update_lab_state_file(const std::filesystem::path& file,
                                           const std::function<void(LabHostState&)>& change,
                                           const LabHostState& initial = {});

// The entry for `name` in `services`, matched without regard to case as the service control
// manager does; nullptr when the host has no such service.
const ServiceState* find_lab_service(const LabHostState& state, const std::string& name);
ServiceState* find_lab_service(LabHostState& state, const std::string& name);

// The registry view the snapshot rules work on; every source is "lab:<json key>".
RawHostValues raw_values_from_lab_state(const LabHostState& state);

}  // namespace rdwarm::host::lab
