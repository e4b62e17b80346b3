// The report of `rdwarm image check`: the JSON of every kind of host validates against the
// published schema (imagebuild/image-check.schema.json), the schema rejects broken reports, and
// the table fits 80 columns.
#include <gtest/gtest.h>

#include <sstream>

#include "imagebuild/report/image_check_report.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "tests/unit/imagebuild/schema_violations.hpp"

namespace rdwarm::imagebuild {
namespace {

using nlohmann::json;
using std::chrono::days;

std::vector<std::string> schema_violations(const json& report) {
  return testing::schema_violations("imagebuild/image-check.schema.json", report);
}

ServerReachability server(const std::string& name, DnsState dns, std::vector<PortState> states) {
  ServerReachability r;
  r.name = name;
  r.dns.state = dns;
  r.dns.milliseconds = 3.14159;
  if (dns == DnsState::kResolved || dns == DnsState::kLiteral) {
    r.dns.addresses = {"10.0.0.5", "fe80::1"};
  } else {
    r.dns.error = "Host not found";
  }
  std::uint16_t port = 135;
  for (const auto s : states) {
    PortProbe p{port, s, s == PortState::kNotTried ? "" : "10.0.0.5", 2000.04, {}};
    if (s == PortState::kRefused || s == PortState::kError) p.error = "Connection refused";
    r.ports.push_back(p);
    port = 445;
  }
  return r;
}

struct Case {
  const char* name;
  std::function<void(host::lab::LabHostState&)> change;
  std::chrono::milliseconds lifetime;
  std::vector<ServerReachability> servers;
  PreflightVerdict verdict;
};

ImageCheckReport report_for(const Case& c) {
  const auto now = std::chrono::system_clock::now();
  host::lab::LabHostState s;
  s.policy_licensing_mode = 4;
  s.policy_license_servers = "ls1.corp";
  s.grace_period_end = now + days(90);
  if (c.change) c.change(s);
  const auto snapshot =
      host::interpret_host_values(host::lab::raw_values_from_lab_state(s), now, "lab");
  PreflightOptions o;
  o.planned_lifetime = c.lifetime;
  std::optional<std::vector<ServerReachability>> reach;
  if (!c.servers.empty()) reach = c.servers;
  ImageCheckReport r;
  r.rdwarm_version = "0.1.0";
  r.platform = snapshot.platform;
  r.checked_at = snapshot.taken_at;
  r.planned_lifetime = c.lifetime;
  r.preflight = run_preflight_checks(snapshot, o, reach);
  r.grace = snapshot.grace;
  r.license_servers = c.servers;
  r.exit_code = r.preflight.verdict == PreflightVerdict::kFatal                 ? 15
                : r.preflight.verdict == PreflightVerdict::kGraceEndsInLifetime ? 14
                : r.preflight.verdict == PreflightVerdict::kNotApplicable       ? 3
                                                                                : 0;
  return r;
}

std::vector<Case> cases() {
  const auto open2 = server("ls1.corp", DnsState::kResolved, {PortState::kOpen, PortState::kOpen});
  return {
      {"healthy", nullptr, days(30), {open2}, PreflightVerdict::kPass},
      {"grace-in-lifetime", nullptr, days(365), {open2}, PreflightVerdict::kGraceEndsInLifetime},
      {"no-timebomb",
       [](auto& s) { s.grace_period_end.reset(); },
       days(30),
       {open2},
       PreflightVerdict::kPass},
      {"unreachable",
       [](auto& s) { s.policy_license_servers = "ls1.corp,ls2.corp"; },
       days(30),
       {server("ls1.corp", DnsState::kTimeout, {PortState::kNotTried, PortState::kNotTried}),
        server("ls2.corp", DnsState::kLiteral, {PortState::kRefused, PortState::kTimeout})},
       PreflightVerdict::kFatal},
      {"multi-session-conflict",
       [](auto& s) { s.edition_id = "ServerRdsh"; },
       days(30),
       {open2},
       PreflightVerdict::kFatal},
      {"not-rdsh",
       [](auto& s) { s.rdsh_role = false; },
       days(30),
       {},
       PreflightVerdict::kNotApplicable},
      {"no-servers-sxs-broken",
       [](auto& s) {
         s.policy_license_servers.reset();
         s.sxs_listener_name = "rdp-sxs220114900";
         s.sxs_listener_enabled = 0;
       },
       days(30),
       {},
       PreflightVerdict::kFatal},
  };
}

TEST(ImageCheckReport, EveryKindOfReportValidatesAgainstTheSchema) {
  for (const auto& c : cases()) {
    const auto r = report_for(c);
    EXPECT_EQ(r.preflight.verdict, c.verdict) << c.name;
    const auto j = image_check_json(r);
    const auto v = schema_violations(j);
    EXPECT_TRUE(v.empty()) << c.name << ": " << (v.empty() ? "" : v.front()) << "\n" << j.dump(2);
  }
}

TEST(ImageCheckReport, JsonCarriesVerdictSummaryGraceAndServers) {
  const auto j = image_check_json(report_for(cases()[1]));
  EXPECT_EQ(j["schema"], "rdwarm.image-check/1");
  EXPECT_EQ(j["verdict"], "grace-ends-in-lifetime");
  EXPECT_EQ(j["exit_code"], 14);
  EXPECT_EQ(j["planned_lifetime"]["text"], "365d");
  EXPECT_EQ(j["planned_lifetime"]["seconds"], 365 * 86400);
  EXPECT_EQ(j["summary"]["fail"], 1);
  EXPECT_EQ(j["grace"]["ends_within_planned_lifetime"], true);
  EXPECT_EQ(j["grace"]["days_left"], 90);
  EXPECT_EQ(j["grace"]["timebomb_present"], true);
  EXPECT_EQ(j["grace"]["certificate_usable"], false);
  EXPECT_EQ(j["checks"][5]["id"], "grace-period");
  EXPECT_EQ(j["checks"][5]["severity"], "fatal");
  EXPECT_EQ(j["license_servers"][0]["dns"]["ms"], 3.1);
  EXPECT_EQ(j["license_servers"][0]["ports"][1]["ms"], 2000.0);
  EXPECT_EQ(j["license_servers"][0]["reachable"], true);
  int total = 0;
  for (const auto* k : {"pass", "warn", "fail", "skip"}) total += j["summary"][k].get<int>();
  EXPECT_EQ(total, 10);
}

TEST(ImageCheckReport, TheSchemaRejectsBrokenReports) {
  const auto good = image_check_json(report_for(cases()[0]));
  ASSERT_TRUE(schema_violations(good).empty());
  std::vector<std::pair<const char*, std::function<void(json&)>>> breakages = {
      {"unknown status", [](json& j) { j["checks"][0]["status"] = "ok"; }},
      {"unknown check id", [](json& j) { j["checks"][0]["id"] = "dns"; }},
      {"missing checks", [](json& j) { j.erase("checks"); }},
      {"extra top-level key", [](json& j) { j["extra"] = 1; }},
      {"exit code outside the table", [](json& j) { j["exit_code"] = 2; }},
      {"wrong schema", [](json& j) { j["schema"] = "rdwarm.image-check/2"; }},
      {"time without Z", [](json& j) { j["checked_at"] = "2026-11-21T08:30:00"; }},
      {"port out of range", [](json& j) { j["license_servers"][0]["ports"][0]["port"] = 70000; }},
      {"reference not Microsoft",
       [](json& j) {
         j["checks"][0]["reference"] = {{"title", "x"}, {"url", "https://example.com/"}};
       }},
      {"nine checks", [](json& j) { j["checks"].erase(9); }},
      {"negative days", [](json& j) { j["grace"]["days_left"] = -1; }},
  };
  for (const auto& [name, breakage] : breakages) {
    auto j = good;
    breakage(j);
    EXPECT_FALSE(schema_violations(j).empty()) << name;
  }
}

bool is_url_line(const std::string& line) {
  const auto first = line.find_first_not_of(' ');
  return first != std::string::npos && line.compare(first, 8, "https://") == 0 &&
         line.find(' ', first) == std::string::npos;
}

TEST(ImageCheckReport, TableFitsEightyColumns) {
  for (const auto& c : cases()) {
    const auto text = image_check_text(report_for(c));
    std::istringstream lines(text);
    std::string line;
    int url_lines = 0;
    while (std::getline(lines, line)) {
      if (is_url_line(line)) {
        ++url_lines;
        continue;
      }
      EXPECT_LE(line.size(), 80u) << c.name << ": " << line;
    }
    for (const auto id : kAllCheckIds) {
      EXPECT_NE(text.find(std::string(id)), std::string::npos) << c.name << ": " << id;
    }
    if (c.verdict == PreflightVerdict::kFatal) {
      EXPECT_GT(url_lines, 0) << c.name;
    }
  }
}

TEST(ImageCheckReport, TableShowsStatusFixReferencesServersAndVerdict) {
  const auto text = image_check_text(report_for(cases()[3]));
  EXPECT_NE(text.find("STATUS  CHECK"), std::string::npos);
  EXPECT_NE(text.find("FAIL    ls-reachable"), std::string::npos);
  EXPECT_NE(text.find("Fix: Allow TCP 135 and 445"), std::string::npos);
  EXPECT_NE(text.find("[1]"), std::string::npos);
  EXPECT_NE(text.find("License servers\n  ls1.corp: DNS timeout"), std::string::npos);
  EXPECT_NE(text.find("ls2.corp: 135 refused 2000.0 ms, 445 timeout 2000.0 ms"), std::string::npos);
  EXPECT_NE(text.find("FAIL: a fatal pre-flight check failed (exit 15)"), std::string::npos);
  EXPECT_NE(text.find("https://learn.microsoft.com/troubleshoot/windows-server/networking/"),
            std::string::npos);
  const auto na = image_check_text(report_for(cases()[5]));
  EXPECT_NE(na.find("NOT APPLICABLE: not an RD Session Host (exit 3)"), std::string::npos);
  EXPECT_EQ(na.find("References"), std::string::npos);
}

TEST(ImageCheckReport, WrapTextBreaksAtSpacesAndCutsLongWords) {
  EXPECT_EQ(wrap_text("aa bb cc", 5), (std::vector<std::string>{"aa bb", "cc"}));
  EXPECT_EQ(wrap_text("abcdefgh ij", 3), (std::vector<std::string>{"abc", "def", "gh", "ij"}));
  EXPECT_EQ(wrap_text("  spaced   out  ", 20), std::vector<std::string>{"spaced out"});
  EXPECT_EQ(wrap_text("", 10), std::vector<std::string>{""});
  for (const auto& line : wrap_text(std::string(500, 'x') + " y", 51)) EXPECT_LE(line.size(), 51u);
}

}  // namespace
}  // namespace rdwarm::imagebuild
