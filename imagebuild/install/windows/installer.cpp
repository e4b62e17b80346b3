// install() and uninstall() on Windows: the steps of docs/image-install.md, in that order, each
// reported as an item. A failing step ends the run with its error; the items before it were done,
// and running the same command again finishes the job (every step is idempotent).
#ifdef _WIN32

#include "imagebuild/install/installer.hpp"

#include <thread>

#include "config/default_paths.hpp"
#include "config/loader.hpp"
#include "imagebuild/install/install_files.hpp"
#include "imagebuild/install/task_xml.hpp"
#include "imagebuild/install/windows/boot_task.hpp"
#include "imagebuild/install/windows/registry_write.hpp"
#include "imagebuild/install/windows/service_registration.hpp"
#include "licensing/host/windows/service_control.hpp"
#include "licensing/host/windows/win32.hpp"
#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::imagebuild::install {

namespace {

using config::path_to_utf8;
using Kind = windows::RegistryValueSpec::Kind;

constexpr std::string_view kEventSourceWhere = "HKLM\\SYSTEM\\...\\EventLog\\Application\\rdwarm";
// EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE
constexpr std::uint32_t kTypesSupported = 0x7;

std::string task_detail(const BootTaskSpec& spec) {
  const std::string limit = spec.execution_time_limit.count() == 0
                                ? "no time limit (serves health)"
                                : "time limit " + iso8601_duration(spec.execution_time_limit);
  return "at boot, no delay, SYSTEM, highest privileges, " + limit + ", restart " +
         std::to_string(spec.restart_count) + " x every " + iso8601_duration(spec.restart_interval);
}

std::string service_detail(const ServiceRecovery& recovery) {
  std::string delays;
  for (const auto d : recovery.restart_delays) {
    if (!delays.empty()) delays += "/";
    delays += std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
  }
  return "automatic start, LocalSystem, depends on " + std::string(kServiceDependency) +
         ", restarts after " + delays;
}

struct InstallState {
  bool present = false;
  std::string mode;
  std::string install_dir;
  std::string config_file;
  std::string config_sha256;
};

Result<InstallState> read_install_state() {
  InstallState s;
  struct Field {
    const char* name;
    std::string* out;
  };
  for (const auto& f :
       {Field{"Mode", &s.mode}, Field{"InstallDir", &s.install_dir},
        Field{"ConfigFile", &s.config_file}, Field{"ConfigSha256", &s.config_sha256}}) {
    auto v = windows::read_hklm_string(kInstallStateKey, f.name);
    if (!v) return v.error();
    if (*v) {
      s.present = true;
      *f.out = **v;
    }
  }
  return s;
}

// The configuration to install: --config, else the installed file, else the defaults' stub.
struct ConfigChoice {
  std::string text;
  config::AgentConfig config;
  bool write = true;  // false: the installed file stays as it is
  std::string origin;
};

Result<ConfigChoice> choose_config(const InstallRequest& req) {
  ConfigChoice c;
  std::error_code ec;
  if (!req.source_config.empty()) {
    auto text = read_whole_file(req.source_config, config::kMaxConfigFileBytes);
    if (!text) return text.error();
    c.text = std::move(*text);
    c.origin = "from " + path_to_utf8(req.source_config);
  } else if (std::filesystem::exists(req.layout.config_file, ec)) {
    auto text = read_whole_file(req.layout.config_file, config::kMaxConfigFileBytes);
    if (!text) return text.error();
    c.text = std::move(*text);
    c.write = false;
    c.origin = "existing file, left as it is";
  } else {
    c.text = std::string(kDefaultConfigText);
    c.origin = "documented defaults";
  }
  const std::string source = req.source_config.empty() ? path_to_utf8(req.layout.config_file)
                                                       : path_to_utf8(req.source_config);
  auto loaded = config::load_config_text(c.text, source);
  if (!loaded) return loaded.error();
  c.config = std::move(*loaded);
  return c;
}

bool is_running_executable(const std::filesystem::path& file) {
  const auto self = running_executable();
  if (self.empty()) return false;
  std::error_code ec;
  return std::filesystem::equivalent(self, file, ec);
}

void remove_if_empty(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec) && std::filesystem::is_empty(dir, ec)) {
    std::filesystem::remove(dir, ec);
  }
}

