// SERVER_PLATFORM_CHALLENGE [MS-RDPELE 2.2.2.4]: the server checks that the client holds the
// licensing key by sending an RC4-encrypted challenge ("TEST\0" in UTF-16 from Windows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "licensing/wire/licensing_common.hpp"

namespace rdwarm::wire::lic {

struct PlatformChallenge {
  static constexpr std::string_view kName = "SERVER_PLATFORM_CHALLENGE";

  std::uint32_t connect_flags = 0;  // reserved; Windows sends arbitrary values
  // Type is unspecified (<12>): the spec example carries 0xF750.
  LicenseBinaryBlob encrypted_platform_challenge{BB_ENCRYPTED_DATA_BLOB, {}};
  MacData mac_data{};  // MAC over the decrypted challenge

  [[nodiscard]] std::size_t size() const {
    return 4 + encrypted_platform_challenge.size() + MAC_SIZE;
  }
  void encode(Writer& w) const;
  static PlatformChallenge read(Reader& r);
  static Result<PlatformChallenge> decode(Bytes message) {
    return decode_with_reader<PlatformChallenge>(message);
  }

  friend bool operator==(const PlatformChallenge&, const PlatformChallenge&) = default;
};

}  // namespace rdwarm::wire::lic
