// The lab state file: encoding, precise errors, atomic locked updates, and the lab backend of
// HostPlatform reading it, driving the gate and waking on a new certificate.
#include "licensing/host/lab/lab_state_file.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/lab/lab_platform.hpp"
#include "licensing/host/readiness.hpp"
#include "licensing/wire/utc_time.hpp"
#include "tests/support/test_chain.hpp"

namespace rdwarm::host::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class StateDir : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("rdwarm-lab-state-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = dir_ / kLabStateFileName;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static LabHostState first_boot() {
    LabHostState s;
    s.policy_licensing_mode = 4;
    s.policy_license_servers = "LAB-LS";
    s.grace_period_end = *parse_utc("2026-01-01T00:00:00Z", "test");
    return s;
  }

  fs::path dir_;
  fs::path file_;
};

TEST_F(StateDir, EncodeDecodeRoundTrip) {
  auto s = first_boot();
  s.local_license_servers = {"ls1", "ls2"};
  s.x509_certificate2 = crypto::encode_registry_certificate_chain(test::make_chain("LS", "H", 5));
  s.sxs_listener_name = "rdp-sxs220101";
  s.sxs_listener_enabled = 1;
  s.drain_mode = 2;
  s.updated_at = *parse_utc("2026-11-21T08:00:00Z", "test");
  s.revision = 7;
  auto back = decode_lab_state(encode_lab_state(s));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->policy_licensing_mode, 4u);
  EXPECT_FALSE(back->local_licensing_mode.has_value());
  EXPECT_EQ(back->policy_license_servers, "LAB-LS");
  EXPECT_EQ(back->local_license_servers, s.local_license_servers);
  EXPECT_EQ(back->grace_period_end, s.grace_period_end);
  EXPECT_EQ(back->x509_certificate2, s.x509_certificate2);
  EXPECT_EQ(back->sxs_listener_name, "rdp-sxs220101");
  EXPECT_EQ(back->drain_mode, 2u);
  EXPECT_EQ(back->revision, 7u);
  EXPECT_EQ(back->updated_at, s.updated_at);
}

TEST_F(StateDir, DecodeErrorsNameTheKey) {
  auto json = nlohmann::json::parse(encode_lab_state(first_boot()));
  auto error_for = [&](const char* key, nlohmann::json value) {
    auto j = json;
    nlohmann::json* node = &j;
    std::string k = key;
    for (auto dot = k.find('.'); dot != std::string::npos; dot = k.find('.')) {
      node = &(*node)[k.substr(0, dot)];
      k = k.substr(dot + 1);
    }
    (*node)[k] = std::move(value);
    auto r = decode_lab_state(j.dump());
    EXPECT_FALSE(r.ok()) << key;
    return r.ok() ? std::string{} : r.error().message();
  };
  EXPECT_EQ(error_for("drain_mode", -1),
            "lab state file.drain_mode: expected an unsigned 32-bit number (a REG_DWORD)");
  EXPECT_EQ(
      error_for("licensing_mode.policy", "four"),
      "lab state file.licensing_mode.policy: expected an unsigned 32-bit number (a REG_DWORD)");
  EXPECT_NE(error_for("grace_period_end", "tomorrow").find("grace_period_end: expected a UTC time"),
            std::string::npos);
  EXPECT_NE(error_for("x509_certificate2", "zz").find("x509_certificate2: expected hexadecimal"),
            std::string::npos);
  EXPECT_NE(error_for("license_servers.local", 3).find("REG_MULTI_SZ"), std::string::npos);
  EXPECT_NE(error_for("format", "other/1").find("format: expected \"rdwarm.lab-state/1\""),
            std::string::npos);
  EXPECT_EQ(decode_lab_state("{").error().message(), "lab state file: not valid JSON");
}

TEST_F(StateDir, MissingFileSaysToStartTheLab) {
  auto r = read_lab_state_file(file_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("rdwarm-lab"), std::string::npos);
}

TEST_F(StateDir, ConcurrentUpdatesLoseNothing) {
  ASSERT_TRUE(update_lab_state_file(
                  file_, [](LabHostState&) {}, first_boot())
                  .ok());
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = update_lab_state_file(file_, [](LabHostState& s) { ++s.user_authentication; });
        ASSERT_TRUE(r.ok()) << r.error().message();
      }
    });
  }
  for (auto& t : threads) t.join();
  auto s = read_lab_state_file(file_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->user_authentication, static_cast<std::uint32_t>(kThreads * kEach));
  EXPECT_EQ(s->revision, static_cast<std::uint64_t>(kThreads * kEach + 1));
  EXPECT_FALSE(fs::exists(file_.string() + ".tmp." + std::to_string(::getpid())));
}

