// The status file: JSON written atomically (temp file + rename), parent directories created,
// readers never see a partial file.
#include "warmup/agent/status_file.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

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
  TempDir dir;
  const auto file = dir.path() / "status.json";
  AgentStatus s;
  ASSERT_TRUE(write_status_file(file, s).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done) {
      std::ifstream in(file, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!json::accept(text.str())) ++bad;
      ++reads;
    }
  });
  for (std::uint32_t i = 0; i < 300; ++i) {
    s.attempts = i;
    s.reasons.assign(i % 7, std::string(i % 97, 'r'));  // files of different lengths
    ASSERT_TRUE(write_status_file(file, s).ok());
  }
  done = true;
  reader.join();
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

}  // namespace
}  // namespace rdwarm::agent
