#include "warmup/agent/verdict.hpp"

#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_error_message.hpp"
#include "licensing/wire/x224.hpp"
#include "warmup/agent/exit_codes.hpp"

namespace rdwarm::agent {

using connector::OutcomeKind;

namespace {
Verdict licensing_failed(const connector::Outcome& o) {
  const std::uint32_t code = o.license_error_code.value_or(0);
  const std::uint32_t errinfo = o.error_info.value_or(0);
  if (code == wire::lic::ERR_NO_LICENSE_SERVER ||
      errinfo == wire::ERRINFO_LICENSE_NO_LICENSE_SERVER) {
    return {
        kExitNoLicenseServer,
        "Licensing failed: no Remote Desktop license server available (0x101)",
        "The session host has no certificate from a license server and could not get one in time. "
        "Users connecting now are refused with \"The remote session disconnected because there are "
        "no "
        "Remote Desktop License Servers available\".",
        "Check that the license servers configured for this host (rdwarm status) resolve and "
        "answer on "
        "TCP 135 and 445, that the license server is activated and has per-user CALs, and that "
        "this host "
        "is in the license server's \"Terminal Server License Servers\" group. On a freshly booted "
        "host "
        "the first connection starts the certificate request: probe again in a few seconds."};
  }
  if (code == wire::lic::ERR_INVALID_CLIENT || errinfo == wire::ERRINFO_LICENSE_NO_LICENSE) {
    return {kExitNoCertificate,
            "Licensing failed: the license server was reached but issued no license",
            "Users connecting now are refused by licensing.",
            "Check that the license server has Remote Desktop CALs of the mode this host uses "
            "(per user / per device) and that the licensing mode matches."};
  }
  return {kExitNoCertificate,
          "Licensing failed: " + std::string(wire::lic::name_of_error_code(code)) +
              (errinfo ? " (error info " + wire::hex_code(errinfo, 4) + ")" : ""),
          "The session host refused this connection during licensing; users may be refused too.",
          "See the error info below and the RemoteDesktopServices-RdpCoreTS and "
          "TerminalServices-Licensing "
          "event logs on the host."};
}
}  // namespace

Verdict verdict_for(const probe::ProbeResult& result) {
  const auto& o = result.outcome;
  switch (o.kind) {
    case OutcomeKind::Licensed: {
      Verdict v{kExitReady, "Licensed: the session host completed licensing", "Users can connect.",
                ""};
      if (o.server_certificate.kind == connector::CertificateKind::Proprietary) {
        v.meaning +=
            " The host still presents a proprietary certificate: it has not (yet) been issued a "
            "certificate by a license server, so it is probably relying on the grace period.";
        v.next =
            "Run `rdwarm status` to see the grace period; once it ends, the first connection after "
            "each boot will be refused unless the certificate is fetched first (`rdwarm boot`).";
      }
      if (!o.demand_active) {
        v.meaning +=
            " The host then disconnected instead of starting the session (logons may be disabled "
            "or "
            "the host is in drain mode).";
      }
      return v;
    }
    case OutcomeKind::LicensingFailed:
      return licensing_failed(o);
    case OutcomeKind::Refused:
      return {kExitNotListening,
              "Not listening: nothing accepted the connection on " + result.target,
              "Remote Desktop Services is not (yet) accepting connections on this port.",
              "Check that the Remote Desktop Services service (TermService) is running and "
              "listening on this "
              "port; right after boot it can take a few seconds."};
    case OutcomeKind::Timeout:
      if (o.phase == connector::Phase::TcpConnect) {
        return {kExitNotListening,
                "Not listening: the TCP connection to " + result.target + " timed out",
                "Nothing answers on this address and port.",
                "Check the address, the port and any firewall."};
      }
      return {
          kExitInternal,
          "Timeout: the session host stopped answering during " +
              std::string(connector::phase_name(o.phase)),
          "No licensing verdict could be reached.",
          "The host may be overloaded or still starting. Probe again; if it persists, check the "
          "RemoteDesktopServices-RdpCoreTS event log."};
    case OutcomeKind::NegotiationFailure:
      if (o.nla_required()) {
        return {kExitNlaRequired,
                "NLA required: the session host requires Network Level Authentication",
                "Licensing cannot be observed without credentials (the host answered " +
                    std::string(wire::negotiation_failure_name(*o.negotiation_failure)) + ").",
                "Give rdwarm an account for NLA, or allow a loopback listener without NLA for the "
                "probe. "
                "Retrying without credentials will not change this answer."};
      }
      return {kExitInternal, "Negotiation failed: " + o.detail,
              "rdwarm needs the host to offer TLS (PROTOCOL_SSL).",
              "Set the RDP security layer of the listener to Negotiate or SSL (TLS)."};
    case OutcomeKind::AuthenticationFailed:
      return {kExitNlaAuthenticationFailed, "NLA authentication failed: " + o.detail,
              "The session host requires Network Level Authentication and refused the account "
              "rdwarm is configured with" +
                  (o.auth_mechanism.empty() ? std::string() : " (" + o.auth_mechanism + ")") +
                  ", so licensing could not be observed.",
              "Check the account with `rdwarm credentials show` and set its password again with "
              "`rdwarm credentials set` (docs/nla.md). rdwarm does not retry: a wrong password "
              "retried at every boot locks the account out."};
    case OutcomeKind::TlsFailed:
      return {kExitInternal, "TLS failed: " + o.detail, "No licensing verdict could be reached.",
              "Check the listener's TLS certificate (it can be missing right after boot) and probe "
              "again."};
    case OutcomeKind::McsFailed:
      return {kExitInternal, "Connection refused by the host during MCS setup: " + o.detail,
              "The host refused the connection before licensing (too many users, or a policy).",
              ""};
    case OutcomeKind::DisconnectedBeforeLicensing:
      return {kExitInternal,
              "Disconnected before licensing" +
                  (o.error_info ? ": " + std::string(wire::error_info_text(*o.error_info).name)
                                : std::string()),
              "The host closed the connection before it started licensing.",
              "See the error info and the RemoteDesktopServices-RdpCoreTS event log on the host."};
    case OutcomeKind::ProtocolError:
      return {kExitInternal, "Protocol error: " + o.detail,
              "The peer does not behave like an RDP session host; no licensing verdict.",
              "Check that the address and port belong to an RDP listener."};
  }
  return {kExitInternal, "Unknown outcome", "", ""};
}

}  // namespace rdwarm::agent
