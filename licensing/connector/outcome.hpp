// The outcome taxonomy of DESIGN.md: one value says how a probe ended. It is what the CLI prints,
// what --json carries, what the agent retries on, and what picks the exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/crypto/certificate_summary.hpp"

namespace rdwarm::connector {

// Phases of the connection sequence, in order. The driver times each one.
enum class Phase {
  TcpConnect,         // TCP connection to the session host
  Negotiation,        // X.224 Connection Request / Confirm
  Tls,                // TLS handshake
  Authentication,     // NLA: CredSSP inside TLS (and HYBRID_EX's Early User Authorization)
  BasicSettings,      // MCS Connect-Initial / Connect-Response (GCC)
  ChannelConnection,  // Erect Domain, Attach User, Channel Joins
  Licensing,          // Client Info, then the MS-RDPELE exchange
  Capabilities,       // after licensing: waiting for Demand Active
  Done,
};
inline constexpr int kPhaseCount = 9;
std::string_view phase_name(Phase p);

enum class OutcomeKind {
  Refused,                      // nothing listening
  Timeout,                      // a phase did not finish in time
  NegotiationFailure,           // RDP_NEG_FAILURE, or no TLS offered
  TlsFailed,                    // TLS handshake failed
  McsFailed,                    // Connect-Response, Attach User or Channel Join refused
  DisconnectedBeforeLicensing,  // the server hung up before any licensing message
  LicensingFailed,              // licensing error alert (e.g. ERR_NO_LICENSE_SERVER)
  Licensed,                     // licensing succeeded
  AuthenticationFailed,         // NLA: the server refused our credentials (or the account)
  ProtocolError,                // the server sent something we cannot accept
};
std::string_view outcome_kind_name(OutcomeKind k);

enum class LicensedKind { ValidClient, NewLicense, UpgradeLicense, NotRequired };
std::string_view licensed_kind_name(LicensedKind k);

enum class CertificateKind { None, Proprietary, X509Chain };
std::string_view certificate_kind_name(CertificateKind k);

// The certificate the session host sent in its License Request. A proprietary certificate means
// the host has no license-server-issued certificate yet [MS-RDPELE 3.2.1.3].
struct ServerCertificateInfo {
  CertificateKind kind = CertificateKind::None;
  bool temporary_bit = false;  // reported, never interpreted (servers disagree on its meaning)
  std::size_t key_bits = 0;
  std::vector<crypto::CertificateSummary> chain;  // root first; empty for proprietary
};

struct Outcome {
  OutcomeKind kind = OutcomeKind::ProtocolError;
  Phase phase = Phase::TcpConnect;  // where it ended (Timeout, ProtocolError, failures)
  std::string detail;               // e.g. the TLS error text or the decode error

  std::optional<std::uint32_t> negotiation_failure;  // RDP_NEG_FAILURE code
  std::optional<std::uint8_t> mcs_result;
  std::optional<std::uint32_t> license_error_code;        // dwErrorCode of the error alert
  std::optional<std::uint32_t> license_state_transition;  // dwStateTransition
  std::optional<std::uint32_t> error_info;                // Set Error Info (non-zero)
  std::optional<std::uint8_t> disconnect_reason;          // DPUM reason
  std::optional<LicensedKind> licensed;
  bool demand_active = false;  // the server moved on to capabilities exchange: definitive proof
  std::optional<std::uint32_t> selected_protocol;
  // NLA: TSRequest.errorCode of a refused logon, the Early User Authorization Result (HYBRID_EX),
  // the CredSSP version both sides used and the mechanism ("NTLM", "Kerberos").
  std::optional<std::uint32_t> nla_error_code;
  std::optional<std::uint32_t> authorization_result;
  std::optional<std::uint32_t> credssp_version;
  std::string auth_mechanism;
  ServerCertificateInfo server_certificate;
  std::vector<std::uint8_t> licensing_messages;  // bMsgType sequence seen, both directions

  [[nodiscard]] bool nla_required() const;  // HYBRID_REQUIRED_BY_SERVER or SSL_WITH_USER_AUTH
  [[nodiscard]] bool licensed_ok() const { return kind == OutcomeKind::Licensed; }
};

}  // namespace rdwarm::connector
