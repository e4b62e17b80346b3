// Contents of the Microsoft licensing extensions (OIDs 1.3.6.1.4.1.311.18.x, MS-RDPELE 2.2.2.9)
// that the lab license server puts into a session host's certificate. MS-RDPELE lists the OIDs and
// documents the license server info structure (2.2.2.9.2); the other layouts follow the
// session host certificate of the MS-RDPELE 4.1 sample chain (docs/lab-certificates.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

// MS-RDPELE 2.2.2.9.
inline constexpr const char* kOidManufacturer = "1.3.6.1.4.1.311.18.2";  // szOID_PKIX_MANUFACTURER
inline constexpr const char* kOidHydraCertVersion =
    "1.3.6.1.4.1.311.18.4";  // szOID_PKIX_HYDRA_CERT_VERSION
inline constexpr const char* kOidLicensedProductInfo =
    "1.3.6.1.4.1.311.18.5";  // szOID_PKIX_LICENSED_PRODUCT_INFO
inline constexpr const char* kOidLicenseServerInfo =
    "1.3.6.1.4.1.311.18.6";  // szOID_PKIX_MS_LICENSE_SERVER_INFO

// Hydra certificate version: u32 0x00050001, as in the 4.1 sample.
inline constexpr std::uint32_t kHydraCertVersion = 0x00050001;
// Structure version of the 18.5 and 18.6 contents in the 4.1 sample.
inline constexpr std::uint32_t kLicensingInfoVersion = 0x00003000;
inline constexpr std::string_view kManufacturer = "Microsoft Corporation";
// The product the certificate is issued for; the sample carries this identifier for Terminal
// Services in both product-id fields.
inline constexpr std::string_view kTerminalServicesProductId =
    "3d267954-eeb7-11d1-b94e-00c04fa3080d";
// The lab license server's product id (the IssuerId of 18.6), shaped like Windows' "xxxxx-xxx-
// xxxxxxx-xxxxx" ids and marked as a lab value.
inline constexpr const char* kLabLicenseServerProductId = "00000-LAB-0000000-00000";

std::vector<std::uint8_t> encode_hydra_cert_version();
std::vector<std::uint8_t> encode_manufacturer();
std::vector<std::uint8_t> encode_licensed_product_info();

struct LicenseServerInfo {
  std::string issuer_name;  // the license server's name
  std::string issuer_id;    // its product id
  std::string scope;        // domain or workgroup (LsScope)
  bool operator==(const LicenseServerInfo&) const = default;
};

// Version u32 | IssuerNameOffset u16 | IssuerIdOffset u16 | LsScopeOffset u16 | IssuerName |
// IssuerId | LsScope | u16 0 (offsets from the start of the strings; NUL-terminated UTF-16LE;
// ASCII text only).
std::vector<std::uint8_t> encode_license_server_info(const LicenseServerInfo& info);
Result<LicenseServerInfo> decode_license_server_info(std::span<const std::uint8_t> data);

}  // namespace rdwarm::lab
