#include "warmup/agent/gate_journal.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "licensing/host/atomic_file.hpp"
#include "licensing/wire/utc_time.hpp"

namespace rdwarm::agent {

namespace {

constexpr const char* kWhere = "gate journal";

}  // namespace

std::string current_boot_id() {
#ifdef _WIN32
  // Boot time in seconds, rounded to 10 s so clock adjustments do not make it wobble.
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto up = std::chrono::milliseconds(GetTickCount64());
  const auto boot = std::chrono::duration_cast<std::chrono::seconds>(now - up).count();
  return "boot-" + std::to_string(boot / 10 * 10);
#else
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id.empty() ? "unknown" : id;
#endif
}

std::int64_t current_pid() {
#ifdef _WIN32
  return static_cast<std::int64_t>(GetCurrentProcessId());
#else
  return static_cast<std::int64_t>(::getpid());
#endif
}

Result<std::optional<GateJournalEntry>> read_gate_journal(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<GateJournalEntry>{};
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const auto j = nlohmann::json::parse(text.str(), nullptr, false);
  const std::string where = std::string(kWhere) + " " + file.string();
  if (j.is_discarded() || !j.is_object()) return make_error(where, "", "not a JSON object");
  if (j.value("schema", "") != kGateJournalSchema) {
    return make_error(where, "schema", std::string("expected ") + kGateJournalSchema);
  }
  GateJournalEntry e;
  // Each key is checked for its type, so a damaged journal names the field that is wrong.
  auto string_field = [&](const char* key, std::string& out) -> Status {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return make_error(where, key, "expected a string");
    out = it->get<std::string>();
    return Ok{};
  };
  auto time = [&](const char* key, std::chrono::system_clock::time_point& out) -> Status {
    std::string value;
    if (auto t = string_field(key, value); !t) return t;
    auto parsed = parse_utc(value, where);
    if (!parsed) return make_error(where, key, parsed.error().what);
    out = *parsed;
    return Ok{};
  };
  if (auto t = string_field("boot_id", e.boot_id); !t) return t.error();
  if (auto t = string_field("gate_kind", e.gate_kind); !t) return t.error();
  if (auto t = string_field("gate_state", e.gate_state); !t) return t.error();
  if (auto t = time("warmup_started_at", e.warmup_started_at); !t) return t.error();
  if (auto t = time("updated_at", e.updated_at); !t) return t.error();
  const auto pid = j.find("pid");
  if (pid == j.end() || !pid->is_number_integer())
    return make_error(where, "pid", "expected an integer");
  e.pid = pid->get<std::int64_t>();
  const auto finished = j.find("finished");
  if (finished == j.end() || !finished->is_boolean()) {
    return make_error(where, "finished", "expected true or false");
  }
  e.finished = finished->get<bool>();
  return std::optional<GateJournalEntry>{e};
}

Status write_gate_journal(const std::filesystem::path& file, const GateJournalEntry& e) {
  const nlohmann::json j = {{"schema", kGateJournalSchema},
                            {"boot_id", e.boot_id},
                            {"gate_kind", e.gate_kind},
                            {"gate_state", e.gate_state},
                            {"warmup_started_at", format_utc(e.warmup_started_at)},
                            {"updated_at", format_utc(e.updated_at)},
                            {"pid", e.pid},
                            {"finished", e.finished}};
  return host::write_file_atomically(file, j.dump(2) + "\n", kWhere);
}

}  // namespace rdwarm::agent