// A file of the uninstalled product: deleted; when it cannot be (rdwarm.exe running this very
// uninstall), moved aside and left for Windows to delete at the next restart.
Result<Change> remove_file(const std::filesystem::path& file, std::string& detail) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Change::kAbsent;
  // A service process that just reported STOPPED may still hold its image for a moment.
  for (int i = 0; i < 50; ++i) {
    if (std::filesystem::remove(file, ec)) return Change::kRemoved;
    if (!is_running_executable(file)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    const auto aside = file.parent_path() / (file.filename().wstring() + L".uninstalled");
    const std::wstring from = file.wstring();
    const std::wstring to = aside.wstring();
    if (MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING) &&
        MoveFileExW(to.c_str(), nullptr, MOVEFILE_DELAY_UNTIL_REBOOT)) {
      detail = "it runs this uninstall: moved to " + path_to_utf8(aside) +
               ", which Windows deletes at the next restart";
      return Change::kRemoved;
    }
    break;
  }
  return make_error(path_to_utf8(file), "",
                    "cannot delete: " + (ec ? ec.message() : std::string("in use")) +
                        "; stop whatever runs it and run rdwarm image uninstall again");
}

}  // namespace

InstallReport install(const InstallRequest& req) {
  InstallReport r;
  r.action = "install";
  r.mode = req.mode;
  const auto& layout = req.layout;
  const std::string service_name(kServiceName);

  auto chosen = choose_config(req);
  if (!chosen) {
    r.error = chosen.error();
    r.error_exit_code = 2;
    return r;
  }
  auto state = read_install_state();
  if (!state) {
    r.error = state.error();
    return r;
  }
  auto service_there = windows::service_registered(service_name);
  if (!service_there) {
    r.error = service_there.error();
    return r;
  }
  auto task_there = windows::registered_task_xml(kTaskFolder, kTaskName);
  if (!task_there) {
    r.error = task_there.error();
    return r;
  }
  r.was_installed = state->present || *service_there || task_there->has_value();

  // A running service holds rdwarm.exe open: stopped for the copy, started again afterwards when
  // it stays the chosen mode.
  bool restart_service = false;
  if (*service_there) {
    auto s = host::windows::query_windows_service(service_name);
    if (s && *s != host::ServiceState::kStopped) {
      if (auto stopped = host::windows::stop_windows_service(service_name,
                                                             service_stop_timeout(chosen->config));
          !stopped) {
        r.error = stopped.error();
        return r;
      }
      restart_service = req.mode == InstallMode::kService;
    }
  }

  auto exe = copy_file_if_different(req.source_executable, layout.executable());
  if (!exe) {
    r.error = exe.error();
    return r;
  }
  r.items.push_back(
      {"executable", path_to_utf8(layout.executable()), *exe,
       *exe == Change::kUnchanged ? "" : "from " + path_to_utf8(req.source_executable)});

  std::string config_sha;
  if (chosen->write) {
    auto written = write_file_if_different(layout.config_file, chosen->text);
    if (!written) {
      r.error = written.error();
      return r;
    }
    config_sha = sha256_hex(chosen->text);
    r.items.push_back({"config", path_to_utf8(layout.config_file), *written, chosen->origin});
  } else {
    // Still ours only if it is what install wrote last time; otherwise the admin's, kept for good.
    const auto current = sha256_hex(chosen->text);
    if (current == state->config_sha256) config_sha = current;
    r.items.push_back({"config", path_to_utf8(layout.config_file), Change::kKept, chosen->origin});
  }

  auto events = windows::ensure_hklm_values(
      kEventSourceKey,
      {{"EventMessageFile", Kind::kExpandString, path_to_utf8(layout.executable()), 0},
       {"TypesSupported", Kind::kDword, "", kTypesSupported}});
  if (!events) {
    r.error = events.error();
    return r;
  }
  r.items.push_back({"event source", std::string(kEventSourceWhere), *events,
                     "Application log, messages from rdwarm.exe"});

  if (req.mode == InstallMode::kTask) {
    if (*service_there) {
      auto removed = windows::remove_service(service_name, service_stop_timeout(chosen->config));
      if (!removed) {
        r.error = removed.error();
        return r;
      }
      r.items.push_back({"service", service_name, *removed, "replaced by the boot task"});
    }
    const auto spec = boot_task_spec(layout, chosen->config, req.version);
    auto task = windows::register_boot_task(kTaskFolder, kTaskName, boot_task_xml(spec));
    if (!task) {
      r.error = task.error();
      return r;
    }
    r.items.push_back({"boot task", std::string(kTaskPath), *task, task_detail(spec)});
  } else {
    if (task_there->has_value()) {
      auto removed = windows::delete_boot_task(kTaskFolder, kTaskName);
      if (!removed) {
        r.error = removed.error();
        return r;
      }
      r.items.push_back({"boot task", std::string(kTaskPath), *removed, "replaced by the service"});
    }
    windows::ServiceSpec spec;
    spec.name = service_name;
    spec.display_name = std::string(kServiceDisplayName);
    spec.description = std::string(kServiceDescription);
    spec.command_line = service_command_line(layout);
    spec.dependency = std::string(kServiceDependency);
    auto service = windows::ensure_service(spec);
    if (!service) {
      r.error = service.error();
      return r;
    }
    r.items.push_back({"service", service_name, *service, service_detail(spec.recovery)});
    if (restart_service) {
      if (auto started =
              host::windows::start_windows_service(service_name, std::chrono::seconds(30));
          !started) {
        r.warnings.push_back(
            "the service was running before the update and did not start "
            "again: " +
            started.error().message());
      }
    }
  }

  auto recorded = windows::ensure_hklm_values(
      kInstallStateKey, {{"Mode", Kind::kString, std::string(to_string(req.mode)), 0},
                         {"InstallDir", Kind::kString, path_to_utf8(layout.install_dir), 0},
                         {"ConfigFile", Kind::kString, path_to_utf8(layout.config_file), 0},
                         {"ConfigSha256", Kind::kString, config_sha, 0},
                         {"Version", Kind::kString, req.version, 0}});
  if (!recorded) {
    r.error = recorded.error();
    return r;
  }
  r.items.push_back({"install record", "HKLM\\" + std::string(kInstallStateKey), *recorded,
                     config_sha.empty() ? "the config is the admin's: uninstall keeps it"
                                        : "uninstall deletes the config while it is unchanged"});
  return r;
}

