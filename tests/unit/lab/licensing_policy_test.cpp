// The host's licensing verdict as a table [MS-RDPELE 3.2.5.5], and the codes each failure sends.
#include "lab/session_host/licensing_policy.hpp"

#include <gtest/gtest.h>

#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/licensing_error_message.hpp"

namespace rdwarm::lab {
namespace {

namespace lic = wire::lic;

struct Row {
  LicensingMode mode;
  bool cert, grace, reachable, cals, presented;
  VerdictKind expected;
};

class PolicyTable : public ::testing::TestWithParam<Row> {};

TEST_P(PolicyTable, Verdict) {
  const Row& r = GetParam();
  HostLicensingFacts f;
  f.mode = r.mode;
  f.has_certificate = r.cert;
  f.grace_active = r.grace;
  f.license_server_reachable = r.reachable;
  f.license_server_has_licenses = r.cals;
  f.client_presented_license = r.presented;
  const auto v = decide_licensing(f);
  EXPECT_EQ(v.kind, r.expected) << verdict_kind_name(v.kind) << ": " << v.reason;
  EXPECT_FALSE(v.reason.empty());
}

constexpr auto U = LicensingMode::PerUser;
constexpr auto D = LicensingMode::PerDevice;
constexpr auto N = LicensingMode::NotConfigured;
using V = VerdictKind;

INSTANTIATE_TEST_SUITE_P(
    Mrdpele325, PolicyTable,
    ::testing::Values(
        // No certificate: the grace period decides, whatever the license server does.
        Row{U, false, false, true, true, false, V::NoLicenseServer},
        Row{U, false, true, true, true, false, V::ValidClient},
        Row{D, false, false, true, true, false, V::NoLicenseServer},
        Row{N, false, false, false, true, false, V::NoLicenseServer},
        Row{N, false, true, false, true, false, V::ValidClient},
        // Certificate, license server without CALs: ERR_INVALID_CLIENT past the grace period.
        Row{U, true, false, true, false, false, V::InvalidClient},
        Row{U, true, true, true, false, false, V::ValidClient},
        Row{D, true, false, true, false, false, V::InvalidClient},
        // Per user with a certificate: nothing to issue to the device.
        Row{U, true, false, true, true, false, V::ValidClient},
        Row{U, true, false, false, true, false, V::ValidClient},
        // Per device: a temporary CAL, or an upgrade of the one presented.
        Row{D, true, false, true, true, false, V::NewLicense},
        Row{D, true, false, true, true, true, V::UpgradeLicense},
        Row{D, true, false, false, true, true, V::ValidClient},
        Row{D, true, true, false, true, false, V::ValidClient},
        Row{D, true, false, false, true, false, V::NoLicenseServer}));

TEST(FailureCodes, MatchWhatWindowsSends) {
  const auto no_server = failure_codes(VerdictKind::NoLicenseServer);
  EXPECT_EQ(no_server.license_error, lic::ERR_NO_LICENSE_SERVER);
  EXPECT_EQ(no_server.state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(no_server.error_info, 0x101u);
  const auto invalid = failure_codes(VerdictKind::InvalidClient);
  EXPECT_EQ(invalid.license_error, lic::ERR_INVALID_CLIENT);
  EXPECT_EQ(invalid.error_info, wire::ERRINFO_LICENSE_NO_LICENSE);
  const auto mac = invalid_mac_codes();
  EXPECT_EQ(mac.license_error, lic::ERR_INVALID_MAC);
  EXPECT_EQ(mac.state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(mac.error_info, wire::ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION);
  EXPECT_EQ(failure_codes(VerdictKind::ValidClient).license_error, 0u);
}

}  // namespace
}  // namespace rdwarm::lab
