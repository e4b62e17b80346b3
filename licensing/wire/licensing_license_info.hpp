// CLIENT_LICENSE_INFO [MS-RDPELE 2.2.2.3]: a client that holds a license presents it. rdwarm's
// probe never stores licenses, but the lab must understand clients (mstsc, FreeRDP) that do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "licensing/wire/licensing_common.hpp"

namespace rdwarm::wire::lic {

struct LicenseInfo {
  static constexpr std::string_view kName = "CLIENT_LICENSE_INFO";

  std::uint32_t preferred_key_exchange_alg = KEY_EXCHANGE_ALG_RSA;
  std::uint32_t platform_id = CLIENT_OS_ID_WINNT_POST_52 | CLIENT_IMAGE_ID_MICROSOFT;
  Random client_random{};
  LicenseBinaryBlob encrypted_premaster_secret{BB_RANDOM_BLOB, {}};
  LicenseBinaryBlob license_info{BB_DATA_BLOB, {}};              // the stored CAL
  LicenseBinaryBlob encrypted_hwid{BB_ENCRYPTED_DATA_BLOB, {}};  // RC4(CLIENT_HARDWARE_ID)
  MacData mac_data{};

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static LicenseInfo read(Reader& r);
  static Result<LicenseInfo> decode(Bytes message) {
    return decode_with_reader<LicenseInfo>(message);
  }

  friend bool operator==(const LicenseInfo&, const LicenseInfo&) = default;
};

}  // namespace rdwarm::wire::lic
