#include "config/default_paths.hpp"

#include <cstdlib>
#include <system_error>

namespace rdwarm::config {

namespace {

std::filesystem::path temp_dir() {
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  // temp_directory_path fails only when $TMPDIR names something that is not a directory.
  if (ec) return std::filesystem::path("/tmp");
  return dir;
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

std::filesystem::path default_data_dir() {
#ifdef _WIN32
  std::string program_data = environment("ProgramData");
  if (program_data.empty()) program_data = "C:\\ProgramData";
  return path_from_utf8(program_data) / "rdwarm";
#else
  return temp_dir() / "rdwarm";
#endif
}

std::filesystem::path default_config_path() {
#ifdef _WIN32
  return default_data_dir() / "rdwarm.toml";
#else
  return std::filesystem::path("/etc/rdwarm/rdwarm.toml");
#endif
}

std::filesystem::path default_status_path() {
  return default_data_dir() / "status.json";
}

std::filesystem::path default_gate_journal_path() {
  return default_data_dir() / "gate-journal.json";
}

std::filesystem::path default_manifest_path() {
  return default_data_dir() / "seal-manifest.json";
}

std::filesystem::path default_password_file_path() {
  return default_config_path().parent_path() / "nla-password";
}

std::filesystem::path default_lab_state_dir() {
  const std::string dir = environment("RDWARM_LAB_STATE_DIR");
  if (!dir.empty()) return path_from_utf8(dir);
  return temp_dir() / "rdwarm-lab";
}

std::filesystem::path path_from_utf8(const std::string& text) {
  const std::u8string utf8(text.begin(), text.end());
  return std::filesystem::path(utf8);
}

std::string path_to_utf8(const std::filesystem::path& path) {
  const std::u8string utf8 = path.u8string();
  return std::string(utf8.begin(), utf8.end());
}

}  // namespace rdwarm::config
