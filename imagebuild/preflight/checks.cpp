#include "imagebuild/preflight/checks.hpp"

#include <algorithm>
#include <cctype>

#include "config/duration.hpp"
#include "imagebuild/preflight/references.hpp"
#include "licensing/wire/utc_time.hpp"

namespace rdwarm::imagebuild {

namespace {

using host::Applicability;
using host::LicensingSnapshot;
using host::SettingSource;

constexpr const char* kLicensingPolicyPath =
    "Computer Configuration > Administrative Templates > Windows Components > Remote Desktop "
    "Services > Remote Desktop Session Host > Licensing";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lifetime_text(std::chrono::milliseconds d) {
  return config::format_duration(d);
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

CheckResult result(std::string_view id, std::string title, CheckStatus status, std::string found,
                   std::string source = {}) {
  CheckResult r;
  r.id = std::string(id);
  r.title = std::move(title);
  r.status = status;
  r.found = std::move(found);
  r.source = std::move(source);
  return r;
}

CheckResult with_remedy(CheckResult r, std::string remedy,
                        std::optional<Reference> reference = std::nullopt) {
  r.remedy = std::move(remedy);
  r.reference = reference;
  return r;
}

// What the snapshot says about the host, decided once for every check.
struct HostView {
  explicit HostView(const LicensingSnapshot& snapshot) : s(snapshot) {}
  const LicensingSnapshot& s;
  bool session_host = true;  // false only when the role is known to be absent
  bool multi_session = false;
  bool per_user = false;
  Applicability applicability = Applicability::kApplicable;
  bool certificate_usable = false;
  std::string certificate_verdict;  // the readiness rule's sentence about the certificate
};

// The readiness rule's certificate verdict, asked as if the host were a per-user session host, so
// the image check and `rdwarm status` never disagree about a chain.
void judge_certificate(HostView& v) {
  LicensingSnapshot as_applicable = v.s;
  as_applicable.rdsh_role = host::Fact<bool>::found(true, v.s.rdsh_role.source);
  as_applicable.licensing_mode.value = static_cast<std::uint32_t>(host::LicensingMode::kPerUser);
  const auto r = host::evaluate_readiness(as_applicable, std::nullopt);
  v.certificate_usable = r.ready;
  if (!r.reasons.empty()) v.certificate_verdict = r.reasons.front();
}

HostView view_of(const LicensingSnapshot& s) {
  HostView v(s);
  v.session_host = !(s.rdsh_role.has_value() && !*s.rdsh_role.value);
  v.multi_session = s.edition_id.has_value() && is_multi_session_edition(*s.edition_id.value);
  v.per_user = s.licensing_mode.per_user();
  v.applicability = host::evaluate_readiness(s, std::nullopt).applicability;
  judge_certificate(v);
  return v;
}

std::string mode_text(const LicensingSnapshot& s) {
  const auto& m = s.licensing_mode;
  if (m.source == SettingSource::kDefault) {
    return "not configured (neither the policy nor the local value is set)";
  }
  return host::licensing_mode_name(m.value) + " (" + host::setting_source_name(m.source) +
         " value " + std::to_string(m.value) + ")";
}

// Why a per-user check does not apply, or empty when it does.
std::string not_applicable_reason(const HostView& v) {
  switch (v.applicability) {
    case Applicability::kNoSessionHostRole:
      return "not an RD Session Host: licensing does not gate logons here";
    case Applicability::kNotPerUser:
      return "licensing mode is " + host::licensing_mode_name(v.s.licensing_mode.value) +
             ": the per-user first-connection problem does not apply";
    case Applicability::kApplicable:
      break;
  }
  return {};
}

CheckResult check_rdsh_role(const HostView& v) {
  const std::string title = "RD Session Host role";
  const auto& f = v.s.rdsh_role;
  if (f.unreadable()) {
    return with_remedy(
        result(check_id::kRdshRole, title, CheckStatus::kWarn,
               "the role could not be read (" + f.problem +
                   "); the other checks assume an RD Session Host",
               f.source),
        "Run the check as SYSTEM or an administrator, or confirm the Remote Desktop Session Host "
        "role is installed.");
  }
  if (!f.has_value()) {
    return with_remedy(
        result(check_id::kRdshRole, title, CheckStatus::kWarn,
               "the role was not found; the other checks assume an RD Session Host", f.source),
        "Confirm the Remote Desktop Session Host role is installed.");
  }
  if (!*f.value) {
    return result(check_id::kRdshRole, title, CheckStatus::kPass,
                  "no RD Session Host role: licensing does not gate logons, rdwarm has nothing to "
                  "do (exit 3)",
                  f.source);
  }
  return result(check_id::kRdshRole, title, CheckStatus::kPass, "RD Session Host role present",
                f.source);
}

CheckResult check_licensing_mode(const HostView& v) {
  const std::string title = "Licensing mode";
  const auto& m = v.s.licensing_mode;
  const std::string source = m.source_path;
  if (m.per_user()) {
    return result(check_id::kLicensingMode, title, CheckStatus::kPass, mode_text(v.s), source);
  }
  if (m.value == static_cast<std::uint32_t>(host::LicensingMode::kPerDevice)) {
    return result(check_id::kLicensingMode, title, CheckStatus::kPass,
                  mode_text(v.s) +
                      ": the per-user first-connection problem does not apply; rdwarm boot has "
                      "nothing to warm up (exit 3)",
                  source);
  }
  if (m.value == static_cast<std::uint32_t>(host::LicensingMode::kNotConfigured)) {
    if (v.multi_session) {
      return result(check_id::kLicensingMode, title, CheckStatus::kPass,
                    mode_text(v.s) +
                        ", as Windows 10/11 Enterprise multi-session expects: it is licensed per "
                        "user through Microsoft 365 or Windows and needs no RDS CAL",
                    source);
    }
    return with_remedy(
        result(check_id::kLicensingMode, title, CheckStatus::kFail,
               mode_text(v.s) +
                   ": once the grace period is over the session host refuses connections "
                   "(events 1068/1069)",
               source),
        std::string("Enable the policy 'Set the Remote Desktop licensing mode' (") +
            kLicensingPolicyPath +
            ") with Per User, or set LicensingMode = 4 under HKLM\\SYSTEM\\CurrentControlSet\\"
            "Control\\Terminal Server\\RCM\\Licensing Core.",
        references::kLicensingGuidance);
  }
  return with_remedy(
      result(check_id::kLicensingMode, title, CheckStatus::kWarn,
             "LicensingMode = " + std::to_string(m.value) + " (" +
                 host::setting_source_name(m.source) +
                 ") is not a value rdwarm knows (2 per device, 4 per user, 5 not configured); "
                 "it is treated as not per-user",
             source),
      std::string("Check the policy 'Set the Remote Desktop licensing mode' (") +
          kLicensingPolicyPath + "); per-user licensing is 4.",
      references::kLicensingGuidance);
}

CheckResult check_multi_session_policy(const HostView& v) {
  const std::string title = "Licensing mode policy on multi-session";
  const auto& m = v.s.licensing_mode;
  const auto& edition = v.s.edition_id;
  const bool policy_set = m.source == SettingSource::kPolicy;
  if (!edition.has_value()) {
    if (!policy_set) {
      return result(check_id::kMultiSessionPolicy, title, CheckStatus::kPass,
                    "no licensing-mode policy is set, whatever the edition", m.source_path);
    }
    return with_remedy(
        result(check_id::kMultiSessionPolicy, title, CheckStatus::kWarn,
               "the edition could not be read" +
                   (edition.problem.empty() ? std::string() : " (" + edition.problem + ")") +
                   ": cannot tell whether the licensing-mode policy conflicts with "
                   "multi-session",
               edition.source),
        "If this is Windows 10/11 Enterprise multi-session, disable the policy 'Set the Remote "
        "Desktop licensing mode'.",
        references::kAvdLicensingModePolicy);
  }
  if (!v.multi_session) {
    return result(check_id::kMultiSessionPolicy, title, CheckStatus::kSkip,
                  "EditionID " + *edition.value + " is not multi-session", edition.source);
  }
  if (!policy_set) {
    return result(check_id::kMultiSessionPolicy, title, CheckStatus::kPass,
                  "Windows 10/11 Enterprise multi-session without a licensing-mode policy",
                  edition.source);
  }
  return with_remedy(
      result(check_id::kMultiSessionPolicy, title, CheckStatus::kFail,
             "Windows 10/11 Enterprise multi-session (EditionID " + *edition.value +
                 ") with the licensing mode set by group policy (" +
                 host::licensing_mode_name(m.value) + " at " + m.source_path +
                 "): users see 'Remote Desktop licensing mode isn't configured' and, when that "
                 "runs out, are disconnected for want of RDS client access licenses",
             m.source_path),
      std::string("Set the policy 'Set the Remote Desktop licensing mode' (") +
          kLicensingPolicyPath +
          ") to Disabled, locally and in every domain GPO that reaches these VMs: multi-session "
          "needs no RDS CAL. On version 1809 also install KB4516077.",
      references::kAvdLicensingModePolicy);
}

bool license_server_checks_apply(const HostView& v) {
  return v.session_host && !(v.multi_session && !v.per_user);
}

std::string license_server_skip_reason(const HostView& v) {
  if (!v.session_host) return not_applicable_reason(v);
  return "multi-session without RDS licensing: no license server is needed";
}

CheckResult check_license_servers(const HostView& v) {
  const std::string title = "License servers specified";
  const auto& ls = v.s.license_servers;
  if (!license_server_checks_apply(v)) {
    return result(check_id::kLicenseServers, title, CheckStatus::kSkip,
                  license_server_skip_reason(v));
  }
  if (!ls.servers.empty()) {
    return result(check_id::kLicenseServers, title, CheckStatus::kPass,
                  join(ls.servers, ", ") + " (" + host::setting_source_name(ls.source) + ")",
                  ls.source_path);
  }
  return with_remedy(
      result(check_id::kLicenseServers, title, CheckStatus::kWarn,
             "none specified: the host falls back to discovery (servers published in AD DS, "
             "then domain controllers), which is slow and unpredictable on a fresh VM; Windows "
             "logs event 50282 (1130)",
             ls.source_path),
      std::string("Enable the policy 'Use the specified Remote Desktop license servers' (") +
          kLicensingPolicyPath +
          ") with your license servers, or set SpecifiedLicenseServers (REG_MULTI_SZ) under "
          "HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\"
          "LicenseServers.",
      references::kLicenseServersPolicy);
}

std::string server_text(const ServerReachability& r) {
  std::string text = r.name + ": ";
  if (!r.dns.ok()) {
    return text + "DNS " + std::string(dns_state_name(r.dns.state)) +
           (r.dns.error.empty() ? "" : " (" + r.dns.error + ")");
  }
  if (r.dns.state == DnsState::kResolved) text += join(r.dns.addresses, ", ") + ", ";
  // Latencies are in the report's license-server section; here only the states.
  std::vector<std::string> ports;
  for (const auto& p : r.ports) {
    ports.push_back(std::to_string(p.port) + " " + std::string(port_state_name(p.state)));
  }
  return text + join(ports, ", ");
}

CheckResult check_reachability(const HostView& v,
                               const std::optional<std::vector<ServerReachability>>& reach) {
  const std::string title = "License servers reachable";
  const auto& ls = v.s.license_servers;
  if (!license_server_checks_apply(v)) {
    return result(check_id::kLicenseServerReachable, title, CheckStatus::kSkip,
                  license_server_skip_reason(v));
  }
  if (ls.servers.empty()) {
    return result(check_id::kLicenseServerReachable, title, CheckStatus::kSkip,
                  "no license server specified (see license-servers)");
  }
  if (!reach || reach->empty()) {
    return result(check_id::kLicenseServerReachable, title, CheckStatus::kSkip, "not probed");
  }
  std::size_t all = 0;
  std::size_t some = 0;
  std::vector<std::string> parts;
  for (const auto& r : *reach) {
    if (r.all_open()) ++all;
    if (r.any_open()) ++some;
    parts.push_back(server_text(r));
  }
  std::string found = join(parts, "; ");
  if (ls.servers.size() > reach->size()) {
    found += " (only the first " + std::to_string(reach->size()) + " of " +
             std::to_string(ls.servers.size()) + " servers were probed)";
  }
  const std::string remedy =
      "Allow TCP 135 and 445, and the dynamic RPC ports 49152-65535, from the session hosts to "
      "the license server, and make its name resolve: Remote Desktop Licensing speaks RPC over "
      "named pipes and needs what File and Printer Sharing needs.";
  if (all == reach->size()) {
    return result(check_id::kLicenseServerReachable, title, CheckStatus::kPass, found,
                  ls.source_path);
  }
  const auto status = some == 0 ? CheckStatus::kFail : CheckStatus::kWarn;
  if (status == CheckStatus::kFail) {
    found = "no license server answers: " + found;
  }
  return with_remedy(
      result(check_id::kLicenseServerReachable, title, status, found, ls.source_path), remedy,
      references::kLicensingPorts);
}

std::string days_text(std::int64_t days) {
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

CheckResult check_grace_period(const HostView& v, const PreflightOptions& options, Preflight& out) {
  const std::string title = "Grace period vs planned lifetime";
  const auto& g = v.s.grace;
  if (v.applicability != Applicability::kApplicable) {
    return result(check_id::kGracePeriod, title, CheckStatus::kSkip, not_applicable_reason(v));
  }
  const std::string lifetime = lifetime_text(options.planned_lifetime);
  const auto horizon = v.s.taken_at + options.planned_lifetime;
  if (g.unreadable()) {
    return with_remedy(result(check_id::kGracePeriod, title, CheckStatus::kWarn,
                              "the grace period could not be read (" + g.problem + ")", g.source),
                       "Run the check as SYSTEM or an administrator: the GracePeriod key is "
                       "restricted.");
  }
  const auto& grace = *g.value;
  host::SystemTime end;
  std::string end_text;
  if (grace.timebomb_present && grace.end) {
    end = *grace.end;
    end_text = grace.over()
                   ? "ended " + format_utc_date(end)
                   : "ends " + format_utc_date(end) + " (" + days_text(*grace.days_left) + " left)";
  } else {
    // No timebomb: each VM starts a new grace period when it first starts.
    end = v.s.taken_at + kGracePeriodLength;
    out.grace_end_estimated = true;
    end_text = "has no timebomb: each VM starts a new " +
               std::to_string(kGracePeriodLength.count()) +
               "-day grace period at first start, which ends";
  }
  // "ends 2027-02-19 (90 days left), after ..." but "..., which ends after ...".
  const std::string joiner = out.grace_end_estimated ? " " : ", ";
  out.grace_end = end;
  if (v.certificate_usable) {
    return result(check_id::kGracePeriod, title, CheckStatus::kPass,
                  "the host has a usable license-server certificate, so the grace period does "
                  "not matter",
                  g.source);
  }
  if (end > horizon) {
    return result(
        check_id::kGracePeriod, title, CheckStatus::kPass,
        "the grace period " + end_text + joiner + "after the planned lifetime of " + lifetime,
        g.source);
  }
  out.grace_ends_within_lifetime = true;
  return with_remedy(
      result(check_id::kGracePeriod, title, CheckStatus::kFail,
             "the grace period " + end_text + joiner + "within the planned lifetime of " +
                 lifetime +
                 ", and the host has no license-server certificate: from then on the first "
                 "connection after each boot is refused with 'no Remote Desktop License Servers "
                 "available' (0x101) while the host fetches one",
             g.source),
      "Run rdwarm boot at every boot (a boot task) so each VM fetches its certificate before "
      "users arrive, or rebuild the image more often than the grace period lasts - Microsoft's two "
      "suggestions.",
      references::kPerUserFirstConnection);
}

CheckResult check_grace_timebomb(const HostView& v) {
  const std::string title = "Grace timebomb present";
  const auto& g = v.s.grace;
  if (v.applicability != Applicability::kApplicable) {
    return result(check_id::kGraceTimebomb, title, CheckStatus::kSkip, not_applicable_reason(v));
  }
  if (g.unreadable()) {
    return result(check_id::kGraceTimebomb, title, CheckStatus::kSkip,
                  "could not be read (see grace-period)", g.source);
  }
  if (g.value->timebomb_present) {
    return result(
        check_id::kGraceTimebomb, title, CheckStatus::kPass,
        "the timebomb value is present" +
            (g.value->end ? " (grace end " + format_utc_date(*g.value->end) + ")" : std::string()),
        g.source);
  }
  return with_remedy(
      result(check_id::kGraceTimebomb, title, CheckStatus::kWarn,
             "the grace timebomb (RCM\\GracePeriod, L$RTMTIMEBOMB_...) does not exist: an "
             "image-sealing step deleted it, or the grace period never started. Each VM then "
             "starts a fresh 120-day grace period, which hides a missing certificate until a VM "
             "lives longer than that",
             g.source),
      "Turn off the sealing step that deletes it (for example a 'reset RDS grace period' step). "
      "Microsoft does not support resetting the grace period as a fix: configure a license "
      "server and let each VM fetch its certificate (rdwarm boot). rdwarm only reads this value; "
      "it never writes or deletes it.",
      references::kLicensingGuidance);
}

CheckResult check_certificate(const HostView& v) {
  const std::string title = "License-server certificate";
  const auto& c = v.s.certificate;
  const std::string source = v.s.certificate_source;
  if (v.applicability != Applicability::kApplicable) {
    return result(check_id::kCertificate, title, CheckStatus::kSkip, not_applicable_reason(v));
  }
  if (v.certificate_usable) {
    return result(check_id::kCertificate, title, CheckStatus::kPass, v.certificate_verdict, source);
  }
  if (!c.present) {
    return result(check_id::kCertificate, title, CheckStatus::kPass,
                  "none, as expected in an image: each VM fetches its own at its first licensed "
                  "connection, which rdwarm boot makes before users arrive",
                  source);
  }
  return with_remedy(
      result(check_id::kCertificate, title, CheckStatus::kWarn, v.certificate_verdict, source),
      "Export HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM, delete its values "
      "Certificate, X509 Certificate, X509 Certificate ID and X509 Certificate2, and restart: the "
      "host then fetches a new certificate.",
      references::kNoLicenseServerAvailable);
}

CheckResult check_nla(const HostView& v, const PreflightOptions& options) {
  const std::string title = "NLA (warm-up can connect)";
  const auto& f = v.s.nla_required;
  if (v.applicability != Applicability::kApplicable) {
    return result(check_id::kNla, title, CheckStatus::kSkip, not_applicable_reason(v));
  }
  if (f.unreadable()) {
    return with_remedy(result(check_id::kNla, title, CheckStatus::kWarn,
                              "UserAuthentication could not be read (" + f.problem + ")", f.source),
                       "Run the check as SYSTEM or an administrator.");
  }
  if (f.has_value() && *f.value) {
    if (!options.nla_problem.empty()) {
      return with_remedy(
          result(check_id::kNla, title, CheckStatus::kFail,
                 "NLA is required (UserAuthentication = 1) and an [nla] account is configured, "
                 "but its password cannot be used: " +
                     options.nla_problem + "; every boot's warm-up would stop with exit code 2",
                 f.source),
          "Set the password again with `rdwarm credentials set` (docs/credentials.md).");
    }
    if (!options.nla_account.empty()) {
      return result(check_id::kNla, title, CheckStatus::kPass,
                    "NLA is required (UserAuthentication = 1); the warm-up authenticates as " +
                        options.nla_account,
                    f.source);
    }
    return with_remedy(
        result(check_id::kNla, title, CheckStatus::kWarn,
               "NLA is required (UserAuthentication = 1) and no [nla] account is configured, so "
               "rdwarm boot stops with exit code 12 and the first user's connection fetches the "
               "certificate instead",
               f.source),
        "Keep NLA on; give rdwarm a dedicated account that may log on through Remote Desktop "
        "Services: [nla] in rdwarm.toml and `rdwarm credentials set` (docs/nla.md).");
  }
  return result(check_id::kNla, title, CheckStatus::kPass,
                "not required: the warm-up connection reaches licensing", f.source);
}

CheckResult check_sxs_listener(const HostView& v) {
  const std::string title = "Side-by-side stack listener";
  const auto& x = v.s.sxs_values;
  if (!v.session_host) {
    return result(check_id::kSxsListener, title, CheckStatus::kSkip, not_applicable_reason(v));
  }
  if (x.name.unreadable()) {
    return with_remedy(
        result(check_id::kSxsListener, title, CheckStatus::kWarn,
               "the listeners could not be read (" + x.name.problem + ")", x.name.source),
        "Run the check as SYSTEM or an administrator.");
  }
  if (!x.name.has_value()) {
    return result(check_id::kSxsListener, title, CheckStatus::kPass,
                  "no side-by-side stack listener (rdp-sxs): not an Azure Virtual Desktop host, "
                  "or its agent is installed after deployment",
                  x.name.source);
  }
  const std::string& name = *x.name.value;
  const std::string remedy =
      "fEnableWinStation must be 1 under HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal "
      "Server\\WinStations\\" +
      name +
      " and Terminal Server\\ClusterSettings\\SessionDirectoryListener must name that listener; "
      "if they do not, reinstall the side-by-side stack by registering the session host to its "
      "host pool again.";
  if (x.enabled.has_value() && *x.enabled.value == 0) {
    return with_remedy(
        result(check_id::kSxsListener, title, CheckStatus::kFail,
               name + " exists with fEnableWinStation = 0: Azure Virtual Desktop cannot hand it "
                      "connections (the SxS Stack Listener health check fails)",
               x.enabled.source),
        remedy, references::kAvdSxsStack);
  }
  const auto& sdl = x.session_directory_listener;
  if (sdl.unreadable()) {
    return with_remedy(result(check_id::kSxsListener, title, CheckStatus::kWarn,
                              name + " is enabled; SessionDirectoryListener could not be read (" +
                                  sdl.problem + ")",
                              sdl.source),
                       remedy, references::kAvdSxsStack);
  }
  if (sdl.source.empty()) {  // this platform does not read the value
    return result(check_id::kSxsListener, title, CheckStatus::kPass,
                  name + " is enabled (SessionDirectoryListener not read on this platform)",
                  x.name.source);
  }
  if (!sdl.has_value()) {
    return with_remedy(
        result(check_id::kSxsListener, title, CheckStatus::kFail,
               name + " is enabled but SessionDirectoryListener is not set: Azure Virtual Desktop "
                      "does not know which listener to use",
               sdl.source),
        remedy, references::kAvdSxsStack);
  }
  if (!iequals(*sdl.value, name)) {
    return with_remedy(
        result(check_id::kSxsListener, title, CheckStatus::kFail,
               "SessionDirectoryListener names " + *sdl.value + " but the listener is " + name +
                   ": Azure Virtual Desktop hands connections to a listener that does not exist",
               sdl.source),
        remedy, references::kAvdSxsStack);
  }
  return result(check_id::kSxsListener, title, CheckStatus::kPass,
                name + " is enabled and SessionDirectoryListener names it", sdl.source);
}

CheckResult skipped_on_request(CheckResult r) {
  r.status = CheckStatus::kSkip;
  r.found = "skipped on request (--skip " + r.id + ")";
  r.remedy.clear();
  r.reference.reset();
  return r;
}

}  // namespace

std::string_view verdict_name(PreflightVerdict verdict) {
  switch (verdict) {
    case PreflightVerdict::kNotApplicable:
      return "not-applicable";
    case PreflightVerdict::kGraceEndsInLifetime:
      return "grace-ends-in-lifetime";
    case PreflightVerdict::kFatal:
      return "fatal";
    case PreflightVerdict::kPass:
      break;
  }
  return "pass";
}

bool is_known_check_id(std::string_view id) {
  return std::find(kAllCheckIds.begin(), kAllCheckIds.end(), id) != kAllCheckIds.end();
}

bool is_multi_session_edition(std::string_view edition_id) {
  return iequals(edition_id, kMultiSessionEditionId);
}

std::vector<std::string> servers_to_reach(const LicensingSnapshot& snapshot,
                                          const PreflightOptions& options) {
  if (options.skip.contains(check_id::kLicenseServerReachable)) return {};
  const auto v = view_of(snapshot);
  if (!license_server_checks_apply(v)) return {};
  return snapshot.license_servers.servers;
}

Preflight run_preflight_checks(const LicensingSnapshot& snapshot, const PreflightOptions& options,
                               const std::optional<std::vector<ServerReachability>>& reachability) {
  Preflight out;
  const auto v = view_of(snapshot);
  out.applicability = v.applicability;
  out.certificate_usable = v.certificate_usable;
  out.checks = {
      check_rdsh_role(v),
      check_licensing_mode(v),
      check_multi_session_policy(v),
      check_license_servers(v),
      check_reachability(v, reachability),
      check_grace_period(v, options, out),
      check_grace_timebomb(v),
      check_certificate(v),
      check_nla(v, options),
      check_sxs_listener(v),
  };
  // Without an RD Session Host role nothing else applies, whatever the values say.
  if (!v.session_host) {
    for (auto& c : out.checks) {
      if (c.id != check_id::kRdshRole && c.status != CheckStatus::kSkip) {
        c = result(c.id, c.title, CheckStatus::kSkip, not_applicable_reason(v));
      }
    }
  }
  for (auto& c : out.checks) {
    if (options.skip.contains(c.id)) {
      if (c.id == check_id::kGracePeriod) out.grace_ends_within_lifetime = false;
      c = skipped_on_request(std::move(c));
    }
  }
  out.verdict = preflight_verdict(out.checks, out.applicability);
  return out;
}

PreflightVerdict preflight_verdict(const std::vector<CheckResult>& checks,
                                   Applicability applicability) {
  bool fatal = false;
  bool grace = false;
  for (const auto& c : checks) {
    if (c.status != CheckStatus::kFail) continue;
    (c.id == check_id::kGracePeriod ? grace : fatal) = true;
  }
  if (fatal) return PreflightVerdict::kFatal;
  if (grace) return PreflightVerdict::kGraceEndsInLifetime;
  if (applicability != Applicability::kApplicable) return PreflightVerdict::kNotApplicable;
  return PreflightVerdict::kPass;
}

}  // namespace rdwarm::imagebuild
