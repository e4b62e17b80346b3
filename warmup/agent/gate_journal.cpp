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

std::optional<std::string> process_start_of(std::int64_t pid) {
  if (pid <= 0) return std::nullopt;
#ifdef _WIN32
  if (pid > static_cast<std::int64_t>(MAXDWORD)) return std::nullopt;
  HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
  if (process == nullptr) return std::nullopt;
  DWORD exit_code = 0;
  FILETIME created{}, exited{}, kernel{}, user{};
  const bool running = GetExitCodeProcess(process, &exit_code) && exit_code == STILL_ACTIVE &&
                       GetProcessTimes(process, &created, &exited, &kernel, &user);
  CloseHandle(process);
  if (!running) return std::nullopt;
  const auto ticks =
      (static_cast<std::uint64_t>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
  return "windows:" + std::to_string(ticks);
#elif defined(__linux__)
  // /proc/<pid>/stat: "pid (comm) state ... starttime" with starttime the 22nd field, in clock
  // ticks since boot. comm may hold spaces and parentheses, so fields count from the last ')'.
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  std::string state;
  for (int n = 3; n <= 22 && fields >> field; ++n) {
    if (n == 3) state = field;
  }
  // A zombie (Z) or dead (X) process has a /proc entry but is no agent at work.
  if (fields.fail() || state == "Z" || state == "X") return std::nullopt;
  return "linux:" + field;
#else
  return std::nullopt;
#endif
}

std::string current_process_start() {
  static const std::string start = process_start_of(current_pid()).value_or("");
  return start;
}

std::optional<std::string> another_agent_at_work(const std::filesystem::path& journal_file) {
  auto read = read_gate_journal(journal_file);
  if (!read || !*read) return std::nullopt;
  const GateJournalEntry& e = **read;
  if (e.finished || e.boot_id != current_boot_id() || e.pid == current_pid() ||
      e.process_start.empty()) {
    return std::nullopt;
  }
  const auto running = process_start_of(e.pid);
  if (!running || *running != e.process_start) return std::nullopt;
  return "another rdwarm boot (pid " + std::to_string(e.pid) + ", warming up since " +
         format_utc(e.warmup_started_at) + ") is at work on this host and holds its " +
         e.gate_kind + " gate (" + e.gate_state +
         "); this run stops rather than fight it over the gate. It opens the gate when the host "
         "is ready or applies on_deadline; to restart the warm-up, stop process " +
         std::to_string(e.pid) + " first (the next run takes over its gate and its deadline)";
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
  if (const auto start = j.find("process_start"); start != j.end()) {
    if (!start->is_string()) return make_error(where, "process_start", "expected a string");
    e.process_start = start->get<std::string>();
  }
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
                            {"process_start", e.process_start},
                            {"finished", e.finished}};
  return host::write_file_atomically(file, j.dump(2) + "\n", kWhere);
}

}  // namespace rdwarm::agent
