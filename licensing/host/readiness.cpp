#include "licensing/host/readiness.hpp"

#include <chrono>

namespace rdwarm::host {

namespace {

std::int64_t unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Adds the certificate verdict; returns whether the chain is good enough to admit users.
bool check_certificate(const LicensingSnapshot& snap, std::vector<std::string>& reasons) {
  const auto& cert = snap.certificate;
  const std::string where = cert.value_name.empty() ? "X509 Certificate2" : cert.value_name;
  if (!cert.present) {
    reasons.push_back(
        "no license-server certificate yet (" + snap.certificate_source +
        " is missing): the first user to connect would be refused with 'no Remote Desktop License "
        "Servers available' while the host fetches it; run a warm-up (rdwarm boot)");
    return false;
  }
  if (!cert.parse_error.empty()) {
    reasons.push_back("the certificate value " + where + " does not parse (" + cert.parse_error +
                      "); Microsoft's remedy is to delete the X509 certificate values under RCM "
                      "and restart so the host fetches a new one");
    return false;
  }
  if (cert.chain.size() < 2) {
    reasons.push_back("the certificate value " + where + " holds " +
                      std::to_string(cert.chain.size()) +
                      " certificate; a license-server chain has at least 2 (license server, "
                      "session host)");
    return false;
  }
  const auto* leaf = cert.leaf();
  const auto* ls = cert.license_server();
  if (leaf->not_after_unix <= unix_seconds(snap.taken_at)) {
    reasons.push_back("the session-host certificate expired on " + leaf->not_after +
                      "; the host must fetch a new one from " + ls->subject);
    return false;
  }
  reasons.push_back("license-server certificate chain of " + std::to_string(cert.chain.size()) +
                    " issued by " + ls->subject + ", valid until " + leaf->not_after);
  return true;
}

}  // namespace

std::string applicability_name(Applicability a) {
  switch (a) {
    case Applicability::kApplicable:
      return "applicable";
    case Applicability::kNoSessionHostRole:
      return "no-session-host-role";
    case Applicability::kNotPerUser:
      break;
  }
  return "not-per-user";
}

Readiness evaluate_readiness(const LicensingSnapshot& snapshot,
                             std::optional<bool> last_probe_licensed) {
  Readiness r;
  if (snapshot.rdsh_role.has_value() && !*snapshot.rdsh_role.value) {
    r.applicability = Applicability::kNoSessionHostRole;
    r.ready = true;
    r.reasons.push_back(
        "not an RD Session Host: Remote Desktop licensing does not gate logons here");
    return r;
  }
  if (!snapshot.licensing_mode.per_user()) {
    r.applicability = Applicability::kNotPerUser;
    r.ready = true;
    r.reasons.push_back("licensing mode is " + licensing_mode_name(snapshot.licensing_mode.value) +
                        " (" + setting_source_name(snapshot.licensing_mode.source) +
                        "): the per-user first-connection problem does not apply");
    return r;
  }

  const bool cert_ok = check_certificate(snapshot, r.reasons);
  bool probe_ok = true;
  if (last_probe_licensed.has_value() && !*last_probe_licensed) {
    probe_ok = false;
    r.reasons.push_back("the last warm-up connection did not complete licensing");
  }
  r.ready = cert_ok && probe_ok;
  if (!r.ready && snapshot.rdsh_role.unreadable()) {
    r.reasons.push_back("the session-host role could not be read: " + snapshot.rdsh_role.problem);
  }
  return r;
}

}  // namespace rdwarm::host
