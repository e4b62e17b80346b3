// The seal manifest (`rdwarm image seal`, docs/image-seal.md): the image's own record of what
// rdwarm verified when it was sealed, schema "rdwarm.seal-manifest/1"
// (imagebuild/seal-manifest.schema.json). The boot agent and `rdwarm status` read it on every boot
// and show its facts, so an admin sees how old the image is and when its grace period was meant
// to end without opening the pipeline's logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "imagebuild/preflight/checks.hpp"
#include "licensing/host/snapshot.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild {

inline constexpr const char* kSealManifestSchema = "rdwarm.seal-manifest/1";
inline constexpr const char* kSealManifestFileName = "seal-manifest.json";

// What the image's certificate looked like at seal time: an image normally has none (every VM
// fetches its own), which is not a fault.
enum class SealedCertificate { kAbsent, kUsable, kUnusable };
std::string_view sealed_certificate_name(SealedCertificate state);  // "absent", "usable", ...

struct SealManifest {
  std::string rdwarm_version;
  std::string platform;  // "windows", "lab"
  host::SystemTime sealed_at;
  std::chrono::milliseconds planned_lifetime{0};
  std::string verdict;  // verdict_name(): "pass" or "not-applicable" (seal refuses the others)
  int exit_code = 0;
  bool timebomb_present = false;
  std::optional<host::SystemTime> grace_end;
  bool grace_end_estimated = false;
  SealedCertificate certificate = SealedCertificate::kAbsent;
  std::string certificate_issuer;                     // license server's subject, when usable
  std::optional<std::int64_t> certificate_not_after;  // leaf, unix seconds, when usable
  std::vector<std::string> checks_passed;
  std::vector<std::string> checks_warned;
  std::vector<std::string> checks_skipped;
};

// The manifest of a preflight that did not refuse (kPass or kNotApplicable).
SealManifest make_seal_manifest(const host::LicensingSnapshot& snapshot, const Preflight& preflight,
                                std::chrono::milliseconds planned_lifetime,
                                std::string rdwarm_version, int exit_code);

nlohmann::json seal_manifest_json(const SealManifest& manifest);
// Reads back what seal_manifest_json wrote; unknown keys are ignored (a newer rdwarm may add some),
// a missing or mistyped key of this version is an error naming it.
Result<SealManifest> parse_seal_manifest(const nlohmann::json& j);
Result<SealManifest> read_seal_manifest(const std::filesystem::path& file);

// Where the manifest lives: [image] manifest when it was set; with the lab platform and the
// default setting, inside the lab's state directory (the lab's "disk", so each emulated host has
// its own image record).
std::filesystem::path seal_manifest_path(const std::filesystem::path& configured, bool lab_platform,
                                         const std::filesystem::path& lab_state_dir);

// The facts `rdwarm status` and the agent's /status show:
// {"manifest", "sealed_at", "age_days", "rdwarm_version", "grace_end", "grace_end_estimated",
//  "certificate", "planned_lifetime_days"}; when the file exists but cannot be read:
// {"manifest", "problem"}. nullopt when there is no manifest (an image sealed without rdwarm).
std::optional<nlohmann::json> image_facts(const std::filesystem::path& manifest_file,
                                          host::SystemTime now);

}  // namespace rdwarm::imagebuild
