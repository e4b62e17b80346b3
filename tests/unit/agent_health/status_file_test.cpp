// The status file: JSON written atomically (temp file + rename), parent directories created,
// readers never see a partial file.
#include "warmup/agent/status_file.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif

namespace rdwarm::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// A fresh directory under the system temp directory, removed afterwards. (The shared test
// support's temp dir is POSIX-only; this test also runs under wine.)
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("rdwarm-status-file-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Reads the whole file the way a well-behaved monitor does. On Windows that means sharing
// delete access, so the writer can rename over the file while it is open (docs/health.md).
std::string read_shared(const fs::path& file) {
#ifdef _WIN32
  HANDLE h = CreateFileW(file.c_str(), GENERIC_READ,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return {};
  std::string text;
  std::array<char, 4096> chunk{};
  DWORD n = 0;
  while (ReadFile(h, chunk.data(), static_cast<DWORD>(chunk.size()), &n, nullptr) && n > 0) {
    text.append(chunk.data(), n);
  }
  CloseHandle(h);
  return text;
#else
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
#endif
}

// Wine does not emulate POSIX rename semantics: there, like on Windows before 10 1607, a file
// cannot be replaced while anyone holds it open.
bool replace_while_open_unsupported() {
#ifdef _WIN32
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
  return false;
#endif
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(StatusFile, CreatesDirectoriesAndWritesTheSchema) {
  TempDir dir;
  const auto file = dir.path() / "a" / "b" / "status.json";
  AgentStatus s;
  s.version = "0.1.0";
  s.phase = AgentPhase::kWaiting;
  s.reasons = {"The license server did not answer."};
  const auto written = write_status_file(file, s);
  ASSERT_TRUE(written.ok()) << written.error().message();
  const auto j = read_json(file);
  EXPECT_EQ(j["schema"], "rdwarm.agent-status/1");
  EXPECT_EQ(j["phase"], "Waiting");
  EXPECT_EQ(j["reasons"][0], "The license server did not answer.");
  EXPECT_EQ(entries(file.parent_path()), 1u);  // no temp file left behind
}

TEST(StatusFile, ReplacesAnExistingFile) {
  TempDir dir;
  const auto file = dir.path() / "status.json";
  {
    std::ofstream old(file);
    old << "an older, longer file that must be replaced, not overwritten in place: "
        << std::string(10000, 'x');
  }
  AgentStatus s;
  s.ready = true;
  s.exit_code = 0;
  ASSERT_TRUE(write_status_file(file, s).ok());
  const auto j = read_json(file);
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(StatusFile, ReadersSeeWholeFilesWhileItIsRewritten) {
  if (replace_while_open_unsupported()) {
    GTEST_SKIP() << "wine cannot replace a file that a reader holds open (no POSIX rename "
                    "semantics); StatusFileWindows covers the retry it falls back to";
  }
  TempDir dir;
  const auto file = dir.path() / "status.json";
  AgentStatus s;
  ASSERT_TRUE(write_status_file(file, s).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> bad{0};
  // A polling monitor: opens, reads, closes, pauses.
  std::thread reader([&] {
    while (!done) {
      if (!json::accept(read_shared(file))) ++bad;
      ++reads;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::string failure;
  for (std::uint32_t i = 0; i < 300 && failure.empty(); ++i) {
    s.attempts = i;
    s.reasons.assign(i % 7, std::string(i % 97, 'r'));  // files of different lengths
    if (const auto w = write_status_file(file, s); !w.ok()) failure = w.error().message();
  }
  done = true;
  reader.join();
  ASSERT_EQ(failure, "");
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(read_json(file)["attempts"]["total"], 299);
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(StatusFile, ErrorsNameThePathAndLeaveNothingBehind) {
  TempDir dir;
  // The parent "directory" is a regular file: the directory cannot be created.
  const auto blocker = dir.path() / "not-a-dir";
  { std::ofstream(blocker) << "x"; }
  const auto r = write_status_file(blocker / "status.json", AgentStatus{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "status file");
  EXPECT_NE(r.error().what.find("not-a-dir"), std::string::npos) << r.error().what;

  // The target is a directory: the rename fails and the temp file is removed.
  const auto target = dir.path() / "status.json";
  fs::create_directories(target / "inside");
  const auto r2 = write_status_file(target, AgentStatus{});
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().what.find("cannot replace"), std::string::npos) << r2.error().what;
  EXPECT_EQ(entries(dir.path()), 2u);  // blocker and the directory, no temp file

  EXPECT_FALSE(write_status_file(fs::path(), AgentStatus{}).ok());
}

#ifdef _WIN32
// A reader that opened the file without FILE_SHARE_DELETE (std::ifstream, most tools) blocks the
// rename while it holds the file. A short read only delays the write (it is retried)...
TEST(StatusFileWindows, AReaderWithoutShareDeleteDelaysTheWrite) {
  TempDir dir;
  const auto file = dir.path() / "status.json";
  ASSERT_TRUE(write_status_file(file, AgentStatus{}).ok());
  std::atomic<bool> opened{false};
  std::thread reader([&] {
    std::ifstream in(file, std::ios::binary);
    opened = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  });
  while (!opened) std::this_thread::yield();
  AgentStatus s;
  s.attempts = 7;
  const auto start = std::chrono::steady_clock::now();
  const auto written = write_status_file(file, s);
  const auto took = std::chrono::steady_clock::now() - start;
  reader.join();
  ASSERT_TRUE(written.ok()) << written.error().message();
  EXPECT_GE(took, std::chrono::milliseconds(100));
  EXPECT_EQ(read_json(file)["attempts"]["total"], 7);
  EXPECT_EQ(entries(dir.path()), 1u);
}

// ...while one that keeps it open fails the write with a message that says why.
TEST(StatusFileWindows, AReaderThatKeepsTheFileOpenIsNamedInTheError) {
  TempDir dir;
  const auto file = dir.path() / "status.json";
  ASSERT_TRUE(write_status_file(file, AgentStatus{}).ok());
  {
    std::ifstream held(file, std::ios::binary);
    const auto r = write_status_file(file, AgentStatus{});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().what.find("FILE_SHARE_DELETE"), std::string::npos) << r.error().what;
  }
  EXPECT_EQ(entries(dir.path()), 1u);  // the temp file was removed
  EXPECT_TRUE(write_status_file(file, AgentStatus{}).ok());
}
#endif

}  // namespace
}  // namespace rdwarm::agent
