// CLIENT_PLATFORM_CHALLENGE_RESPONSE [MS-RDPELE 2.2.2.5] and the two plaintext structures that
// travel RC4-encrypted inside it and inside CLIENT_LICENSE_INFO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "licensing/wire/licensing_common.hpp"

namespace rdwarm::wire::lic {

// PLATFORM_CHALLENGE_RESPONSE_DATA values [MS-RDPELE 2.2.2.5.1].
inline constexpr std::uint16_t PLATFORM_CHALLENGE_RESPONSE_VERSION = 0x0100;
inline constexpr std::uint16_t WIN32_PLATFORMCHALLENGE_TYPE = 0x0100;
inline constexpr std::uint16_t WIN16_PLATFORMCHALLENGE_TYPE = 0x0200;
inline constexpr std::uint16_t WINCE_PLATFORMCHALLENGE_TYPE = 0x0300;
inline constexpr std::uint16_t OTHER_PLATFORMCHALLENGE_TYPE = 0xFF00;
inline constexpr std::uint16_t LICENSE_DETAIL_SIMPLE = 0x0001;
inline constexpr std::uint16_t LICENSE_DETAIL_MODERATE = 0x0002;
inline constexpr std::uint16_t LICENSE_DETAIL_DETAIL = 0x0003;

struct PlatformChallengeResponse {
  static constexpr std::string_view kName = "CLIENT_PLATFORM_CHALLENGE_RESPONSE";

  // RC4(PLATFORM_CHALLENGE_RESPONSE_DATA); the spec example carries type 0x0001 here (<13>).
  LicenseBinaryBlob encrypted_challenge_response{BB_ENCRYPTED_DATA_BLOB, {}};
  LicenseBinaryBlob encrypted_hwid{BB_ENCRYPTED_DATA_BLOB, {}};  // RC4(CLIENT_HARDWARE_ID)
  MacData mac_data{};                                            // MAC over both plaintexts

  [[nodiscard]] std::size_t size() const {
    return encrypted_challenge_response.size() + encrypted_hwid.size() + MAC_SIZE;
  }
  void encode(Writer& w) const;
  static PlatformChallengeResponse read(Reader& r);
  static Result<PlatformChallengeResponse> decode(Bytes message) {
    return decode_with_reader<PlatformChallengeResponse>(message);
  }

  friend bool operator==(const PlatformChallengeResponse&,
                         const PlatformChallengeResponse&) = default;
};

// PLATFORM_CHALLENGE_RESPONSE_DATA [MS-RDPELE 2.2.2.5.1] (plaintext).
struct PlatformChallengeResponseData {
  static constexpr std::string_view kName = "PLATFORM_CHALLENGE_RESPONSE_DATA";

  std::uint16_t version = PLATFORM_CHALLENGE_RESPONSE_VERSION;
  std::uint16_t client_type = WIN32_PLATFORMCHALLENGE_TYPE;
  std::uint16_t license_detail_level = LICENSE_DETAIL_DETAIL;
  std::vector<std::uint8_t> challenge;  // the decrypted server challenge, echoed

  [[nodiscard]] std::size_t size() const { return 8 + challenge.size(); }
  void encode(Writer& w) const;  // challenge must fit cbChallenge (u16)
  static PlatformChallengeResponseData read(Reader& r);
  static Result<PlatformChallengeResponseData> decode(Bytes plaintext) {
    return decode_with_reader<PlatformChallengeResponseData>(plaintext);
  }

  friend bool operator==(const PlatformChallengeResponseData&,
                         const PlatformChallengeResponseData&) = default;
};

// CLIENT_HARDWARE_ID [MS-RDPELE 2.2.2.3.1] (plaintext). The license server tracks CALs by it, so
// a client keeps it stable across connections.
struct ClientHardwareId {
  static constexpr std::string_view kName = "CLIENT_HARDWARE_ID";

  std::uint32_t platform_id = 0;
  std::uint32_t data1 = 0;
  std::uint32_t data2 = 0;
  std::uint32_t data3 = 0;
  std::uint32_t data4 = 0;

  static constexpr std::size_t kSize = 20;
  [[nodiscard]] std::size_t size() const { return kSize; }
  void encode(Writer& w) const;
  static ClientHardwareId read(Reader& r);
  static Result<ClientHardwareId> decode(Bytes plaintext) {
    return decode_with_reader<ClientHardwareId>(plaintext);
  }

  friend bool operator==(const ClientHardwareId&, const ClientHardwareId&) = default;
};

}  // namespace rdwarm::wire::lic
