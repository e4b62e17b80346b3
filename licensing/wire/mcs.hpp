// MCS (T.125) PDUs of the RDP connection sequence: Connect-Initial / Connect-Response in BER
// [MS-RDPBCGR 2.2.1.3, 2.2.1.4] and the ALIGNED PER domain PDUs [MS-RDPBCGR 2.2.1.5 - 2.2.1.9,
// 2.2.8.1.1.1.1, 2.2.2.3]. These are the payloads of X.224 Data TPDUs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire {

// DomainMCSPDU choice numbers [T.125 7 part 10].
inline constexpr std::uint8_t MCS_ERECT_DOMAIN_REQUEST = 1;
inline constexpr std::uint8_t MCS_DISCONNECT_PROVIDER_ULTIMATUM = 8;
inline constexpr std::uint8_t MCS_ATTACH_USER_REQUEST = 10;
inline constexpr std::uint8_t MCS_ATTACH_USER_CONFIRM = 11;
inline constexpr std::uint8_t MCS_CHANNEL_JOIN_REQUEST = 14;
inline constexpr std::uint8_t MCS_CHANNEL_JOIN_CONFIRM = 15;
inline constexpr std::uint8_t MCS_SEND_DATA_REQUEST = 25;
inline constexpr std::uint8_t MCS_SEND_DATA_INDICATION = 26;

inline constexpr std::uint16_t MCS_USER_ID_BASE = 1001;  // user ids are sent minus 1001 [T.125]
inline constexpr std::uint16_t MCS_GLOBAL_CHANNEL_ID = 1003;  // usual I/O channel; the server says

// DPUM reasons [T.125 7 part 5].
inline constexpr std::uint8_t RN_DOMAIN_DISCONNECTED = 0;
inline constexpr std::uint8_t RN_PROVIDER_INITIATED = 1;
inline constexpr std::uint8_t RN_TOKEN_PURGED = 2;
inline constexpr std::uint8_t RN_USER_REQUESTED = 3;
inline constexpr std::uint8_t RN_CHANNEL_PURGED = 4;
std::string_view dpum_reason_name(std::uint8_t reason);

// MCS Connect-Response result [T.125 7 part 2]; 0 is rt-successful.
std::string_view mcs_result_name(std::uint8_t result);

struct DomainParameters {
  std::uint32_t max_channel_ids = 0, max_user_ids = 0, max_token_ids = 0, num_priorities = 0,
                min_throughput = 0, max_height = 0, max_mcs_pdu_size = 0, protocol_version = 0;
  // The three parameter sets every RDP client proposes [MS-RDPBCGR 4.1.3].
  static DomainParameters target();
  static DomainParameters minimum();
  static DomainParameters maximum();
  [[nodiscard]] std::size_t size() const;  // with SEQUENCE header
  void encode(Writer& w) const;
  static DomainParameters read(Reader& r, std::string_view field);
  bool operator==(const DomainParameters&) const = default;
};

// MCS Connect-Initial [T.125 7 part 2], user_data = GCC Conference Create Request.
struct ConnectInitial {
  DomainParameters target_parameters = DomainParameters::target();
  DomainParameters minimum_parameters = DomainParameters::minimum();
  DomainParameters maximum_parameters = DomainParameters::maximum();
  std::vector<std::uint8_t> user_data;

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<ConnectInitial> decode(Bytes mcs);
};

// MCS Connect-Response [T.125 7 part 2], user_data = GCC Conference Create Response.
struct ConnectResponse {
  std::uint8_t result = 0;
  std::uint32_t called_connect_id = 0;
  DomainParameters domain_parameters = DomainParameters::target();
  std::vector<std::uint8_t> user_data;

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<ConnectResponse> decode(Bytes mcs);
};

struct ErectDomainRequest {
  std::uint32_t sub_height = 0, sub_interval = 0;
};
struct AttachUserRequest {};
struct AttachUserConfirm {
  std::uint8_t result = 0;
  std::optional<std::uint16_t> initiator;  // the user channel id when result is 0
};
struct ChannelJoinRequest {
  std::uint16_t initiator = 0, channel_id = 0;
};
struct ChannelJoinConfirm {
  std::uint8_t result = 0;
  std::uint16_t initiator = 0, requested = 0;
  std::optional<std::uint16_t> channel_id;
};
struct SendDataRequest {
  std::uint16_t initiator = 0, channel_id = 0;
  Bytes user_data;  // a view; the caller keeps the bytes alive while encoding or reading
};
struct SendDataIndication {
  std::uint16_t initiator = 0, channel_id = 0;
  Bytes user_data;
};
struct DisconnectProviderUltimatum {
  std::uint8_t reason = RN_USER_REQUESTED;
};

using DomainPdu = std::variant<ErectDomainRequest, AttachUserRequest, AttachUserConfirm,
                               ChannelJoinRequest, ChannelJoinConfirm, SendDataRequest,
                               SendDataIndication, DisconnectProviderUltimatum>;

std::string_view domain_pdu_name(const DomainPdu& pdu);
[[nodiscard]] std::size_t domain_pdu_size(const DomainPdu& pdu);
void encode_domain_pdu(Writer& w, const DomainPdu& pdu);
// Decodes one domain PDU (the payload of an X.224 Data TPDU). Send Data user data is a view into
// mcs.
Result<DomainPdu> decode_domain_pdu(Bytes mcs);

// A whole X.224 Data frame (TPKT included) carrying one domain PDU, or a Connect PDU.
std::vector<std::uint8_t> frame_domain_pdu(const DomainPdu& pdu);
template <class ConnectPdu>
std::vector<std::uint8_t> frame_connect_pdu(const ConnectPdu& pdu);

}  // namespace rdwarm::wire
