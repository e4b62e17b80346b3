// The real `rdwarm image check` binary against rdwarm-lab's host state: the exit codes a pipeline
// sees (0, 3, 14, 15, 2), the JSON validated against imagebuild/image-check.schema.json, the
// table within 80 columns, and license-server reachability against loopback listeners opened here
// (open, closed, silent) through --ls-ports.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/lab_process.hpp"
#include "tests/support/ports.hpp"
#include "tests/unit/imagebuild/loopback_ports.hpp"
#include "tests/unit/imagebuild/schema_violations.hpp"

#ifndef RDWARM_BINARY
#error "RDWARM_BINARY must name the rdwarm executable"
#endif

namespace rdwarm::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (const char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs `rdwarm <args>` with standard output and error kept apart, so --json output parses.
CliRun run_rdwarm(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  std::string command = quoted(RDWARM_BINARY);
  for (const auto& a : args) command += " " + quoted(a);
  const auto err_file = dir / "rdwarm.stderr";
  command += " 2>" + quoted(err_file.string());
  CliRun r;
  const auto start = Clock::now();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.err = read_all(err_file);
  return r;
}

std::vector<std::string> schema_violations(const json& report) {
  return rdwarm::testing::schema_violations("imagebuild/image-check.schema.json", report);
}

const json& check(const json& report, const std::string& id) {
  for (const auto& c : report["checks"]) {
    if (c["id"] == id) return c;
  }
  throw std::runtime_error("no check " + id + " in " + report.dump(2));
}

// A lab scenario file: the [host] keys given, the lab's defaults for the rest.
std::filesystem::path scenario(const std::filesystem::path& dir, const std::string& name,
                               const std::string& host_keys,
                               const std::string& license_server_keys = "") {
  const auto file = dir / (name + ".toml");
  std::ofstream(file) << "description = \"image check: " << name << "\"\n"
                      << "[host]\n"
                      << host_keys << "\n[license_server]\n"
                      << license_server_keys << "\n";
  return file;
}

class ImageCheck : public ::testing::Test {
 protected:
  std::vector<std::string> args(const LabProcess& lab, std::vector<std::string> extra) const {
    std::vector<std::string> a{
        "image",           "check",
        "--config",        config_file().string(),
        "--platform",      "lab",
        "--lab-state-dir", lab.state_dir().string(),
        "--ls-ports",      std::to_string(ls_rpc_.port()) + "," + std::to_string(ls_smb_.port())};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  CliRun run(const LabProcess& lab, std::vector<std::string> extra = {}) const {
    return run_rdwarm(args(lab, std::move(extra)), dir_.path());
  }

  json run_json(const LabProcess& lab, int expected_exit, std::vector<std::string> extra = {}) {
    extra.push_back("--json");
    const auto r = run(lab, std::move(extra));
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out;
    const auto v = schema_violations(j);
    EXPECT_TRUE(v.empty()) << (v.empty() ? "" : v.front()) << "\n" << r.out;
    EXPECT_EQ(j["exit_code"], expected_exit);
    return j;
  }

  std::filesystem::path config_file() const {
    const auto file = dir_.path() / "rdwarm.toml";
    if (!std::filesystem::exists(file))
      std::ofstream(file) << "[image]\nplanned_lifetime = \"30d\"\n";
    return file;
  }

  ScopedTempDir dir_{"rdwarm-image-check-it"};
  // Stand-ins for the license server's TCP 135 and 445, opened on loopback by the test.
  OpenPort ls_rpc_;
  OpenPort ls_smb_;
};

constexpr const char* kFreshImage =
    "licensing_mode = \"per-user\"\nlicense_servers = [\"127.0.0.1\"]\ngrace = \"over\"\n";

// A VM made from an image after the grace period: 14, and the JSON says why.
TEST_F(ImageCheck, FreshImagePastTheGracePeriodExitsFourteen) {
  LabProcess lab(scenario(dir_.path(), "fresh", kFreshImage).string());
  const auto j = run_json(lab, 14);
  EXPECT_EQ(j["verdict"], "grace-ends-in-lifetime");
  EXPECT_EQ(j["platform"], "lab");
  EXPECT_EQ(check(j, "grace-period")["status"], "fail");
  EXPECT_EQ(check(j, "grace-period")["severity"], "fatal");
  EXPECT_EQ(check(j, "grace-period")["source"], "lab:grace_period_end");
  EXPECT_EQ(check(j, "certificate")["status"], "pass");
  EXPECT_EQ(check(j, "ls-reachable")["status"], "pass");
  EXPECT_EQ(j["grace"]["days_left"], 0);
  EXPECT_EQ(j["grace"]["certificate_usable"], false);
  ASSERT_EQ(j["license_servers"].size(), 1u);
  const auto& ls = j["license_servers"][0];
  EXPECT_EQ(ls["name"], "127.0.0.1");
  EXPECT_EQ(ls["dns"]["state"], "literal");
  EXPECT_EQ(ls["ports"][0]["port"], ls_rpc_.port());
  EXPECT_EQ(ls["ports"][0]["state"], "open");
  EXPECT_EQ(ls["ports"][1]["state"], "open");
  EXPECT_LT(ls["ports"][1]["ms"].get<double>(), 1000.0);
}

// After a first connection made the lab's license server issue the certificate, the same image
// passes: the check reads the live state, and grace days no longer matter.
TEST_F(ImageCheck, AfterTheCertificateArrivesTheImagePasses) {
  LabProcess lab(scenario(dir_.path(), "warming", kFreshImage, "latency = \"100ms\"\n").string());
  EXPECT_EQ(run(lab).exit_code, 14);
  const auto probe = run_rdwarm(
      {"probe", "127.0.0.1:" + std::to_string(lab.port()), "--timeout", "10s"}, dir_.path());
  EXPECT_EQ(probe.exit_code, 10) << probe.out << probe.err;  // refused: no license server yet
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (lab.state().x509_certificate2.empty() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(lab.state().x509_certificate2.empty()) << lab.log();
  const auto j = run_json(lab, 0);
  EXPECT_EQ(j["verdict"], "pass");
  EXPECT_EQ(j["grace"]["certificate_usable"], true);
  EXPECT_EQ(check(j, "certificate")["status"], "pass");
  EXPECT_NE(check(j, "certificate")["found"].get<std::string>().find("LAB-LS"), std::string::npos);
}

bool is_url_line(const std::string& line) {
  const auto first = line.find_first_not_of(' ');
  return first != std::string::npos && line.compare(first, 8, "https://") == 0;
}

// The table a build engineer reads: every line within 80 columns (URLs are printed whole).
TEST_F(ImageCheck, WarmHostTableFitsEightyColumnsAndExitsZero) {
  LabProcess lab(
      scenario(dir_.path(), "warm", std::string(kFreshImage) + "certificate = true\n").string());
  const auto r = run(lab, {"--planned-lifetime", "365d"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    if (!is_url_line(line)) {
      EXPECT_LE(line.size(), 80u) << line;
    }
  }
  EXPECT_GE(count, 14);
  EXPECT_NE(r.out.find("planned lifetime 365d"), std::string::npos);
  EXPECT_NE(r.out.find("PASS    certificate"), std::string::npos);
  EXPECT_NE(r.out.find("PASS: no check failed"), std::string::npos);
  EXPECT_NE(r.out.find("(exit 0)"), std::string::npos);
}

TEST_F(ImageCheck, NoSessionHostRoleExitsThree) {
  LabProcess lab("not-rdsh");
  const auto j = run_json(lab, 3);
  EXPECT_EQ(j["verdict"], "not-applicable");
  EXPECT_EQ(j["applicability"], "no-session-host-role");
  EXPECT_EQ(j["summary"]["skip"], 9);
  EXPECT_TRUE(j["license_servers"].empty()) << "nothing to reach on a host without the role";
}

TEST_F(ImageCheck, MultiSessionWithTheLicensingModePolicyExitsFifteen) {
  LabProcess lab(scenario(dir_.path(), "multi",
                          std::string(kFreshImage) + "edition_id = \"ServerRdsh\"\n" +
                              "mode_source = \"policy\"\n")
                     .string());
  const auto j = run_json(lab, 15);
  EXPECT_EQ(j["verdict"], "fatal");
  const auto& c = check(j, "multisession-policy");
  EXPECT_EQ(c["status"], "fail");
  EXPECT_NE(c["reference"]["url"].get<std::string>().find("troubleshoot-vm-configuration"),
            std::string::npos);
}

// The license server's ports: one refuses, one never answers. Bounded by --connect-timeout.
TEST_F(ImageCheck, UnreachableLicenseServerExitsFifteenWithinTheTimeout) {
  LabProcess lab(scenario(dir_.path(), "closed", kFreshImage).string());
  const ClosedPort closed;
  const SilentPort silent;
  const auto r =
      run_rdwarm(args(lab, {"--json", "--ls-ports",
                            std::to_string(closed.port()) + "," + std::to_string(silent.port()),
                            "--connect-timeout", "400ms"}),
                 dir_.path());
  EXPECT_EQ(r.exit_code, 15) << r.out << r.err;
  EXPECT_LT(r.seconds, 3.0) << "one connect timeout, not one per port";
  const auto j = json::parse(r.out);
  EXPECT_TRUE(schema_violations(j).empty());
  EXPECT_EQ(check(j, "ls-reachable")["status"], "fail");
  const auto& ports = j["license_servers"][0]["ports"];
  EXPECT_EQ(ports[0]["state"], "refused");
  EXPECT_EQ(ports[1]["state"], "timeout");
  EXPECT_GE(ports[1]["ms"].get<double>(), 390.0);
  // Both failures together: 15 wins over the grace period's 14.
  EXPECT_EQ(check(j, "grace-period")["status"], "fail");
}

// A value only Windows has, written into the lab's state the way the lab keeps it.
TEST_F(ImageCheck, DisabledSideBySideListenerExitsFifteen) {
  LabProcess lab(
      scenario(dir_.path(), "avd", std::string(kFreshImage) + "certificate = true\n").string());
  ASSERT_TRUE(host::lab::update_lab_state_file(lab.state_file(), [](host::lab::LabHostState& s) {
                s.sxs_listener_name = "rdp-sxs220114900";
                s.sxs_listener_enabled = 0;
                s.sxs_session_directory_listener = "rdp-sxs220114900";
              }).ok());
  auto j = run_json(lab, 15);
  EXPECT_EQ(check(j, "sxs-listener")["status"], "fail");
  EXPECT_EQ(check(j, "sxs-listener")["source"], "lab:sxs_listener.enabled");
  ASSERT_TRUE(host::lab::update_lab_state_file(lab.state_file(), [](host::lab::LabHostState& s) {
                s.sxs_listener_enabled = 1;
              }).ok());
  j = run_json(lab, 0);
  EXPECT_EQ(check(j, "sxs-listener")["status"], "pass");
}

TEST_F(ImageCheck, UsageErrorsExitTwo) {
  LabProcess lab("first-boot");
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--planned-lifetime", "soon"},
        std::vector<std::string>{"--skip", "everything"},
        std::vector<std::string>{"--ls-ports", "0"}}) {
    const auto r = run(lab, extra);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("rdwarm image check: "), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(run_rdwarm({"image"}, dir_.path()).exit_code, 2);
}

}  // namespace
}  // namespace rdwarm::testing
