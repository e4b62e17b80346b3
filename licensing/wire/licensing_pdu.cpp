#include "licensing/wire/licensing_pdu.hpp"

#include <cstdio>
#include <string>
#include <type_traits>

namespace rdwarm::wire::lic {

namespace {

std::string hex_value(unsigned v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}

template <class T>
Result<LicensingMessage> wrap(Result<T> r) {
  if (!r.ok()) return r.error();
  return LicensingMessage(std::move(r).value());
}

}  // namespace

std::uint8_t msg_type_of(const LicensingMessage& message) {
  return std::visit(
      [](const auto& m) -> std::uint8_t {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, LicenseRequest>) return LICENSE_REQUEST;
        if constexpr (std::is_same_v<T, PlatformChallenge>) return PLATFORM_CHALLENGE;
        if constexpr (std::is_same_v<T, NewLicense>) return m.msg_type();
        if constexpr (std::is_same_v<T, LicenseErrorMessage>) return ERROR_ALERT;
        if constexpr (std::is_same_v<T, NewLicenseRequest>) return NEW_LICENSE_REQUEST;
        if constexpr (std::is_same_v<T, PlatformChallengeResponse>) {
          return PLATFORM_CHALLENGE_RESPONSE;
        }
        if constexpr (std::is_same_v<T, LicenseInfo>) return LICENSE_INFO;
      },
      message);
}

std::size_t LicensingPdu::size() const {
  return BasicSecurityHeader::kSize + Preamble::kSize +
         std::visit([](const auto& m) { return m.size(); }, message);
}

void LicensingPdu::encode(Writer& w) const {
  security.encode(w);
  const std::size_t body = std::visit([](const auto& m) { return m.size(); }, message);
  Preamble p = preamble;
  p.msg_type = msg_type();
  p.msg_size = static_cast<std::uint16_t>(Preamble::kSize + body);
  p.encode(w);
  std::visit([&w](const auto& m) { m.encode(w); }, message);
}

Result<LicensingMessage> LicensingPdu::decode_message(std::uint8_t msg_type, Bytes body) {
  switch (msg_type) {
    case LICENSE_REQUEST:
      return wrap(LicenseRequest::decode(body));
    case PLATFORM_CHALLENGE:
      return wrap(PlatformChallenge::decode(body));
    case NEW_LICENSE:
      return wrap(NewLicense::decode(body, false));
    case UPGRADE_LICENSE:
      return wrap(NewLicense::decode(body, true));
    case ERROR_ALERT:
      return wrap(LicenseErrorMessage::decode(body));
    case NEW_LICENSE_REQUEST:
      return wrap(NewLicenseRequest::decode(body));
    case PLATFORM_CHALLENGE_RESPONSE:
      return wrap(PlatformChallengeResponse::decode(body));
    case LICENSE_INFO:
      return wrap(LicenseInfo::decode(body));
    default:
      return make_error(std::string(kName), "bMsgType",
                        "unknown licensing message type " + hex_value(msg_type, 2));
  }
}

Result<LicensingPdu> LicensingPdu::decode(Bytes user_data) {
  Reader r(user_data, kName);
  LicensingPdu pdu;
  pdu.security = BasicSecurityHeader::read(r);
  if (r.ok() && (pdu.security.flags & SEC_LICENSE_PKT) == 0) {
    r.fail("flags", "SEC_LICENSE_PKT (0x0080) not set in " + hex_value(pdu.security.flags, 4));
  }
  pdu.preamble = Preamble::read(r);
  if (!r.ok()) return r.error();
  auto message = decode_message(pdu.preamble.msg_type, r.rest());
  if (!message.ok()) return message.error();
  pdu.message = std::move(message).value();
  return pdu;
}

}  // namespace rdwarm::wire::lic
