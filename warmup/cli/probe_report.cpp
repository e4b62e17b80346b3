#include "warmup/cli/probe_report.hpp"

#include <cstdio>
#include <sstream>

#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_common.hpp"
#include "licensing/wire/licensing_error_message.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/x224.hpp"

namespace rdwarm::cli {

namespace {
double ms(std::chrono::microseconds us) {
  return static_cast<double>(us.count()) / 1000.0;
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string message_name(std::uint8_t type) {
  return std::string(wire::lic::name_of_msg_type(type));
}
}  // namespace

nlohmann::json certificate_json(const crypto::CertificateSummary& c) {
  return {{"subject", c.subject},
          {"issuer", c.issuer},
          {"serial", c.serial_hex},
          {"not_before", c.not_before},
          {"not_after", c.not_after},
          {"key_bits", c.key_bits},
          {"ca", c.is_ca},
          {"microsoft_licensing_extensions", c.has_microsoft_licensing_extensions}};
}

nlohmann::json probe_json(const probe::ProbeResult& r, const Verdict& v) {
  const auto& o = r.outcome;
  nlohmann::json j;
  j["schema"] = kProbeSchema;
  j["rdwarm_version"] = RDWARM_VERSION;
  j["target"] = r.target;
  j["peer"] = r.peer.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.peer);
  j["outcome"] = connector::outcome_kind_name(o.kind);
  j["phase"] = connector::phase_name(o.phase);
  j["exit_code"] = v.exit_code;
  j["verdict"] = {{"headline", v.headline}, {"meaning", v.meaning}, {"next", v.next}};
  j["detail"] = o.detail;
  j["nla_required"] = o.nla_required();
  const auto opt = [](const std::optional<std::uint32_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  auto& nla = j["nla"];
  nla["mechanism"] =
      o.auth_mechanism.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.auth_mechanism);
  nla["credssp_version"] = opt(o.credssp_version);
  nla["error_code"] = opt(o.nla_error_code);
  nla["authorization_result"] = opt(o.authorization_result);
  auto& neg = j["negotiation"];
  neg["selected_protocol"] =
      o.selected_protocol ? nlohmann::json(*o.selected_protocol) : nlohmann::json(nullptr);
  neg["failure_code"] =
      o.negotiation_failure ? nlohmann::json(*o.negotiation_failure) : nlohmann::json(nullptr);
  neg["failure"] = o.negotiation_failure
                       ? nlohmann::json(wire::negotiation_failure_name(*o.negotiation_failure))
                       : nlohmann::json(nullptr);
  j["mcs_result"] =
      o.mcs_result ? nlohmann::json(wire::mcs_result_name(*o.mcs_result)) : nlohmann::json(nullptr);
  auto& lic = j["licensing"];
  lic["messages"] = nlohmann::json::array();
  for (auto t : o.licensing_messages) lic["messages"].push_back(message_name(t));
  lic["licensed"] = o.licensed ? nlohmann::json(connector::licensed_kind_name(*o.licensed))
                               : nlohmann::json(nullptr);
  lic["error_code"] =
      o.license_error_code ? nlohmann::json(*o.license_error_code) : nlohmann::json(nullptr);
  lic["error"] = o.license_error_code
                     ? nlohmann::json(wire::lic::name_of_error_code(*o.license_error_code))
                     : nlohmann::json(nullptr);
  lic["state_transition"] =
      o.license_state_transition
          ? nlohmann::json(wire::lic::name_of_state_transition(*o.license_state_transition))
          : nlohmann::json(nullptr);
  lic["demand_active"] = o.demand_active;
  if (o.error_info) {
    const auto t = wire::error_info_text(*o.error_info);
    j["error_info"] = {{"code", *o.error_info},
                       {"hex", wire::hex_code(*o.error_info)},
                       {"name", t.name},
                       {"description", t.description}};
  } else {
    j["error_info"] = nullptr;
  }
  j["disconnect_reason"] = o.disconnect_reason
                               ? nlohmann::json(wire::dpum_reason_name(*o.disconnect_reason))
                               : nlohmann::json(nullptr);
  auto& cert = j["server_certificate"];
  cert["kind"] = connector::certificate_kind_name(o.server_certificate.kind);
  cert["temporary_bit"] = o.server_certificate.temporary_bit;
  cert["key_bits"] = o.server_certificate.key_bits;
  cert["chain"] = nlohmann::json::array();
  for (const auto& c : o.server_certificate.chain) cert["chain"].push_back(certificate_json(c));
  j["tls"] = {{"version", r.tls_version}, {"cipher", r.tls_cipher}};
  auto& phases = j["phases"];
  phases = nlohmann::json::array();
  for (const auto& t : r.timings) {
    phases.push_back({{"phase", connector::phase_name(t.phase)}, {"ms", ms(t.duration)}});
  }
  j["total_ms"] = ms(r.total);
  return j;
}

std::string probe_text(const probe::ProbeResult& r, const Verdict& v) {
  const auto& o = r.outcome;
  std::ostringstream s;
  s << "rdwarm probe " << r.target << "\n\n";
  s << "  " << v.headline << "  (exit " << v.exit_code << ")\n";
  if (!v.meaning.empty()) s << "  " << v.meaning << "\n";
  if (!v.next.empty()) s << "  Next: " << v.next << "\n";
  s << "\n";
  if (!o.licensing_messages.empty()) {
    s << "  licensing     ";
    for (std::size_t i = 0; i < o.licensing_messages.size(); ++i) {
      s << (i ? " -> " : "") << message_name(o.licensing_messages[i]);
    }
    s << "\n";
  }
  if (o.license_error_code) {
    s << "  error alert   " << wire::lic::name_of_error_code(*o.license_error_code) << " / "
      << wire::lic::name_of_state_transition(o.license_state_transition.value_or(0)) << "\n";
  }
  if (o.licensed)
    s << "  licensed      " << connector::licensed_kind_name(*o.licensed)
      << (o.demand_active ? ", Demand Active received" : "") << "\n";
  if (o.error_info) {
    const auto t = wire::error_info_text(*o.error_info);
    s << "  error info    " << wire::hex_code(*o.error_info) << " " << t.name << ": "
      << t.description << "\n";
  }
  if (o.disconnect_reason)
    s << "  disconnect    " << wire::dpum_reason_name(*o.disconnect_reason) << "\n";
  if (!o.detail.empty() && o.kind != connector::OutcomeKind::NegotiationFailure)
    s << "  detail        " << o.detail << "\n";
  const auto& cert = o.server_certificate;
  if (cert.kind == connector::CertificateKind::Proprietary) {
    s << "  certificate   proprietary (" << cert.key_bits
      << "-bit RSA): not issued by a license server\n";
  } else if (cert.kind == connector::CertificateKind::X509Chain) {
    s << "  certificate   X.509 chain of " << cert.chain.size() << " issued by a license server\n";
    for (std::size_t i = 0; i < cert.chain.size(); ++i) {
      const auto& c = cert.chain[i];
      s << "    [" << i << "] subject " << c.subject << "\n"
        << "        issuer  " << c.issuer << "\n"
        << "        valid   " << c.not_before << " .. " << c.not_after << "  (" << c.key_bits
        << "-bit key)\n";
    }
  }
  if (!r.tls_version.empty())
    s << "  tls           " << r.tls_version << " " << r.tls_cipher << "\n";
  s << "  phases        ";
  for (std::size_t i = 0; i < r.timings.size(); ++i) {
    s << (i ? ", " : "") << connector::phase_name(r.timings[i].phase) << " "
      << fixed(ms(r.timings[i].duration)) << " ms";
  }
  s << "\n  total         " << fixed(ms(r.total)) << " ms\n";
  return s.str();
}

}  // namespace rdwarm::cli
