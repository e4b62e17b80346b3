#include "licensing/host/lab/lab_state_file.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <system_error>

#include "licensing/host/atomic_file.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/utc_time.hpp"

namespace rdwarm::host::lab {

namespace {

using nlohmann::json;

constexpr const char* kWhere = "lab state file";
// The state file is small (a certificate chain of a few KiB); refuse anything absurd.
constexpr std::uintmax_t kMaxStateFileBytes = 1024 * 1024;

Error key_error(const std::string& key, const std::string& what) {
  return make_error(kWhere, key, what);
}

json optional_json(const std::optional<std::uint32_t>& v) {
  return v ? json(*v) : json(nullptr);
}
json optional_json(const std::optional<std::string>& v) {
  return v ? json(*v) : json(nullptr);
}

// Typed readers: each names the key it was asked for in its error.
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {}

  const json* find(const std::string& key) {
    const auto* node = &object_;
    std::string path;
    std::size_t start = 0;
    while (true) {
      const auto dot = key.find('.', start);
      const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
      if (!node->is_object()) return nullptr;
      const auto it = node->find(part);
      if (it == node->end()) return nullptr;
      node = &*it;
      if (dot == std::string::npos) return node;
      start = dot + 1;
    }
  }

  bool u32(const std::string& key, std::uint32_t& out) {
    const json* v = find(key);
    if (v == nullptr) return true;  // absent keys keep their defaults
    if (!v->is_number_unsigned() ||
        v->get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
      return fail(key, "expected an unsigned 32-bit number (a REG_DWORD)");
    }
    out = v->get<std::uint32_t>();
    return true;
  }
  bool opt_u32(const std::string& key, std::optional<std::uint32_t>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) {
      out.reset();
      return true;
    }
    std::uint32_t value = 0;
    if (!u32(key, value)) return false;
    out = value;
    return true;
  }
  bool u64(const std::string& key, std::uint64_t& out) {
    const json* v = find(key);
    if (v == nullptr) return true;
    if (!v->is_number_unsigned()) return fail(key, "expected an unsigned number");
    out = v->get<std::uint64_t>();
    return true;
  }
  bool boolean(const std::string& key, bool& out) {
    const json* v = find(key);
    if (v == nullptr) return true;
    if (!v->is_boolean()) return fail(key, "expected true or false");
    out = v->get<bool>();
    return true;
  }
  bool str(const std::string& key, std::string& out) {
    const json* v = find(key);
    if (v == nullptr) return true;
    if (!v->is_string()) return fail(key, "expected a string");
    out = v->get<std::string>();
    return true;
  }
  bool opt_str(const std::string& key, std::optional<std::string>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) {
      out.reset();
      return true;
    }
    std::string s;
    if (!str(key, s)) return false;
    out = std::move(s);
    return true;
  }
  bool str_list(const std::string& key, std::vector<std::string>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return true;
    if (!v->is_array()) return fail(key, "expected a list of strings (a REG_MULTI_SZ)");
    out.clear();
    for (const auto& item : *v) {
      if (!item.is_string()) return fail(key, "expected a list of strings (a REG_MULTI_SZ)");
      out.push_back(item.get<std::string>());
    }
    return true;
  }
  bool time(const std::string& key, std::optional<SystemTime>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) {
      out.reset();
      return true;
    }
    if (!v->is_string()) return fail(key, "expected a UTC time string like 2026-11-21T08:30:00Z");
    auto t = parse_utc(v->get<std::string>(), kWhere);
    if (!t.ok()) return fail(key, t.error().what);
    out = *t;
    return true;
  }
  bool hex_bytes(const std::string& key, std::vector<std::uint8_t>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) {
      out.clear();
      return true;
    }
    if (!v->is_string()) return fail(key, "expected hexadecimal bytes");
    auto bytes = wire::from_hex(v->get<std::string>());
    if (!bytes.ok()) return fail(key, "expected hexadecimal bytes: " + bytes.error().what);
    out = std::move(bytes).value();
    return true;
  }

  // {"name": "running" | "stopped", ...}; absent or null: no services.
  bool services(const std::string& key, std::map<std::string, ServiceState>& out) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return true;
    if (!v->is_object()) {
      return fail(key, R"(expected an object of service names, {"BrokerAgent": "running"})");
    }
    out.clear();
    for (const auto& [name, state] : v->items()) {
      if (name.empty()) return fail(key, "a service name is empty");
      const std::string state_text = state.is_string() ? state.get<std::string>() : "";
      if (state_text == "running") {
        out[name] = ServiceState::kRunning;
      } else if (state_text == "stopped") {
        out[name] = ServiceState::kStopped;
      } else {
        std::string entry = key;
        entry.append(".").append(name);
        return fail(entry, R"(expected "running" or "stopped")");
      }
    }
    return true;
  }

  [[nodiscard]] const std::optional<Error>& error() const { return error_; }

 private:
  bool fail(const std::string& key, const std::string& what) {
    if (!error_) error_ = key_error(key, what);
    return false;
  }

  const json& object_;
  std::optional<Error> error_;
};

