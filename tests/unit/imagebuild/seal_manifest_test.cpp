// The seal manifest on its own: its JSON validated against imagebuild/seal-manifest.schema.json
// with the project's validator, read back field for field, malformed files refused with the key
// named, the facts status shows (age in whole days), and where the file lives.
#include "imagebuild/seal/seal_manifest.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "config/default_paths.hpp"
#include "licensing/wire/utc_time.hpp"
#include "tests/support/ports.hpp"
#include "tests/unit/imagebuild/schema_violations.hpp"

namespace rdwarm::imagebuild {
namespace {

using nlohmann::json;
using std::chrono::days;

std::vector<std::string> violations(const json& document) {
  return testing::schema_violations("imagebuild/seal-manifest.schema.json", document);
}

host::SystemTime at(const char* text) {
  return *parse_utc(text, "test");
}

SealManifest sample() {
  SealManifest m;
  m.rdwarm_version = "0.1.0";
  m.platform = "windows";
  m.sealed_at = at("2026-11-01T10:00:00Z");
  m.planned_lifetime = days(30);
  m.verdict = "pass";
  m.timebomb_present = true;
  m.grace_end = at("2027-02-28T10:00:00Z");
  m.certificate = SealedCertificate::kUsable;
  m.certificate_issuer = "CN=LS01";
  m.certificate_not_after = 1900000000;
  m.checks_passed = {"rdsh-role", "licensing-mode", "grace-period"};
  m.checks_warned = {"license-servers"};
  m.checks_skipped = {"multisession-policy"};
  return m;
}

TEST(SealManifest, JsonValidatesAgainstItsSchemaAndReadsBack) {
  const auto m = sample();
  const auto j = seal_manifest_json(m);
  EXPECT_EQ(violations(j), std::vector<std::string>{}) << j.dump(2);
  EXPECT_EQ(j["schema"], "rdwarm.seal-manifest/1");
  EXPECT_EQ(j["planned_lifetime_seconds"], 30 * 86400);
  EXPECT_EQ(j["certificate"]["not_after"], "2030-03-17T17:46:40Z");

  auto back = parse_seal_manifest(j);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->rdwarm_version, "0.1.0");
  EXPECT_EQ(back->sealed_at, m.sealed_at);
  EXPECT_EQ(back->grace_end, m.grace_end);
  EXPECT_EQ(back->planned_lifetime, m.planned_lifetime);
  EXPECT_EQ(back->certificate, SealedCertificate::kUsable);
  EXPECT_EQ(back->certificate_issuer, "CN=LS01");
  EXPECT_EQ(back->certificate_not_after, 1900000000);
  EXPECT_EQ(back->checks_passed, m.checks_passed);
  EXPECT_EQ(back->checks_warned, m.checks_warned);
  EXPECT_EQ(back->checks_skipped, m.checks_skipped);
}

TEST(SealManifest, AnImageWithoutCertificateOrTimebombValidatesWithNulls) {
  auto m = sample();
  m.certificate = SealedCertificate::kAbsent;
  m.certificate_issuer.clear();
  m.certificate_not_after.reset();
  m.grace_end.reset();
  m.timebomb_present = false;
  const auto j = seal_manifest_json(m);
  EXPECT_EQ(violations(j), std::vector<std::string>{}) << j.dump(2);
  EXPECT_TRUE(j["grace"]["end"].is_null());
  EXPECT_TRUE(j["certificate"]["issuer"].is_null());
  auto back = parse_seal_manifest(j);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_FALSE(back->grace_end.has_value());
  EXPECT_EQ(back->certificate, SealedCertificate::kAbsent);
}

TEST(SealManifest, TheSchemaRejectsWhatSealNeverWrites) {
  auto j = seal_manifest_json(sample());
  j["verdict"] = "fatal";  // seal refuses instead
  EXPECT_EQ(violations(j).size(), 1u);
  j = seal_manifest_json(sample());
  j["checks"]["passed"].push_back("no-such-check");
  EXPECT_EQ(violations(j).size(), 1u);
  j = seal_manifest_json(sample());
  j["sealed_at"] = "yesterday";
  EXPECT_EQ(violations(j).size(), 1u);
  j = seal_manifest_json(sample());
  j.erase("grace");
  EXPECT_EQ(violations(j).size(), 1u);
}

TEST(SealManifest, MalformedManifestsAreErrorsNamingTheKey) {
  auto j = seal_manifest_json(sample());
  j["schema"] = "rdwarm.seal-manifest/2";
  auto r = parse_seal_manifest(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("rdwarm.seal-manifest/1"), std::string::npos);

  j = seal_manifest_json(sample());
  j["grace"].erase("end_estimated");
  r = parse_seal_manifest(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("end_estimated"), std::string::npos);

  j = seal_manifest_json(sample());
  j["sealed_at"] = 5;
  r = parse_seal_manifest(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("sealed_at"), std::string::npos);

  j = seal_manifest_json(sample());
  j["certificate"]["state"] = "maybe";
  EXPECT_FALSE(parse_seal_manifest(j).ok());
  EXPECT_FALSE(parse_seal_manifest(json::array()).ok());
}

TEST(SealManifest, ImageFactsGiveTheAgeInWholeDays) {
  const testing::ScopedTempDir dir{"rdwarm-seal-facts"};
  const auto file = dir.path() / "seal-manifest.json";
  EXPECT_FALSE(image_facts(file, at("2026-11-22T09:00:00Z")).has_value()) << "no file, no facts";

  std::ofstream(file) << seal_manifest_json(sample()).dump(2);
  auto facts = image_facts(file, at("2026-11-22T09:59:59Z"));
  ASSERT_TRUE(facts.has_value());
  EXPECT_EQ((*facts)["age_days"], 20);  // one second short of 21 days
  EXPECT_EQ((*facts)["sealed_at"], "2026-11-01T10:00:00Z");
  EXPECT_EQ((*facts)["rdwarm_version"], "0.1.0");
  EXPECT_EQ((*facts)["grace_end"], "2027-02-28T10:00:00Z");
  EXPECT_EQ((*facts)["certificate"], "usable");
  EXPECT_EQ((*facts)["planned_lifetime_days"], 30);
  facts = image_facts(file, at("2026-11-22T10:00:00Z"));
  EXPECT_EQ((*facts)["age_days"], 21);
  facts = image_facts(file, at("2026-10-01T00:00:00Z"));  // clock behind the seal time
  EXPECT_EQ((*facts)["age_days"], 0);

  std::ofstream(file, std::ios::trunc) << "{\"schema\": ";
  facts = image_facts(file, at("2026-11-22T10:00:00Z"));
  ASSERT_TRUE(facts.has_value());
  EXPECT_TRUE(facts->contains("problem")) << facts->dump();
  EXPECT_FALSE(facts->contains("sealed_at"));
}

TEST(SealManifest, TheLabKeepsItsManifestInItsStateDirectory) {
  const std::filesystem::path lab_dir = "lab-state";
  EXPECT_EQ(seal_manifest_path(config::default_manifest_path(), true, lab_dir),
            lab_dir / "seal-manifest.json");
  EXPECT_EQ(seal_manifest_path(config::default_manifest_path(), false, lab_dir),
            config::default_manifest_path());
  EXPECT_EQ(seal_manifest_path("custom.json", true, lab_dir), "custom.json");
  EXPECT_EQ(seal_manifest_path("", false, lab_dir), config::default_manifest_path());
}

}  // namespace
}  // namespace rdwarm::imagebuild
