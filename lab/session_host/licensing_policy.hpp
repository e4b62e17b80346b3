// How the lab's session host decides a licensing verdict from its state, after the client's
// Platform Challenge Response [MS-RDPELE 3.2.5.5]. Pure: the SessionHost gathers the facts.
//
//   no X.509 chain from a license server yet:
//     grace period active (or its timebomb absent)  -> STATUS_VALID_CLIENT
//     grace period over                             -> ERR_NO_LICENSE_SERVER (case 2)
//   X.509 chain present (a license server was reached):
//     license server has no CALs: grace active -> STATUS_VALID_CLIENT, else ERR_INVALID_CLIENT
//                                 (case 3)
//     per user (or not configured)                  -> STATUS_VALID_CLIENT: per-user CALs are
//                                                      tracked in the directory, nothing is
//                                                      issued to the device [MS-RDPELE 1.3.1]
//     per device, license server reachable          -> NEW_LICENSE (a temporary per-device CAL),
//                                                      or UPGRADE_LICENSE when the client presented
//                                                      one (case 6 / cases 1, 4, 5)
//     per device, license server unreachable        -> STATUS_VALID_CLIENT when the client
//                                                      presented a CAL or in grace, else
//                                                      ERR_NO_LICENSE_SERVER
#pragma once

#include "lab/scenario/scenario.hpp"
#include "lab/session_host/host_services.hpp"

namespace rdwarm::lab {

struct HostLicensingFacts {
  LicensingMode mode = LicensingMode::PerUser;
  bool has_certificate = false;  // the host holds its license-server-issued chain
  bool grace_active = false;     // grace period not over (or the timebomb is absent)
  bool license_server_reachable = false;
  bool license_server_has_licenses = true;
  bool client_presented_license = false;
};

LicensingVerdict decide_licensing(const HostLicensingFacts& facts);

// The licensing error alert and Set Error Info that go with a failing verdict.
struct FailureCodes {
  std::uint32_t license_error = 0;     // dwErrorCode
  std::uint32_t state_transition = 0;  // dwStateTransition
  std::uint32_t error_info = 0;        // Set Error Info [MS-RDPBCGR 2.2.5.1.1]
};
FailureCodes failure_codes(VerdictKind kind);
// A Platform Challenge Response whose MAC does not verify [MS-RDPELE 3.2.5.5].
FailureCodes invalid_mac_codes();

}  // namespace rdwarm::lab
