#include "licensing/connector/outcome.hpp"

#include "licensing/wire/x224.hpp"

namespace rdwarm::connector {

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::TcpConnect:
      return "tcp-connect";
    case Phase::Negotiation:
      return "negotiation";
    case Phase::Tls:
      return "tls";
    case Phase::Authentication:
      return "nla";
    case Phase::BasicSettings:
      return "mcs-connect";
    case Phase::ChannelConnection:
      return "channel-join";
    case Phase::Licensing:
      return "licensing";
    case Phase::Capabilities:
      return "demand-active";
    case Phase::Done:
      return "done";
  }
  return "unknown";
}

std::string_view outcome_kind_name(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::Refused:
      return "Refused";
    case OutcomeKind::Timeout:
      return "Timeout";
    case OutcomeKind::NegotiationFailure:
      return "NegotiationFailure";
    case OutcomeKind::TlsFailed:
      return "TlsFailed";
    case OutcomeKind::McsFailed:
      return "McsFailed";
    case OutcomeKind::DisconnectedBeforeLicensing:
      return "DisconnectedBeforeLicensing";
    case OutcomeKind::LicensingFailed:
      return "LicensingFailed";
    case OutcomeKind::Licensed:
      return "Licensed";
    case OutcomeKind::AuthenticationFailed:
      return "AuthenticationFailed";
    case OutcomeKind::ProtocolError:
      return "ProtocolError";
  }
  return "Unknown";
}

std::string_view licensed_kind_name(LicensedKind k) {
  switch (k) {
    case LicensedKind::ValidClient:
      return "valid-client";
    case LicensedKind::NewLicense:
      return "new";
    case LicensedKind::UpgradeLicense:
      return "upgrade";
    case LicensedKind::NotRequired:
      return "not-required";
  }
  return "unknown";
}

std::string_view certificate_kind_name(CertificateKind k) {
  switch (k) {
    case CertificateKind::None:
      return "none";
    case CertificateKind::Proprietary:
      return "proprietary";
    case CertificateKind::X509Chain:
      return "x509";
  }
  return "unknown";
}

bool Outcome::nla_required() const {
  return kind == OutcomeKind::NegotiationFailure && negotiation_failure &&
         (*negotiation_failure == wire::HYBRID_REQUIRED_BY_SERVER ||
          *negotiation_failure == wire::SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER);
}

}  // namespace rdwarm::connector
