#include "licensing/host/snapshot.hpp"

#include <algorithm>
#include <cctype>

#include "licensing/crypto/registry_chain.hpp"

namespace rdwarm::host {

namespace {

// Grace days are whole days left, rounded up: 0.5 days left is still a day of grace.
std::int64_t days_until(SystemTime end, SystemTime now) {
  if (end <= now) {
    return 0;
  }
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(end - now).count();
  constexpr std::int64_t kDay = 24 * 60 * 60;
  return (left + kDay - 1) / kDay;
}

void note_problem(std::vector<std::string>& problems, const std::string& source,
                  const std::string& problem) {
  if (!problem.empty()) {
    problems.push_back(source + ": " + problem);
  }
}

template <class T>
void note_problem(std::vector<std::string>& problems, const Fact<T>& fact) {
  note_problem(problems, fact.source, fact.problem);
}

EffectiveLicensingMode effective_mode(const RawHostValues& raw) {
  EffectiveLicensingMode mode;
  if (raw.policy_licensing_mode.has_value()) {
    mode.value = *raw.policy_licensing_mode.value;
    mode.source = SettingSource::kPolicy;
    mode.source_path = raw.policy_licensing_mode.source;
  } else if (raw.local_licensing_mode.has_value()) {
    mode.value = *raw.local_licensing_mode.value;
    mode.source = SettingSource::kLocal;
    mode.source_path = raw.local_licensing_mode.source;
  }
  return mode;
}

EffectiveLicenseServers effective_servers(const RawHostValues& raw) {
  EffectiveLicenseServers servers;
  if (raw.policy_license_servers.has_value()) {
    servers.servers = split_license_server_list(*raw.policy_license_servers.value);
    if (!servers.servers.empty()) {
      servers.source = SettingSource::kPolicy;
      servers.source_path = raw.policy_license_servers.source;
      return servers;
    }
  }
  if (raw.local_license_servers.has_value()) {
    for (const auto& name : *raw.local_license_servers.value) {
      auto trimmed = split_license_server_list(name);
      servers.servers.insert(servers.servers.end(), trimmed.begin(), trimmed.end());
    }
    if (!servers.servers.empty()) {
      servers.source = SettingSource::kLocal;
      servers.source_path = raw.local_license_servers.source;
    }
  }
  return servers;
}

// "X509 Certificate2" is the current format; "X509 Certificate" is read only when it is missing.
CertificateChainState certificate_state(const RawHostValues& raw, std::string& source) {
  CertificateChainState state;
  const Fact<std::vector<std::uint8_t>>* chosen = nullptr;
  if (raw.x509_certificate2.has_value()) {
    chosen = &raw.x509_certificate2;
    state.value_name = "X509 Certificate2";
  } else if (raw.x509_certificate.has_value()) {
    chosen = &raw.x509_certificate;
    state.value_name = "X509 Certificate";
  }
  if (chosen == nullptr) {
    source = raw.x509_certificate2.source;
    return state;
  }
  source = chosen->source;
  state.present = true;
  auto chain = crypto::decode_registry_certificate_chain(*chosen->value);
  if (!chain.ok()) {
    state.parse_error = chain.error().message();
    return state;
  }
  state.chain = std::move(chain).value();
  return state;
}

}  // namespace

std::string licensing_mode_name(std::uint32_t registry_value) {
  switch (registry_value) {
    case static_cast<std::uint32_t>(LicensingMode::kPerDevice):
      return "per-device";
    case static_cast<std::uint32_t>(LicensingMode::kPerUser):
      return "per-user";
    case static_cast<std::uint32_t>(LicensingMode::kNotConfigured):
      return "not-configured";
    default:
      return "unknown (" + std::to_string(registry_value) + ")";
  }
}

std::string setting_source_name(SettingSource source) {
  switch (source) {
    case SettingSource::kPolicy:
      return "policy";
    case SettingSource::kLocal:
      return "local";
    case SettingSource::kDefault:
      break;
  }
  return "default";
}

std::string admission_name(const AdmissionState& admission) {
  if (admission.winstations_disabled != 0) {
    return "disabled";
  }
  if (admission.drain_mode != 0) {
    return "draining";
  }
  return "open";
}

const crypto::CertificateSummary* CertificateChainState::leaf() const {
  return chain.size() >= 2 ? &chain.back() : nullptr;
}

const crypto::CertificateSummary* CertificateChainState::license_server() const {
  return chain.size() >= 2 ? &chain[chain.size() - 2] : nullptr;
}

std::vector<std::string> split_license_server_list(const std::string& list) {
  std::vector<std::string> names;
  std::string current;
  auto flush = [&] {
    const auto first = current.find_first_not_of(" \t");
    if (first != std::string::npos) {
      const auto last = current.find_last_not_of(" \t");
      names.push_back(current.substr(first, last - first + 1));
    }
    current.clear();
  };
  for (const char c : list) {
    if (c == ',' || c == ';') {
      flush();
    } else {
      current.push_back(c);
    }
  }
  flush();
  return names;
}

LicensingSnapshot interpret_host_values(const RawHostValues& raw, SystemTime now,
                                        std::string platform) {
  LicensingSnapshot snap;
  snap.taken_at = now;
  snap.platform = std::move(platform);
  snap.rdsh_role = raw.rdsh_role;
  snap.edition_id = raw.edition_id;
  snap.licensing_mode = effective_mode(raw);
  snap.license_servers = effective_servers(raw);

  const auto& grace_end = raw.grace_period_end;
  if (grace_end.unreadable()) {
    snap.grace = Fact<GracePeriod>::failed(grace_end.source, grace_end.problem);
  } else {
    GracePeriod grace;
    grace.timebomb_present = grace_end.has_value();
    if (grace_end.has_value()) {
      grace.end = *grace_end.value;
      grace.days_left = days_until(*grace_end.value, now);
    }
    snap.grace = Fact<GracePeriod>::found(grace, grace_end.source);
  }

  snap.certificate = certificate_state(raw, snap.certificate_source);

  const auto& ua = raw.user_authentication;
  snap.nla_required = ua.has_value() ? Fact<bool>::found(*ua.value != 0, ua.source)
                                     : Fact<bool>{std::nullopt, ua.source, ua.problem};

  if (raw.sxs_listener_name.has_value()) {
    const bool enabled = raw.sxs_listener_enabled.value.value_or(1) != 0;
    snap.sxs_listener =
        enabled
            ? Fact<std::string>::found(*raw.sxs_listener_name.value, raw.sxs_listener_name.source)
            : Fact<std::string>::failed(raw.sxs_listener_enabled.source,
                                        *raw.sxs_listener_name.value + " is disabled");
  } else {
    snap.sxs_listener = raw.sxs_listener_name;
  }

  snap.sxs_values = {raw.sxs_listener_name, raw.sxs_listener_enabled,
                     raw.sxs_session_directory_listener};

  if (raw.drain_mode.unreadable() || raw.winstations_disabled.unreadable()) {
    const auto& bad = raw.drain_mode.unreadable() ? raw.drain_mode : raw.winstations_disabled;
    snap.admission = Fact<AdmissionState>::failed(bad.source, bad.problem);
  } else {
    AdmissionState admission;
    admission.drain_mode = raw.drain_mode.value.value_or(0);
    admission.winstations_disabled = raw.winstations_disabled.value.value_or(0);
    snap.admission = Fact<AdmissionState>::found(admission, raw.drain_mode.source);
  }

  for (const auto* fact :
       {&raw.policy_licensing_mode, &raw.local_licensing_mode, &raw.user_authentication,
        &raw.sxs_listener_enabled, &raw.drain_mode, &raw.winstations_disabled}) {
    note_problem(snap.problems, *fact);
  }
  note_problem(snap.problems, raw.rdsh_role);
  note_problem(snap.problems, raw.edition_id);
  note_problem(snap.problems, raw.policy_license_servers);
  note_problem(snap.problems, raw.local_license_servers);
  note_problem(snap.problems, raw.x509_certificate2);
  note_problem(snap.problems, raw.x509_certificate);
  note_problem(snap.problems, raw.grace_period_end);
  note_problem(snap.problems, raw.sxs_listener_name);
  note_problem(snap.problems, raw.sxs_session_directory_listener);
  return snap;
}

}  // namespace rdwarm::host
