// The pre-flight checks of `rdwarm image check` (DESIGN.md, Image pipelines;
// docs/image-check.md): pure functions of a host snapshot, the options and the reachability
// results, so every verdict is tested without Windows and without a network.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "imagebuild/preflight/check_result.hpp"
#include "imagebuild/preflight/reachability.hpp"
#include "licensing/host/readiness.hpp"
#include "licensing/host/snapshot.hpp"

namespace rdwarm::imagebuild {

namespace check_id {
inline constexpr std::string_view kRdshRole = "rdsh-role";
inline constexpr std::string_view kLicensingMode = "licensing-mode";
inline constexpr std::string_view kMultiSessionPolicy = "multisession-policy";
inline constexpr std::string_view kLicenseServers = "license-servers";
inline constexpr std::string_view kLicenseServerReachable = "ls-reachable";
inline constexpr std::string_view kGracePeriod = "grace-period";
inline constexpr std::string_view kGraceTimebomb = "grace-timebomb";
inline constexpr std::string_view kCertificate = "certificate";
inline constexpr std::string_view kNla = "nla";
inline constexpr std::string_view kSxsListener = "sxs-listener";
}  // namespace check_id

// In the order they run and are reported.
inline constexpr std::array kAllCheckIds{check_id::kRdshRole,
                                         check_id::kLicensingMode,
                                         check_id::kMultiSessionPolicy,
                                         check_id::kLicenseServers,
                                         check_id::kLicenseServerReachable,
                                         check_id::kGracePeriod,
                                         check_id::kGraceTimebomb,
                                         check_id::kCertificate,
                                         check_id::kNla,
                                         check_id::kSxsListener};

// Windows starts a grace period of this length when the timebomb value does not exist
// (reference/windows-rds-licensing.md 1.3).
inline constexpr std::chrono::days kGracePeriodLength{120};

// EditionID of Windows 10 and 11 Enterprise multi-session.
inline constexpr std::string_view kMultiSessionEditionId = "ServerRdsh";

struct PreflightOptions {
  std::chrono::milliseconds planned_lifetime{std::chrono::days(30)};
  std::set<std::string, std::less<>> skip;  // check ids skipped on request (--skip)
  // The NLA account of [nla] (docs/nla.md), as the warm-up will use it: "CORP\\svc-rdwarm,
  // password from dpapi"; empty when none is configured. nla_problem: it is configured but its
  // password cannot be used (what the resolver said).
  std::string nla_account;
  std::string nla_problem;
};

// Overall outcome; the command line maps it to the shared exit codes.
enum class PreflightVerdict {
  kPass,                 // no check failed (warnings allowed): 0
  kNotApplicable,        // no RD Session Host role, or not per-user licensing: 3
  kGraceEndsInLifetime,  // grace-period failed and nothing else did: 14
  kFatal,                // another check failed: 15
};
std::string_view verdict_name(PreflightVerdict verdict);  // "pass", "not-applicable", ...

struct Preflight {
  std::vector<CheckResult> checks;  // kAllCheckIds order
  host::Applicability applicability = host::Applicability::kApplicable;
  PreflightVerdict verdict = PreflightVerdict::kPass;
  bool certificate_usable = false;            // the readiness rule's certificate verdict
  bool grace_ends_within_lifetime = false;    // and there is no usable certificate
  std::optional<host::SystemTime> grace_end;  // known or, without a timebomb, estimated
  bool grace_end_estimated = false;           // no timebomb: first start + 120 days
};

// The servers the reachability check contacts: the effective license servers when the check
// applies and is not skipped; empty otherwise (then probe nothing).
std::vector<std::string> servers_to_reach(const host::LicensingSnapshot& snapshot,
                                          const PreflightOptions& options);

// `reachability`: the probe results for servers_to_reach(), nullopt when no probe ran.
Preflight run_preflight_checks(const host::LicensingSnapshot& snapshot,
                               const PreflightOptions& options,
                               const std::optional<std::vector<ServerReachability>>& reachability);

// Failures win over not-applicable; among failures any other than grace-period wins (15 > 14).
PreflightVerdict preflight_verdict(const std::vector<CheckResult>& checks,
                                   host::Applicability applicability);

bool is_known_check_id(std::string_view id);
bool is_multi_session_edition(std::string_view edition_id);

}  // namespace rdwarm::imagebuild