TEST_F(StateDir, PlatformSnapshotFollowsTheFile) {
  ASSERT_TRUE(write_lab_state_file(file_, first_boot()).ok());
  auto platform = make_lab_platform(file_);
  auto snap = platform->read_snapshot();
  ASSERT_TRUE(snap.ok()) << snap.error().message();
  EXPECT_EQ(snap->platform, "lab");
  EXPECT_TRUE(snap->licensing_mode.per_user());
  EXPECT_EQ(snap->licensing_mode.source_path, "lab:licensing_mode.policy");
  EXPECT_EQ(snap->license_servers.servers, std::vector<std::string>{"LAB-LS"});
  EXPECT_TRUE(snap->grace.value->over());
  EXPECT_FALSE(snap->certificate.present);
  EXPECT_FALSE(evaluate_readiness(*snap, std::nullopt).ready);
}

TEST_F(StateDir, GateWritesDrainModeAndKeepsTheRest) {
  ASSERT_TRUE(write_lab_state_file(file_, first_boot()).ok());
  auto platform = make_lab_platform(file_);
  ASSERT_TRUE(platform->set_gate(Gate::kClosed).ok());
  EXPECT_EQ(*platform->read_gate(), Gate::kClosed);
  EXPECT_EQ(read_lab_state_file(file_)->drain_mode, 2u);
  EXPECT_EQ(read_lab_state_file(file_)->policy_license_servers, "LAB-LS");
  ASSERT_TRUE(platform->set_gate(Gate::kOpen).ok());
  EXPECT_EQ(*platform->read_gate(), Gate::kOpen);
}

TEST_F(StateDir, GateOnMissingFileIsAClearError) {
  auto platform = make_lab_platform(file_);
  auto r = platform->set_gate(Gate::kClosed);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("start rdwarm-lab first"), std::string::npos);
}

TEST_F(StateDir, CertificateWaitWakesWithin100msOfTheWrite) {
  ASSERT_TRUE(write_lab_state_file(file_, first_boot()).ok());
  auto platform = make_lab_platform(file_);
  const auto chain = crypto::encode_registry_certificate_chain(test::make_chain("LS", "H", 5));
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  std::chrono::steady_clock::time_point written;
  std::thread writer([&] {
    std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(
        update_lab_state_file(file_, [&](LabHostState& s) { s.x509_certificate2 = chain; }).ok());
    written = std::chrono::steady_clock::now();
  });
  auto r = platform->wait_for_certificate_change(5s);
  const auto woke = std::chrono::steady_clock::now();
  writer.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, WaitResult::kChanged);
  EXPECT_LT(woke - written, 100ms);
}

TEST_F(StateDir, CertificateWaitIgnoresOtherWritesAndTimesOut) {
  ASSERT_TRUE(write_lab_state_file(file_, first_boot()).ok());
  auto platform = make_lab_platform(file_);
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(update_lab_state_file(file_, [](LabHostState& s) { s.drain_mode = 2; }).ok());
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = platform->wait_for_certificate_change(300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  writer.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, WaitResult::kTimedOut);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 1s);
}

TEST_F(StateDir, EventsAreAppendedAsJsonLines) {
  ASSERT_TRUE(write_lab_state_file(file_, first_boot()).ok());
  auto platform = make_lab_platform(file_);
  ASSERT_TRUE(platform->write_event({100, EventSeverity::kWarning, "gate closed"}).ok());
  ASSERT_TRUE(platform->write_event({101, EventSeverity::kInformation, "gate open"}).ok());
  std::ifstream in(dir_ / kLabEventLogName);
  std::string line;
  std::vector<nlohmann::json> events;
  while (std::getline(in, line)) events.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["id"], 100);
  EXPECT_EQ(events[0]["severity"], "warning");
  EXPECT_EQ(events[1]["message"], "gate open");
}

// ---- Services (the service gate's lab side) ----------------------------------------------------

