// CLIENT_NEW_LICENSE_REQUEST [MS-RDPELE 2.2.2.2]: the client, holding no license, asks for one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "licensing/wire/licensing_common.hpp"

namespace rdwarm::wire::lic {

struct NewLicenseRequest {
  static constexpr std::string_view kName = "CLIENT_NEW_LICENSE_REQUEST";

  std::uint32_t preferred_key_exchange_alg = KEY_EXCHANGE_ALG_RSA;
  std::uint32_t platform_id = CLIENT_OS_ID_WINNT_POST_52 | CLIENT_IMAGE_ID_MICROSOFT;
  Random client_random{};
  // BB_RANDOM_BLOB: RSA(premaster secret) little-endian, modulus length + 8 zero bytes.
  LicenseBinaryBlob encrypted_premaster_secret{BB_RANDOM_BLOB, {}};
  std::string client_user_name;     // BB_CLIENT_USER_NAME_BLOB, ANSI + NUL
  std::string client_machine_name;  // BB_CLIENT_MACHINE_NAME_BLOB, ANSI + NUL

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static NewLicenseRequest read(Reader& r);
  static Result<NewLicenseRequest> decode(Bytes message) {
    return decode_with_reader<NewLicenseRequest>(message);
  }

  friend bool operator==(const NewLicenseRequest&, const NewLicenseRequest&) = default;
};

}  // namespace rdwarm::wire::lic
