// The gate journal: written before the gate closes, so an agent that is killed while the gate is
// closed leaves a record the next run acts on (DESIGN.md, Gates; docs/gates.md). The next run in
// the same boot keeps the warm-up's original start time, so restarts cannot push the deadline out
// forever; a run after a reboot starts afresh but still reopens a gate a dead agent left closed.
// Opening is journaled after the gate opened: a crash in between leaves "closed", which the next
// run reopens, so no write sits between the certificate and the open gate.
//
// One agent per host: an unfinished entry of this boot whose writer still runs belongs to an
// agent at work, and a second run refuses to start rather than fight it over the gate.
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
  // "closing" (about to close), "closed", "open", "left-closed" (deadline policy stay-closed:
  // closed on purpose, by a finished run), "unknown" (a gate write failed). Journals of older
  // versions may say "opening"; like every state but "open" it counts as possibly closed.
  std::string gate_state;
  std::chrono::system_clock::time_point warmup_started_at{};
  std::chrono::system_clock::time_point updated_at{};
  std::int64_t pid = 0;
  // current_process_start() of the writer, so a pid reused by another process is not taken for
  // the agent; empty in journals of older versions (optional in the file).
  std::string process_start;
  bool finished = false;  // the run ended (ready, deadline or not applicable)
};

// Missing file: nullopt. A corrupt journal is an error naming the file; the caller logs it and
// treats the gate as possibly closed.
Result<std::optional<GateJournalEntry>> read_gate_journal(const std::filesystem::path& file);
Status write_gate_journal(const std::filesystem::path& file, const GateJournalEntry& entry);

// Changes across reboots, stable within one: Linux boot_id; Windows the boot time (rounded).
std::string current_boot_id();
std::int64_t current_pid();

// When the process with `pid` started, as an opaque token ("linux:<ticks since boot>",
// "windows:<creation FILETIME>"); nullopt when no such process runs (a zombie counts as gone) or
// it cannot be read. Clock changes do not move it, unlike a wall-clock start time.
std::optional<std::string> process_start_of(std::int64_t pid);
std::string current_process_start();  // process_start_of(current_pid()), or "" if unreadable

// The message for a second agent when the journal shows another one at work on this host: an
// unfinished entry of this boot written by a process that still runs (same pid, same process
// start) and is not this one. nullopt otherwise, including when the journal is missing or
// corrupt (the warm-up reports that itself) or was written by a version without process starts.
std::optional<std::string> another_agent_at_work(const std::filesystem::path& journal_file);

}  // namespace rdwarm::agent