TEST_F(StateDir, ServicesRoundTripAndAreLeftOutWhenThereAreNone) {
  auto s = first_boot();
  EXPECT_EQ(nlohmann::json::parse(encode_lab_state(s)).count("services"), 0u)
      << "files of hosts without services keep their old shape";
  s.services = {{"BrokerAgent", ServiceState::kStopped}, {"Spooler", ServiceState::kRunning}};
  const auto json = nlohmann::json::parse(encode_lab_state(s));
  EXPECT_EQ(json.at("services"),
            (nlohmann::json{{"BrokerAgent", "stopped"}, {"Spooler", "running"}}));
  auto back = decode_lab_state(json.dump());
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->services, s.services);
}

TEST_F(StateDir, ServiceErrorsNameTheKey) {
  auto with_services = [](nlohmann::json services) {
    auto j = nlohmann::json::parse(encode_lab_state(first_boot()));
    j["services"] = std::move(services);
    auto r = decode_lab_state(j.dump());
    return r.ok() ? std::string("accepted") : r.error().message();
  };
  EXPECT_EQ(with_services({{"BrokerAgent", "paused"}}),
            "lab state file.services.BrokerAgent: expected \"running\" or \"stopped\"");
  EXPECT_EQ(with_services({{"BrokerAgent", 1}}),
            "lab state file.services.BrokerAgent: expected \"running\" or \"stopped\"");
  EXPECT_EQ(with_services(nlohmann::json::array({"BrokerAgent"})),
            "lab state file.services: expected an object of service names, {\"BrokerAgent\": "
            "\"running\"}");
  EXPECT_EQ(with_services({{"", "running"}}), "lab state file.services: a service name is empty");
  EXPECT_EQ(with_services(nullptr), "accepted");
}

TEST_F(StateDir, PlatformStopsAndStartsServicesAndKeepsTheRest) {
  auto s = first_boot();
  s.drain_mode = 2;
  s.services = {{"BrokerAgent", ServiceState::kRunning}};
  ASSERT_TRUE(write_lab_state_file(file_, s).ok());
  auto platform = make_lab_platform(file_);
  EXPECT_EQ(*platform->query_service("BrokerAgent"), ServiceState::kRunning);
  ASSERT_TRUE(platform->stop_service("BrokerAgent", 1s).ok());
  EXPECT_EQ(*platform->query_service("brokeragent"), ServiceState::kStopped) << "any case";
  ASSERT_TRUE(platform->stop_service("BrokerAgent", 1s).ok()) << "stopping a stopped service";
  auto stored = read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->drain_mode, 2u);
  EXPECT_EQ(stored->policy_licensing_mode, 4u);
  EXPECT_EQ(stored->services.at("BrokerAgent"), ServiceState::kStopped);
  ASSERT_TRUE(platform->start_service("BROKERAGENT", 1s).ok());
  stored = read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->services.size(), 1u) << "matched, not added under another spelling";
  EXPECT_EQ(stored->services.at("BrokerAgent"), ServiceState::kRunning);
}

TEST_F(StateDir, AServiceTheHostLacksIsAClearErrorAndIsNotAdded) {
  ASSERT_TRUE(write_lab_state_file(file_, first_boot()).ok());
  auto platform = make_lab_platform(file_);
  for (const auto& message : {platform->query_service("BrokerAgent").error().message(),
                              platform->stop_service("BrokerAgent", 1s).error().message(),
                              platform->start_service("BrokerAgent", 1s).error().message()}) {
    EXPECT_NE(message.find("service BrokerAgent: does not exist on the lab host"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("[host] services"), std::string::npos) << message;
  }
  auto stored = read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->services.empty());
}

TEST_F(StateDir, ServiceControlWithoutTheFileSaysToStartTheLab) {
  auto platform = make_lab_platform(file_);
  const auto stopped = platform->stop_service("BrokerAgent", 1s);
  ASSERT_FALSE(stopped.ok());
  EXPECT_NE(stopped.error().message().find("start rdwarm-lab first"), std::string::npos)
      << stopped.error().message();
  EXPECT_FALSE(fs::exists(file_));
  EXPECT_FALSE(platform->query_service("BrokerAgent").ok());
}

TEST_F(StateDir, ServiceStatesHaveTheirNames) {
  EXPECT_EQ(service_state_name(ServiceState::kStopped), "stopped");
  EXPECT_EQ(service_state_name(ServiceState::kRunning), "running");
  EXPECT_EQ(service_state_name(ServiceState::kStopPending), "stop-pending");
  EXPECT_EQ(service_state_name(ServiceState::kStartPending), "start-pending");
  EXPECT_EQ(service_state_name(ServiceState::kPaused), "paused");
}

}  // namespace
}  // namespace rdwarm::host::lab
