#include "warmup/agent/status_file.hpp"

#include <atomic>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <chrono>
#include <thread>
#endif

namespace rdwarm::agent {

namespace {

constexpr const char* kWhere = "status file";

// Unique per process and call, so two agents (or two threads) never share a temp file.
std::string temp_suffix() {
  static const std::uint64_t process_nonce = std::random_device{}();
  static std::atomic<std::uint64_t> counter{0};
  return std::to_string(process_nonce) + "." + std::to_string(counter.fetch_add(1));
}

std::error_code replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
#ifdef _WIN32
  // Explicit MoveFileExW rather than std::filesystem::rename, whose replace semantics differ
  // between runtimes. A reader that opened the file without FILE_SHARE_DELETE (a monitoring agent
  // reading it right now) makes the move fail for a moment: retry for up to ~0.5 s.
  DWORD last = ERROR_SUCCESS;
  for (int i = 0; i < 25; ++i) {
    if (MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
      return {};
    }
    last = GetLastError();
    if (last != ERROR_ACCESS_DENIED && last != ERROR_SHARING_VIOLATION) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::error_code(static_cast<int>(last), std::system_category());
#else
  std::error_code ec;
  std::filesystem::rename(from, to, ec);  // rename(2): atomic replace
  return ec;
#endif
}

}  // namespace

Status write_status_file(const std::filesystem::path& file, const AgentStatus& status) {
  if (file.empty()) return make_error(kWhere, "", "no path given for the status file");
  std::error_code ec;
  const auto parent = file.parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return make_error(kWhere, "",
                        "cannot create the directory " + parent.string() + ": " + ec.message() +
                            "; check that the agent's account may write there, or set "
                            "[status] file in rdwarm.toml");
    }
  }
  auto temp = file;
  temp += ".tmp." + temp_suffix();
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << agent_status_text(status, true) << '\n';
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(temp, ec);
      return make_error(kWhere, "",
                        "cannot write " + temp.string() + "; check free space and permissions");
    }
  }
  if (const auto error = replace_file(temp, file)) {
    std::filesystem::remove(temp, ec);
    return make_error(kWhere, "", "cannot replace " + file.string() + ": " + error.message());
  }
  return Ok{};
}

}  // namespace rdwarm::agent
