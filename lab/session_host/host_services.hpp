// What a session host connection asks of the host it belongs to: the certificate its License
// Request carries, the licensing verdict once the client proved it holds the licensing keys, and
// whether a logon is admitted. The lab's SessionHost implements it; tests use a fake. The
// connection itself stays sans-IO: it never learns how the host keeps its state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lab/session_host/host_rsa_key.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/licensing_platform_challenge_response.hpp"

namespace rdwarm::lab {

// The certificate one connection's License Request carries and the private key that decrypts the
// client's premaster secret with it [MS-RDPELE 5.1.1.1]. A connection keeps its own copy: the host
// may receive its X.509 chain while the connection is still licensing.
struct LicensingCredentials {
  crypto::CertificateKind kind = crypto::CertificateKind::Proprietary;
  std::vector<std::uint8_t> server_certificate;  // SERVER_CERTIFICATE [MS-RDPBCGR 2.2.1.4.3.1]
  std::shared_ptr<const HostRsaKey> key;         // the key in that certificate
};

// What the client told the host during licensing.
struct ClientLicensingFacts {
  std::string user_name;     // ClientUserName
  std::string machine_name;  // ClientMachineName
  wire::lic::ClientHardwareId hardware_id;
  bool presented_license = false;  // CLIENT_LICENSE_INFO instead of a New License Request
};

// The host's answer after the Platform Challenge Response [MS-RDPELE 3.2.5.5].
enum class VerdictKind {
  ValidClient,      // STATUS_VALID_CLIENT / ST_NO_TRANSITION
  NewLicense,       // SERVER_NEW_LICENSE carrying a (temporary) client license
  UpgradeLicense,   // SERVER_UPGRADE_LICENSE replacing the license the client presented
  NoLicenseServer,  // ERR_NO_LICENSE_SERVER / ST_TOTAL_ABORT, Set Error Info 0x101, disconnect
  InvalidClient,    // ERR_INVALID_CLIENT / ST_TOTAL_ABORT, Set Error Info 0x102, disconnect
};
std::string_view verdict_kind_name(VerdictKind kind);

struct LicensingVerdict {
  VerdictKind kind = VerdictKind::ValidClient;
  std::vector<std::uint8_t> license;  // NEW_LICENSE_INFO.pbLicenseInfo for New/Upgrade License
  std::string reason;                 // for the lab's log, e.g. "grace period over, no certificate"
};

// Whether a licensed connection may log on. Refused: Set Error Info `error_info`, then a
// disconnect, instead of the Demand Active.
struct Admission {
  bool allowed = true;
  std::uint32_t error_info = 0;
  std::string reason;
};

class HostServices {
 public:
  virtual ~HostServices() = default;
  // false for a "personal terminal server" (no RDSH role): it answers STATUS_VALID_CLIENT at once
  // and never licenses [MS-RDPELE 3.2.5.2].
  [[nodiscard]] virtual bool licensing_required() const = 0;
  // The certificate for a License Request being sent now. A host without an X.509 chain starts
  // asking its license server for one here [MS-RDPELE 3.2.5.5].
  virtual std::shared_ptr<const LicensingCredentials> begin_licensing() = 0;
  virtual LicensingVerdict decide(const ClientLicensingFacts& client) = 0;
  virtual Admission admission() = 0;
};

}  // namespace rdwarm::lab