// An exclusive lock on a sibling lock file: the state file itself is replaced by rename, so it
// cannot carry the lock. Released when the object goes away.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& file) {
    const auto lock_path =
        std::filesystem::path(file.native() + std::filesystem::path(".lock").native());
#ifdef _WIN32
    handle_ = ::CreateFileW(lock_path.c_str(), GENERIC_READ | GENERIC_WRITE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_ALWAYS,
                            FILE_ATTRIBUTE_NORMAL, nullptr);
    OVERLAPPED whole{};
    if (handle_ != INVALID_HANDLE_VALUE &&
        ::LockFileEx(handle_, LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &whole) == 0) {
      ::CloseHandle(handle_);
      handle_ = INVALID_HANDLE_VALUE;
    }
#else
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
#endif
  }
  ~FileLock() {
#ifdef _WIN32
    if (handle_ != INVALID_HANDLE_VALUE) ::CloseHandle(handle_);
#else
    if (fd_ >= 0) ::close(fd_);
#endif
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  FileLock(FileLock&&) = delete;
  FileLock& operator=(FileLock&&) = delete;
#ifdef _WIN32
  [[nodiscard]] bool held() const {
    return handle_ != INVALID_HANDLE_VALUE;
  }

 private:
  HANDLE handle_ = INVALID_HANDLE_VALUE;
#else
  [[nodiscard]] bool held() const {
    return fd_ >= 0;
  }

 private:
  int fd_ = -1;
#endif
};

}  // namespace

std::string encode_lab_state(const LabHostState& s) {
  json j;
  j["format"] = kLabStateFormat;
  j["revision"] = s.revision;
  j["updated_at"] = format_utc(s.updated_at);
  j["host_name"] = s.host_name;
  j["rdsh_role"] = s.rdsh_role;
  j["edition_id"] = s.edition_id;
  j["licensing_mode"] = {{"policy", optional_json(s.policy_licensing_mode)},
                         {"local", optional_json(s.local_licensing_mode)}};
  j["license_servers"] = {{"policy", optional_json(s.policy_license_servers)},
                          {"local", s.local_license_servers}};
  j["grace_period_end"] =
      s.grace_period_end ? json(format_utc(*s.grace_period_end)) : json(nullptr);
  j["x509_certificate2"] =
      s.x509_certificate2.empty() ? json(nullptr) : json(wire::to_hex(s.x509_certificate2));
  j["user_authentication"] = s.user_authentication;
  j["sxs_listener"] = s.sxs_listener_name ? json{{"name", *s.sxs_listener_name},
                                                 {"enabled", s.sxs_listener_enabled}}
                                          : json(nullptr);
  if (s.sxs_listener_name && s.sxs_session_directory_listener) {
    j["sxs_listener"]["session_directory_listener"] = *s.sxs_session_directory_listener;
  }
  j["drain_mode"] = s.drain_mode;
  j["winstations_disabled"] = s.winstations_disabled;
  if (!s.services.empty()) {
    json services = json::object();
    for (const auto& [name, state] : s.services) services[name] = service_state_name(state);
    j["services"] = std::move(services);
  }
  return j.dump(2) + "\n";
}

Result<LabHostState> decode_lab_state(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return make_error(kWhere, "", "not valid JSON");
  }
  if (!j.is_object()) {
    return make_error(kWhere, "", "expected a JSON object");
  }
  LabHostState s;
  Fields f(j);
  std::string format;
  if (!f.str("format", format)) return *f.error();
  if (format != kLabStateFormat) {
    return key_error("format",
                     std::string("expected \"") + kLabStateFormat + "\", got \"" + format + "\"");
  }
  std::optional<SystemTime> updated;
  const bool ok =
      f.u64("revision", s.revision) && f.time("updated_at", updated) &&
      f.str("host_name", s.host_name) && f.boolean("rdsh_role", s.rdsh_role) &&
      f.str("edition_id", s.edition_id) &&
      f.opt_u32("licensing_mode.policy", s.policy_licensing_mode) &&
      f.opt_u32("licensing_mode.local", s.local_licensing_mode) &&
      f.opt_str("license_servers.policy", s.policy_license_servers) &&
      f.str_list("license_servers.local", s.local_license_servers) &&
      f.time("grace_period_end", s.grace_period_end) &&
      f.hex_bytes("x509_certificate2", s.x509_certificate2) &&
      f.u32("user_authentication", s.user_authentication) &&
      f.opt_str("sxs_listener.name", s.sxs_listener_name) &&
      f.u32("sxs_listener.enabled", s.sxs_listener_enabled) && f.u32("drain_mode", s.drain_mode) &&
      f.u32("winstations_disabled", s.winstations_disabled) && f.services("services", s.services);
  if (!ok) return *f.error();
  if (!f.opt_str("sxs_listener.session_directory_listener", s.sxs_session_directory_listener)) {
    return *f.error();
  }
  if (updated) s.updated_at = *updated;
  return s;
}

