// The platform-free rules: policy precedence, license-server lists, grace days, chain parsing,
// admission, and the readiness predicate.
#include "licensing/host/snapshot.hpp"

#include <gtest/gtest.h>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/readiness.hpp"
#include "licensing/wire/utc_time.hpp"
#include "tests/support/test_chain.hpp"

namespace rdwarm::host {
namespace {

using std::chrono::hours;

SystemTime at(const char* utc) {
  return *parse_utc(utc, "test");
}

RawHostValues per_user_host() {
  RawHostValues raw;
  raw.rdsh_role = Fact<bool>::found(true, "role");
  raw.local_licensing_mode = Fact<std::uint32_t>::found(4, "local-mode");
  raw.local_license_servers = Fact<std::vector<std::string>>::found({"ls1.corp"}, "local-ls");
  raw.drain_mode = Fact<std::uint32_t>::found(0, "drain");
  raw.winstations_disabled = Fact<std::uint32_t>::found(0, "disabled");
  return raw;
}

TEST(Snapshot, PolicyLicensingModeBeatsLocal) {
  auto raw = per_user_host();
  raw.policy_licensing_mode = Fact<std::uint32_t>::found(2, "policy-mode");
  const auto snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  EXPECT_EQ(snap.licensing_mode.value, 2u);
  EXPECT_EQ(snap.licensing_mode.source, SettingSource::kPolicy);
  EXPECT_EQ(snap.licensing_mode.source_path, "policy-mode");
  EXPECT_FALSE(snap.licensing_mode.per_user());
}

TEST(Snapshot, LocalModeUsedWhenNoPolicyAndDefaultWhenNeither) {
  auto raw = per_user_host();
  auto snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  EXPECT_EQ(snap.licensing_mode.source, SettingSource::kLocal);
  EXPECT_TRUE(snap.licensing_mode.per_user());
  raw.local_licensing_mode = Fact<std::uint32_t>::absent("local-mode");
  snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  EXPECT_EQ(snap.licensing_mode.source, SettingSource::kDefault);
  EXPECT_EQ(licensing_mode_name(snap.licensing_mode.value), "not-configured");
}

TEST(Snapshot, PolicyLicenseServersBeatLocalAndAreSplit) {
  auto raw = per_user_host();
  raw.policy_license_servers = Fact<std::string>::found(" ls-a.corp, ls-b.corp;;ls-c ", "pol");
  const auto snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  EXPECT_EQ(snap.license_servers.source, SettingSource::kPolicy);
  EXPECT_EQ(snap.license_servers.servers,
            (std::vector<std::string>{"ls-a.corp", "ls-b.corp", "ls-c"}));
}

TEST(Snapshot, EmptyPolicyLicenseServerStringFallsBackToLocal) {
  auto raw = per_user_host();
  raw.policy_license_servers = Fact<std::string>::found(" , ", "pol");
  const auto snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  EXPECT_EQ(snap.license_servers.source, SettingSource::kLocal);
  EXPECT_EQ(snap.license_servers.servers, std::vector<std::string>{"ls1.corp"});
}

TEST(Snapshot, GraceDaysRoundUpAndStopAtZero) {
  auto raw = per_user_host();
  raw.grace_period_end = Fact<SystemTime>::found(at("2026-11-22T12:00:00Z"), "grace");
  auto snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  ASSERT_TRUE(snap.grace.has_value());
  EXPECT_TRUE(snap.grace.value->timebomb_present);
  EXPECT_EQ(snap.grace.value->days_left, 2);
  EXPECT_FALSE(snap.grace.value->over());
  snap = interpret_host_values(raw, at("2026-12-01T00:00:00Z"), "test");
  EXPECT_EQ(snap.grace.value->days_left, 0);
  EXPECT_TRUE(snap.grace.value->over());
}

TEST(Snapshot, MissingTimebombIsReportedNotAnError) {
  auto raw = per_user_host();
  raw.grace_period_end = Fact<SystemTime>::absent("grace");
  const auto snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  ASSERT_TRUE(snap.grace.has_value());
  EXPECT_FALSE(snap.grace.value->timebomb_present);
  EXPECT_FALSE(snap.grace.value->days_left.has_value());
  EXPECT_TRUE(snap.problems.empty());
}

TEST(Snapshot, UnreadableValuesBecomeProblemsNamingTheSource) {
  auto raw = per_user_host();
  raw.grace_period_end = Fact<SystemTime>::failed("HKLM\\...\\GracePeriod", "access denied");
  raw.policy_licensing_mode =
      Fact<std::uint32_t>::failed("HKLM\\...\\LicensingMode", "not a DWORD");
  const auto snap = interpret_host_values(raw, at("2026-11-21T00:00:00Z"), "test");
  EXPECT_TRUE(snap.grace.unreadable());
  ASSERT_EQ(snap.problems.size(), 2u);
  EXPECT_EQ(snap.problems[0], "HKLM\\...\\LicensingMode: not a DWORD");
  EXPECT_EQ(snap.problems[1], "HKLM\\...\\GracePeriod: access denied");
}

TEST(Snapshot, Certificate2PreferredOverLegacyValue) {
  auto raw = per_user_host();
  const auto chain = test::make_chain("LS-ONE", "HOST", 30);
  raw.x509_certificate = Fact<std::vector<std::uint8_t>>::found({1, 2, 3}, "legacy");
  raw.x509_certificate2 = Fact<std::vector<std::uint8_t>>::found(
      crypto::encode_registry_certificate_chain(chain), "cert2");
  const auto snap = interpret_host_values(raw, std::chrono::system_clock::now(), "test");
  EXPECT_EQ(snap.certificate.value_name, "X509 Certificate2");
  EXPECT_EQ(snap.certificate_source, "cert2");
  ASSERT_EQ(snap.certificate.chain.size(), 2u);
  EXPECT_NE(snap.certificate.license_server()->subject.find("LS-ONE"), std::string::npos);
  EXPECT_NE(snap.certificate.leaf()->subject.find("HOST"), std::string::npos);
}

TEST(Snapshot, LegacyValueUsedWhenCertificate2Missing) {
  auto raw = per_user_host();
  raw.x509_certificate = Fact<std::vector<std::uint8_t>>::found({1, 2, 3}, "legacy");
  const auto snap = interpret_host_values(raw, std::chrono::system_clock::now(), "test");
  EXPECT_TRUE(snap.certificate.present);
  EXPECT_EQ(snap.certificate.value_name, "X509 Certificate");
  EXPECT_FALSE(snap.certificate.parse_error.empty());
}

TEST(Snapshot, AdmissionNames) {
  AdmissionState a;
  EXPECT_EQ(admission_name(a), "open");
  a.drain_mode = 2;
  EXPECT_EQ(admission_name(a), "draining");
  a.winstations_disabled = 1;
  EXPECT_EQ(admission_name(a), "disabled");
}

TEST(Readiness, NotApplicableWithoutRoleOrPerUser) {
  auto raw = per_user_host();
  raw.rdsh_role = Fact<bool>::found(false, "role");
  auto r = evaluate_readiness(interpret_host_values(raw, std::chrono::system_clock::now(), "t"),
                              std::nullopt);
  EXPECT_EQ(r.applicability, Applicability::kNoSessionHostRole);
  raw = per_user_host();
  raw.local_licensing_mode = Fact<std::uint32_t>::found(2, "local-mode");
  r = evaluate_readiness(interpret_host_values(raw, std::chrono::system_clock::now(), "t"),
                         std::nullopt);
  EXPECT_EQ(r.applicability, Applicability::kNotPerUser);
  EXPECT_NE(r.reasons.at(0).find("per-device (local)"), std::string::npos);
}

TEST(Readiness, NoCertificateIsNotReadyAndSaysWhatToDo) {
  const auto r = evaluate_readiness(
      interpret_host_values(per_user_host(), std::chrono::system_clock::now(), "t"), std::nullopt);
  EXPECT_EQ(r.applicability, Applicability::kApplicable);
  EXPECT_FALSE(r.ready);
  EXPECT_NE(r.reasons.at(0).find("no license-server certificate"), std::string::npos);
  EXPECT_NE(r.reasons.at(0).find("rdwarm boot"), std::string::npos);
}

TEST(Readiness, ValidChainIsReadyUnlessTheLastProbeFailed) {
  auto raw = per_user_host();
  raw.x509_certificate2 = Fact<std::vector<std::uint8_t>>::found(
      crypto::encode_registry_certificate_chain(test::make_chain("LS-ONE", "HOST", 30)), "c2");
  const auto snap = interpret_host_values(raw, std::chrono::system_clock::now(), "t");
  auto r = evaluate_readiness(snap, std::nullopt);
  EXPECT_TRUE(r.ready);
  EXPECT_NE(r.reasons.at(0).find("LS-ONE"), std::string::npos);
  EXPECT_TRUE(evaluate_readiness(snap, true).ready);
  r = evaluate_readiness(snap, false);
  EXPECT_FALSE(r.ready);
}

TEST(Readiness, ExpiredLeafOrSingleCertificateIsNotReady) {
  auto raw = per_user_host();
  raw.x509_certificate2 = Fact<std::vector<std::uint8_t>>::found(
      crypto::encode_registry_certificate_chain(test::make_chain("LS-ONE", "HOST", 30)), "c2");
  const auto later = std::chrono::system_clock::now() + hours(24 * 40);
  auto r = evaluate_readiness(interpret_host_values(raw, later, "t"), std::nullopt);
  EXPECT_FALSE(r.ready);
  EXPECT_NE(r.reasons.at(0).find("expired"), std::string::npos);

  auto one = test::make_chain("LS-ONE", "HOST", 30);
  one.pop_back();
  raw.x509_certificate2 =
      Fact<std::vector<std::uint8_t>>::found(crypto::encode_registry_certificate_chain(one), "c2");
  r = evaluate_readiness(interpret_host_values(raw, std::chrono::system_clock::now(), "t"),
                         std::nullopt);
  EXPECT_FALSE(r.ready);
  EXPECT_NE(r.reasons.at(0).find("at least 2"), std::string::npos);
}

TEST(UtcTime, RoundTripsAndRejectsNonsense) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(at("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  EXPECT_EQ(format_utc(-1), "1969-12-31T23:59:59Z");
  EXPECT_FALSE(parse_utc("2023-02-29T00:00:00Z", "t").ok());
  EXPECT_FALSE(parse_utc("2023-13-01T00:00:00Z", "t").ok());
  EXPECT_FALSE(parse_utc("2023-01-01 00:00:00", "t").ok());
}

TEST(UtcTime, DateAloneForTables) {
  EXPECT_EQ(format_utc_date(at("2024-02-29T23:59:59Z")), "2024-02-29");
  EXPECT_EQ(format_utc_date(at("1970-01-01T00:00:00Z")), "1970-01-01");
}

}  // namespace
}  // namespace rdwarm::host