InstallReport uninstall(const UninstallRequest& req) {
  InstallReport r;
  r.action = "uninstall";
  const std::string service_name(kServiceName);
  auto state = read_install_state();
  if (!state) {
    r.error = state.error();
    return r;
  }
  InstallLayout layout = req.layout;
  if (!state->install_dir.empty()) layout.install_dir = config::path_from_utf8(state->install_dir);
  if (!state->config_file.empty()) layout.config_file = config::path_from_utf8(state->config_file);
  r.mode = state->mode == "service" ? InstallMode::kService : InstallMode::kTask;

  // The installed configuration says where the journal and the status file are and how long
  // the service may take to stop; a damaged one falls back to the defaults.
  config::AgentConfig cfg = config::default_config();
  std::error_code ec;
  if (std::filesystem::exists(layout.config_file, ec)) {
    auto loaded = config::load_config_file(layout.config_file);
    if (loaded) {
      cfg = std::move(*loaded);
    } else {
      r.warnings.push_back("the installed configuration does not load (" +
                           loaded.error().message() + "); the default paths were used");
    }
  }

  auto service = windows::remove_service(service_name, service_stop_timeout(cfg));
  if (!service) {
    r.error = service.error();
    return r;
  }
  r.items.push_back({"service", service_name, *service, ""});

  auto task = windows::delete_boot_task(kTaskFolder, kTaskName);
  if (!task) {
    r.error = task.error();
    return r;
  }
  r.items.push_back({"boot task", std::string(kTaskPath), *task, ""});

  auto events = windows::delete_hklm_tree(kEventSourceKey);
  if (!events) {
    r.error = events.error();
    return r;
  }
  r.items.push_back({"event source", std::string(kEventSourceWhere), *events, ""});

  std::optional<std::string> gate_closed;
  if (req.gate_left_closed) gate_closed = req.gate_left_closed(cfg);
  for (const auto& [what, file] :
       {std::pair{"gate journal", cfg.gate.journal}, std::pair{"status file", cfg.status.file}}) {
    if (file.empty()) continue;
    if (gate_closed) {
      if (std::filesystem::exists(file, ec)) {
        r.items.push_back({what, path_to_utf8(file), Change::kKept, "the gate is closed"});
      }
      continue;
    }
    std::string detail;
    auto removed = remove_file(file, detail);
    if (!removed) {
      r.error = removed.error();
      return r;
    }
    if (*removed == Change::kRemoved)
      r.items.push_back({what, path_to_utf8(file), *removed, detail});
  }
  if (gate_closed) r.warnings.push_back(*gate_closed);

  if (std::filesystem::exists(layout.config_file, ec)) {
    auto current = file_sha256_hex(layout.config_file);
    if (current && !state->config_sha256.empty() && *current == state->config_sha256) {
      std::string detail;
      auto removed = remove_file(layout.config_file, detail);
      if (!removed) {
        r.error = removed.error();
        return r;
      }
      r.items.push_back(
          {"config", path_to_utf8(layout.config_file), *removed, "unchanged since install"});
    } else {
      const std::string why =
          state->config_sha256.empty() ? "install did not write it" : "changed since install";
      r.items.push_back({"config", path_to_utf8(layout.config_file), Change::kKept, why});
      r.warnings.push_back("kept " + path_to_utf8(layout.config_file) + " (" + why +
                           "); delete it yourself if it is no longer needed");
    }
  }

  std::string exe_detail;
  auto exe = remove_file(layout.executable(), exe_detail);
  if (!exe) {
    r.error = exe.error();
    return r;
  }
  r.items.push_back({"executable", path_to_utf8(layout.executable()), *exe, exe_detail});
  if (!exe_detail.empty()) {
    // The directory goes after the program, at the same restart (pending operations keep their
    // order).
    MoveFileExW(layout.install_dir.wstring().c_str(), nullptr, MOVEFILE_DELAY_UNTIL_REBOOT);
  }
  remove_if_empty(layout.install_dir);
  remove_if_empty(layout.config_file.parent_path());

  auto record = windows::delete_hklm_tree(kInstallStateKey);
  if (!record) {
    r.error = record.error();
    return r;
  }
  r.items.push_back({"install record", "HKLM\\" + std::string(kInstallStateKey), *record, ""});

  for (const auto& i : r.items) {
    if (i.change == Change::kRemoved) r.was_installed = true;
  }
  return r;
}

std::filesystem::path running_executable() {
  std::wstring self(32768, L'\0');
  const DWORD n = GetModuleFileNameW(nullptr, self.data(), static_cast<DWORD>(self.size()));
  if (n == 0 || n >= self.size()) return {};
  self.resize(n);
  return std::filesystem::path(self);
}

}  // namespace rdwarm::imagebuild::install

#endif  // _WIN32