Result<LabHostState> read_lab_state_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    return make_error(kWhere, "",
                      "cannot read " + file.string() + ": " + ec.message() +
                          " (is rdwarm-lab running with --state-dir " +
                          file.parent_path().string() + "?)");
  }
  if (size > kMaxStateFileBytes) {
    return make_error(kWhere, "",
                      file.string() + " is " + std::to_string(size) +
                          " bytes; a lab state file is at most 1 MiB");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) {
    return make_error(kWhere, "", "cannot read " + file.string());
  }
  auto state = decode_lab_state(text.str());
  if (!state.ok()) {
    Error e = state.error();
    e.where = kWhere + std::string(" ") + file.string();
    return e;
  }
  return state;
}

Status write_lab_state_file(const std::filesystem::path& file, LabHostState state) {
  return write_file_atomically(file, encode_lab_state(state), kWhere);
}

Result<LabHostState> update_lab_state_file(const std::filesystem::path& file,
                                           const std::function<void(LabHostState&)>& change,
                                           const LabHostState& initial) {
  FileLock lock(file);
  if (!lock.held()) {
    return make_error(kWhere, "", "cannot lock " + file.string() + ".lock");
  }
  LabHostState state = initial;
  if (std::filesystem::exists(file)) {
    auto current = read_lab_state_file(file);
    if (!current.ok()) return current.error();
    state = std::move(current).value();
  }
  change(state);
  ++state.revision;
  state.updated_at = std::chrono::system_clock::now();
  auto written = write_lab_state_file(file, state);
  if (!written.ok()) return written.error();
  return state;
}

namespace {

bool same_service_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

const ServiceState* find_lab_service(const LabHostState& state, const std::string& name) {
  for (const auto& [key, value] : state.services) {
    if (same_service_name(key, name)) return &value;
  }
  return nullptr;
}

ServiceState* find_lab_service(LabHostState& state, const std::string& name) {
  for (auto& [key, value] : state.services) {
    if (same_service_name(key, name)) return &value;
  }
  return nullptr;
}

RawHostValues raw_values_from_lab_state(const LabHostState& s) {
  RawHostValues raw;
  auto src = [](const char* key) { return std::string("lab:") + key; };
  raw.rdsh_role = Fact<bool>::found(s.rdsh_role, src("rdsh_role"));
  raw.edition_id = Fact<std::string>::found(s.edition_id, src("edition_id"));
  raw.policy_licensing_mode =
      s.policy_licensing_mode
          ? Fact<std::uint32_t>::found(*s.policy_licensing_mode, src("licensing_mode.policy"))
          : Fact<std::uint32_t>::absent(src("licensing_mode.policy"));
  raw.local_licensing_mode =
      s.local_licensing_mode
          ? Fact<std::uint32_t>::found(*s.local_licensing_mode, src("licensing_mode.local"))
          : Fact<std::uint32_t>::absent(src("licensing_mode.local"));
  raw.policy_license_servers =
      s.policy_license_servers
          ? Fact<std::string>::found(*s.policy_license_servers, src("license_servers.policy"))
          : Fact<std::string>::absent(src("license_servers.policy"));
  raw.local_license_servers =
      s.local_license_servers.empty()
          ? Fact<std::vector<std::string>>::absent(src("license_servers.local"))
          : Fact<std::vector<std::string>>::found(s.local_license_servers,
                                                  src("license_servers.local"));
  raw.x509_certificate2 =
      s.x509_certificate2.empty()
          ? Fact<std::vector<std::uint8_t>>::absent(src("x509_certificate2"))
          : Fact<std::vector<std::uint8_t>>::found(s.x509_certificate2, src("x509_certificate2"));
  raw.x509_certificate = Fact<std::vector<std::uint8_t>>::absent(src("x509_certificate"));
  raw.grace_period_end = s.grace_period_end
                             ? Fact<SystemTime>::found(*s.grace_period_end, src("grace_period_end"))
                             : Fact<SystemTime>::absent(src("grace_period_end"));
  raw.user_authentication =
      Fact<std::uint32_t>::found(s.user_authentication, src("user_authentication"));
  raw.sxs_listener_name =
      s.sxs_listener_name ? Fact<std::string>::found(*s.sxs_listener_name, src("sxs_listener.name"))
                          : Fact<std::string>::absent(src("sxs_listener.name"));
  raw.sxs_listener_enabled =
      Fact<std::uint32_t>::found(s.sxs_listener_enabled, src("sxs_listener.enabled"));
  raw.sxs_session_directory_listener =
      s.sxs_session_directory_listener
          ? Fact<std::string>::found(*s.sxs_session_directory_listener,
                                     src("sxs_listener.session_directory_listener"))
          : Fact<std::string>::absent(src("sxs_listener.session_directory_listener"));
  raw.drain_mode = Fact<std::uint32_t>::found(s.drain_mode, src("drain_mode"));
  raw.winstations_disabled =
      Fact<std::uint32_t>::found(s.winstations_disabled, src("winstations_disabled"));
  return raw;
}

}  // namespace rdwarm::host::lab
