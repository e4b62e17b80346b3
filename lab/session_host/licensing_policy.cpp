#include "lab/session_host/licensing_policy.hpp"

#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/licensing_error_message.hpp"

namespace rdwarm::lab {

namespace lic = wire::lic;

std::string_view verdict_kind_name(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::ValidClient:
      return "STATUS_VALID_CLIENT";
    case VerdictKind::NewLicense:
      return "NEW_LICENSE";
    case VerdictKind::UpgradeLicense:
      return "UPGRADE_LICENSE";
    case VerdictKind::NoLicenseServer:
      return "ERR_NO_LICENSE_SERVER";
    case VerdictKind::InvalidClient:
      return "ERR_INVALID_CLIENT";
  }
  return "unknown";
}

LicensingVerdict decide_licensing(const HostLicensingFacts& f) {
  if (!f.has_certificate) {
    if (f.grace_active) {
      return {VerdictKind::ValidClient, {}, "no license server certificate yet, grace period"};
    }
    return {VerdictKind::NoLicenseServer,
            {},
            "grace period over and no certificate from a license server"};
  }
  if (!f.license_server_has_licenses) {
    if (f.grace_active) {
      return {VerdictKind::ValidClient, {}, "license server has no CALs, grace period"};
    }
    return {VerdictKind::InvalidClient, {}, "license server reached but it has no CALs"};
  }
  if (f.mode != LicensingMode::PerDevice) {
    return {VerdictKind::ValidClient, {}, "per-user licensing with a license server certificate"};
  }
  if (f.license_server_reachable) {
    if (f.client_presented_license) {
      return {VerdictKind::UpgradeLicense, {}, "per-device CAL presented, upgraded"};
    }
    return {VerdictKind::NewLicense, {}, "per-device: temporary CAL issued"};
  }
  if (f.client_presented_license) {
    return {VerdictKind::ValidClient, {}, "per-device CAL presented, license server unreachable"};
  }
  if (f.grace_active) {
    return {VerdictKind::ValidClient, {}, "per-device, license server unreachable, grace period"};
  }
  return {VerdictKind::NoLicenseServer,
          {},
          "per-device, license server unreachable and grace period over"};
}

FailureCodes failure_codes(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::NoLicenseServer:
      return {lic::ERR_NO_LICENSE_SERVER, lic::ST_TOTAL_ABORT,
              wire::ERRINFO_LICENSE_NO_LICENSE_SERVER};
    case VerdictKind::InvalidClient:
      return {lic::ERR_INVALID_CLIENT, lic::ST_TOTAL_ABORT, wire::ERRINFO_LICENSE_NO_LICENSE};
    default:
      return {};
  }
}

FailureCodes invalid_mac_codes() {
  return {lic::ERR_INVALID_MAC, lic::ST_TOTAL_ABORT, wire::ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION};
}

}  // namespace rdwarm::lab
