// The server side of capabilities exchange and connection finalization [MS-RDPBCGR 1.3.1.1,
// 2.2.1.13 - 2.2.1.22]: the Demand Active with the capability sets a client needs to activate,
// and the Synchronize, Control and Font Map PDUs that finish the sequence. Also the small decoder
// for what the client sends after licensing (Confirm Active and Data PDUs). Slow-path, TLS: no
// security header on these PDUs.
#pragma once

#include <cstdint>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::lab {

// pduType2 values [MS-RDPBCGR 2.2.8.1.1.1.2].
inline constexpr std::uint8_t PDUTYPE2_CONTROL = 0x14;
inline constexpr std::uint8_t PDUTYPE2_INPUT = 0x1C;
inline constexpr std::uint8_t PDUTYPE2_SYNCHRONIZE = 0x1F;
inline constexpr std::uint8_t PDUTYPE2_REFRESH_RECT = 0x21;
inline constexpr std::uint8_t PDUTYPE2_SUPPRESS_OUTPUT = 0x23;
inline constexpr std::uint8_t PDUTYPE2_SHUTDOWN_REQUEST = 0x24;
inline constexpr std::uint8_t PDUTYPE2_FONTLIST = 0x27;
inline constexpr std::uint8_t PDUTYPE2_FONTMAP = 0x28;
inline constexpr std::uint8_t PDUTYPE2_BITMAPCACHE_PERSISTENT_LIST = 0x2B;

// Control PDU actions [MS-RDPBCGR 2.2.1.15.1].
inline constexpr std::uint16_t CTRLACTION_REQUEST_CONTROL = 0x0001;
inline constexpr std::uint16_t CTRLACTION_GRANTED_CONTROL = 0x0002;
inline constexpr std::uint16_t CTRLACTION_DETACH = 0x0003;
inline constexpr std::uint16_t CTRLACTION_COOPERATE = 0x0004;

inline constexpr std::uint16_t SYNCMSGTYPE_SYNC = 0x0001;    // [2.2.1.14.1]
inline constexpr std::uint16_t FONTMAP_FIRST_LAST = 0x0003;  // [2.2.1.22.1]
inline constexpr std::uint16_t kServerChannelId = 0x03EA;    // pduSource of the server
inline constexpr std::uint32_t kDefaultShareId = 0x00010000 + kServerChannelId;

// Server Demand Active PDU [MS-RDPBCGR 2.2.1.13.1]: General, Bitmap, Order, Pointer, Input, Virtual
// Channel, Share, Font, Color Cache and Multifragment Update capability sets.
struct ServerDemandActive {
  std::uint32_t share_id = kDefaultShareId;
  std::uint16_t desktop_width = 1024, desktop_height = 768;  // echoes the client's CS_CORE
  std::uint32_t session_id = 1;

  [[nodiscard]] std::size_t size() const;
  void encode(wire::Writer& w) const;
};

// A Share Data PDU with an empty-or-small body: Synchronize [2.2.1.14], Control [2.2.1.15] and
// Font Map [2.2.1.22], as the server sends them.
std::vector<std::uint8_t> encode_server_synchronize(std::uint32_t share_id,
                                                    std::uint16_t target_user);
std::vector<std::uint8_t> encode_server_control(std::uint32_t share_id, std::uint16_t action,
                                                std::uint16_t grant_id, std::uint32_t control_id);
std::vector<std::uint8_t> encode_server_font_map(std::uint32_t share_id);

// What the client sent on the I/O channel after licensing.
struct ClientSharePdu {
  std::uint16_t pdu_type = 0;  // low nibble of pduType (PDUTYPE_CONFIRMACTIVEPDU, _DATAPDU)
  std::uint32_t share_id = 0;
  std::uint8_t pdu_type2 = 0;        // Data PDUs
  std::uint16_t control_action = 0;  // Control PDUs
};
// Accepts the PDU with or without a leading basic security header (clients differ with TLS).
Result<ClientSharePdu> decode_client_share_pdu(wire::Bytes user_data);

}  // namespace rdwarm::lab
