// The gate journal: what a killed agent leaves for the next run. Round trip, a missing file, and
// corrupt files that must be reported with the file's name rather than silently ignored.
#include "warmup/agent/gate_journal.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#endif

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "licensing/wire/utc_time.hpp"
#include "tests/support/ports.hpp"

namespace rdwarm::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using rdwarm::testing::ScopedTempDir;

std::chrono::system_clock::time_point at(const char* utc) {
  auto t = parse_utc(utc, "test");
  EXPECT_TRUE(t.ok());
  return t.ok() ? *t : std::chrono::system_clock::time_point{};
}

GateJournalEntry sample() {
  GateJournalEntry e;
  e.boot_id = "0f1e2d3c-boot";
  e.gate_kind = "drain";
  e.gate_state = "closed";
  e.warmup_started_at = at("2026-11-21T08:30:00Z");
  e.updated_at = at("2026-11-21T08:30:07Z");
  e.pid = 4242;
  e.process_start = "linux:123456";
  e.finished = false;
  return e;
}

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

TEST(GateJournal, RoundTripKeepsEveryField) {
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "gate-journal.json";
  const auto e = sample();
  ASSERT_TRUE(write_gate_journal(file, e).ok());
  auto back = read_gate_journal(file);
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->has_value());
  const auto& r = **back;
  EXPECT_EQ(r.boot_id, e.boot_id);
  EXPECT_EQ(r.gate_kind, e.gate_kind);
  EXPECT_EQ(r.gate_state, e.gate_state);
  EXPECT_EQ(r.warmup_started_at, e.warmup_started_at);
  EXPECT_EQ(r.updated_at, e.updated_at);
  EXPECT_EQ(r.pid, e.pid);
  EXPECT_EQ(r.process_start, e.process_start);
  EXPECT_FALSE(r.finished);
  EXPECT_FALSE(fs::exists(file.string() + ".tmp")) << "the temp file must be renamed away";
}

TEST(GateJournal, TheFileIsTheDocumentedJson) {
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "j.json";
  auto e = sample();
  e.gate_state = "left-closed";
  e.finished = true;
  ASSERT_TRUE(write_gate_journal(file, e).ok());
  std::ifstream in(file);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("schema"), "rdwarm.gate-journal/1");
  EXPECT_EQ(j.at("gate_state"), "left-closed");
  EXPECT_EQ(j.at("finished"), true);
  EXPECT_EQ(j.at("warmup_started_at"), "2026-11-21T08:30:00Z");
  EXPECT_EQ(j.at("pid"), 4242);
  EXPECT_EQ(j.at("process_start"), "linux:123456");
}

TEST(GateJournal, AJournalWithoutProcessStartIsAccepted) {
  // Written by a version before process starts were recorded.
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "j.json";
  nlohmann::json j = {{"schema", "rdwarm.gate-journal/1"},
                      {"boot_id", "b"},
                      {"gate_kind", "drain"},
                      {"gate_state", "opening"},
                      {"warmup_started_at", "2026-11-21T08:30:00Z"},
                      {"updated_at", "2026-11-21T08:30:00Z"},
                      {"pid", 1},
                      {"finished", false}};
  write_text(file, j.dump());
  auto r = read_gate_journal(file);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->process_start, "");
  EXPECT_EQ((*r)->gate_state, "opening");
}

TEST(GateJournal, StartTimeKeepsWholeSeconds) {
  // The journal stores UTC seconds: a later run's deadline can start up to 1 s earlier, never
  // later, than the first run's.
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "j.json";
  auto e = sample();
  e.warmup_started_at = at("2026-11-21T08:30:00Z") + 999ms;
  ASSERT_TRUE(write_gate_journal(file, e).ok());
  auto back = read_gate_journal(file);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->warmup_started_at, at("2026-11-21T08:30:00Z"));
}

TEST(GateJournal, ReplacingAnEntryOverwritesIt) {
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "j.json";
  auto e = sample();
  ASSERT_TRUE(write_gate_journal(file, e).ok());
  e.gate_state = "open";
  e.finished = true;
  ASSERT_TRUE(write_gate_journal(file, e).ok());
  auto back = read_gate_journal(file);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->gate_state, "open");
  EXPECT_TRUE((*back)->finished);
}

TEST(GateJournal, WritingCreatesMissingDirectories) {
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "a" / "b" / "j.json";
  ASSERT_TRUE(write_gate_journal(file, sample()).ok());
  auto back = read_gate_journal(file);
  ASSERT_TRUE(back.ok() && back->has_value());
}

TEST(GateJournal, WritingWhereNoFileCanBeIsAnError) {
  const ScopedTempDir dir("rdwarm-journal");
  const auto blocker = dir.path() / "not-a-dir";
  write_text(blocker, "x");
  const auto w = write_gate_journal(blocker / "j.json", sample());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message().find("not-a-dir"), std::string::npos) << w.error().message();
}

