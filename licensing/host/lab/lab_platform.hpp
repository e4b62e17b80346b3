// The lab backend of HostPlatform: reads the state file rdwarm-lab writes, drives the gate through
// its drain_mode value, watches it for a new certificate, and keeps the event log as JSON lines.
#pragma once

#include <filesystem>
#include <memory>

#include "licensing/host/host_platform.hpp"

namespace rdwarm::host::lab {

// Events go to <state dir>/events.jsonl, one JSON object per line: {"time", "id", "severity",
// "message"} (docs/lab-state-file.md).
inline constexpr const char* kLabEventLogName = "events.jsonl";

std::unique_ptr<HostPlatform> make_lab_platform(const std::filesystem::path& state_file);

}  // namespace rdwarm::host::lab
