// SERVER_NEW_LICENSE [MS-RDPELE 2.2.2.7] and SERVER_UPGRADE_LICENSE [2.2.2.6] (same layout, told
// apart by bMsgType), and the plaintext NEW_LICENSE_INFO [2.2.2.6.1] inside them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/licensing_common.hpp"

namespace rdwarm::wire::lic {

struct NewLicense {
  static constexpr std::string_view kName = "SERVER_NEW_LICENSE";

  bool upgrade = false;  // true: UPGRADE_LICENSE (0x04); false: NEW_LICENSE (0x03)
  LicenseBinaryBlob encrypted_license_info{BB_ENCRYPTED_DATA_BLOB, {}};  // RC4(NEW_LICENSE_INFO)
  MacData mac_data{};  // MAC over the plaintext NEW_LICENSE_INFO

  [[nodiscard]] std::uint8_t msg_type() const { return upgrade ? UPGRADE_LICENSE : NEW_LICENSE; }
  [[nodiscard]] std::size_t size() const { return encrypted_license_info.size() + MAC_SIZE; }
  void encode(Writer& w) const;
  // Reads the body; `upgrade` is set by the caller from bMsgType.
  static NewLicense read(Reader& r);
  static Result<NewLicense> decode(Bytes message, bool upgrade);

  friend bool operator==(const NewLicense&, const NewLicense&) = default;
};

struct NewLicenseInfo {
  static constexpr std::string_view kName = "NEW_LICENSE_INFO";

  std::uint32_t version = 0x00060000;
  std::string scope = "microsoft.com";                 // ANSI + NUL on the wire
  std::string company_name = "Microsoft Corporation";  // UTF-16LE + NUL on the wire
  std::string product_id = "A02";                      // UTF-16LE + NUL on the wire
  std::vector<std::uint8_t> license_info;              // the CAL (an X.509 certificate chain)

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static NewLicenseInfo read(Reader& r);
  static Result<NewLicenseInfo> decode(Bytes plaintext) {
    return decode_with_reader<NewLicenseInfo>(plaintext);
  }

  friend bool operator==(const NewLicenseInfo&, const NewLicenseInfo&) = default;
};

}  // namespace rdwarm::wire::lic