TEST(GateJournal, AMissingFileIsNoJournal) {
  const ScopedTempDir dir("rdwarm-journal");
  auto r = read_gate_journal(dir.path() / "never-written.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->has_value());
}

struct Corrupt {
  const char* name;
  std::string text;
  const char* expected;  // in the message besides the file name
};

void PrintTo(const Corrupt& c, std::ostream* os) {
  *os << c.name;
}

class CorruptJournal : public ::testing::TestWithParam<Corrupt> {};

TEST_P(CorruptJournal, IsAnErrorNamingTheFile) {
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "gate-journal.json";
  write_text(file, GetParam().text);
  auto r = read_gate_journal(file);
  ASSERT_FALSE(r.ok()) << "accepted: " << GetParam().text;
  const auto msg = r.error().message();
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find(GetParam().expected), std::string::npos) << msg;
}

nlohmann::json valid_json() {
  return {{"schema", "rdwarm.gate-journal/1"},
          {"boot_id", "b"},
          {"gate_kind", "drain"},
          {"gate_state", "closed"},
          {"warmup_started_at", "2026-11-21T08:30:00Z"},
          {"updated_at", "2026-11-21T08:30:00Z"},
          {"pid", 1},
          {"finished", false}};
}

std::string without(const char* key) {
  auto j = valid_json();
  j.erase(key);
  return j.dump();
}

std::string with(const char* key, nlohmann::json value) {
  auto j = valid_json();
  j[key] = std::move(value);
  return j.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Files, CorruptJournal,
    ::testing::Values(Corrupt{"empty", "", "not a JSON object"},
                      Corrupt{"truncated", valid_json().dump().substr(0, 40), "not a JSON object"},
                      Corrupt{"array", "[1,2]", "not a JSON object"},
                      Corrupt{"other_schema", with("schema", "rdwarm.gate-journal/9"), "schema"},
                      Corrupt{"no_schema", without("schema"), "schema"},
                      Corrupt{"no_boot_id", without("boot_id"), "boot_id"},
                      Corrupt{"pid_text", with("pid", "12"), ".pid: expected an integer"},
                      Corrupt{"finished_text", with("finished", "no"),
                              ".finished: expected true or false"},
                      Corrupt{"bad_time", with("warmup_started_at", "yesterday"), "yesterday"},
                      Corrupt{"process_start_number", with("process_start", 12),
                              ".process_start: expected a string"}),
    [](const ::testing::TestParamInfo<Corrupt>& p) { return std::string(p.param.name); });

TEST(GateJournal, TheValidSampleOfTheCorruptionTestsIsAccepted) {
  // Guards the table above: each corrupt file differs from this one in one place only.
  const ScopedTempDir dir("rdwarm-journal");
  const auto file = dir.path() / "j.json";
  write_text(file, valid_json().dump());
  auto r = read_gate_journal(file);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->has_value());
}

TEST(GateJournal, BootIdIsStableWithinABootAndPidIsOurs) {
  const auto id = current_boot_id();
  EXPECT_FALSE(id.empty());
  EXPECT_NE(id, "unknown") << "/proc/sys/kernel/random/boot_id should be readable on Linux";
  EXPECT_EQ(current_boot_id(), id);
  EXPECT_EQ(current_pid(), static_cast<std::int64_t>(::getpid()));
}

TEST(ProcessStart, NamesThisProcessAndStaysTheSame) {
  const auto mine = process_start_of(current_pid());
  ASSERT_TRUE(mine.has_value());
#ifdef _WIN32
  EXPECT_EQ(mine->rfind("windows:", 0), 0u) << *mine;
#else
  EXPECT_EQ(mine->rfind("linux:", 0), 0u) << *mine;
#endif
  EXPECT_EQ(current_process_start(), *mine);
  EXPECT_EQ(process_start_of(current_pid()), mine);
}

#ifndef _WIN32  // fork, kill, waitpid
TEST(ProcessStart, AChildStartedLaterHasAnotherOne) {
  // Linux counts start times in clock ticks (10 ms): a child forked within this test process's
  // first tick would share its start time, so let one tick pass first.
  std::this_thread::sleep_for(30ms);
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  ASSERT_GT(child, 0);
  const auto theirs = process_start_of(child);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(theirs.has_value());
  EXPECT_NE(*theirs, current_process_start());
  EXPECT_FALSE(process_start_of(child).has_value()) << "a reaped child runs no more";
}

TEST(ProcessStart, AZombieCountsAsGone) {
  // Killed but not reaped yet: its /proc entry remains, the agent it was does not.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  const auto end = std::chrono::steady_clock::now() + 5s;
  while (process_start_of(child).has_value() && std::chrono::steady_clock::now() < end) {
    ::usleep(10000);
  }
  EXPECT_FALSE(process_start_of(child).has_value());
  EXPECT_TRUE(std::filesystem::exists("/proc/" + std::to_string(child))) << "reaped too early";
  int status = 0;
  ::waitpid(child, &status, 0);
}

#endif

TEST(ProcessStart, NoProcessHasNone) {
  EXPECT_FALSE(process_start_of(0).has_value());
  EXPECT_FALSE(process_start_of(-5).has_value());
}

}  // namespace
}  // namespace rdwarm::agent
