// The gate journal: written before the gate changes, so an agent that is killed while the gate is
// closed leaves a record the next run acts on (DESIGN.md, Gates). The next run in the same boot
// keeps the warm-up's original start time, so restarts cannot push the deadline out forever; a run
// after a reboot starts afresh but still reopens a gate a dead agent left closed.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "licensing/wire/result.hpp"

namespace rdwarm::agent {

inline constexpr const char* kGateJournalSchema = "rdwarm.gate-journal/1";

struct GateJournalEntry {
  std::string boot_id;  // current_boot_id() of the run that wrote it
  std::string gate_kind;
  // "closing" (about to close), "closed", "opening", "open", "left-closed" (deadline policy
  // stay-closed: closed on purpose, by a finished run).
  std::string gate_state;
  std::chrono::system_clock::time_point warmup_started_at{};
  std::chrono::system_clock::time_point updated_at{};
  std::int64_t pid = 0;
  bool finished = false;  // the run ended (ready, deadline or not applicable)
};

// Missing file: nullopt. A corrupt journal is an error naming the file; the caller logs it and
// treats the gate as possibly closed.
Result<std::optional<GateJournalEntry>> read_gate_journal(const std::filesystem::path& file);
Status write_gate_journal(const std::filesystem::path& file, const GateJournalEntry& entry);

// Changes across reboots, stable within one: Linux boot_id; Windows the boot time (rounded).
std::string current_boot_id();
std::int64_t current_pid();

}  // namespace rdwarm::agent
