// A licensing PDU as it travels in the userData of an MCS Send Data Request/Indication:
// TS_SECURITY_HEADER | LICENSE_PREAMBLE | message [MS-RDPELE 2.2.2, MS-RDPBCGR 2.2.1.12].
#pragma once

#include <cstddef>
#include <cstdint>
#include <variant>

#include "licensing/wire/licensing_common.hpp"
#include "licensing/wire/licensing_error_message.hpp"
#include "licensing/wire/licensing_license_info.hpp"
#include "licensing/wire/licensing_license_request.hpp"
#include "licensing/wire/licensing_new_license.hpp"
#include "licensing/wire/licensing_new_license_request.hpp"
#include "licensing/wire/licensing_platform_challenge.hpp"
#include "licensing/wire/licensing_platform_challenge_response.hpp"
#include "licensing/wire/security_header.hpp"

namespace rdwarm::wire::lic {

using LicensingMessage =
    std::variant<LicenseRequest, PlatformChallenge, NewLicense, LicenseErrorMessage,
                 NewLicenseRequest, PlatformChallengeResponse, LicenseInfo>;

// The bMsgType that goes with a message.
std::uint8_t msg_type_of(const LicensingMessage& message);

struct LicensingPdu {
  static constexpr std::string_view kName = "Licensing PDU";

  // Decoding requires SEC_LICENSE_PKT and ignores every other bit and flagsHi: xrdp 0.9 puts junk
  // in flagsHi, xrdp 0.10 and Media Center servers add SEC_LICENSE_ENCRYPT_CS, Windows 2019 sends
  // other combinations.
  BasicSecurityHeader security{SEC_LICENSE_PKT, 0};
  // As received. encode() takes only `flags` from here and derives bMsgType and wMsgSize.
  Preamble preamble;
  LicensingMessage message;

  [[nodiscard]] std::uint8_t msg_type() const { return msg_type_of(message); }
  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;

  // `user_data` is the whole MCS userData. The outer (MCS/TPKT) length is trusted; wMsgSize is not
  // checked because peers disagree about it, and bytes after the message are ignored.
  static Result<LicensingPdu> decode(Bytes user_data);
  // Decodes the body that follows a preamble with this bMsgType.
  static Result<LicensingMessage> decode_message(std::uint8_t msg_type, Bytes body);
};

}  // namespace rdwarm::wire::lic
