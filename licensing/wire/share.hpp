// Share Control / Share Data headers [MS-RDPBCGR 2.2.8.1.1.1.1, 2.2.8.1.1.1.2] and the few
// slow-path PDUs the probe must recognise around licensing: Set Error Info [2.2.5.1.1], Demand
// Active [2.2.1.13.1.1] and Deactivate All [2.2.3.1].
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire {

// pduType values: type in the low nibble, TS_PROTOCOL_VERSION 0x10 above
// [MS-RDPBCGR 2.2.8.1.1.1.1].
inline constexpr std::uint16_t TS_PROTOCOL_VERSION = 0x0010;
inline constexpr std::uint16_t PDUTYPE_DEMANDACTIVEPDU = 0x1;
inline constexpr std::uint16_t PDUTYPE_CONFIRMACTIVEPDU = 0x3;
inline constexpr std::uint16_t PDUTYPE_DEACTIVATEALLPDU = 0x6;
inline constexpr std::uint16_t PDUTYPE_DATAPDU = 0x7;
inline constexpr std::uint16_t PDUTYPE_SERVER_REDIR_PKT = 0xA;
// pduType2 [MS-RDPBCGR 2.2.8.1.1.1.2].
inline constexpr std::uint8_t PDUTYPE2_SET_ERROR_INFO_PDU = 0x2F;
inline constexpr std::uint8_t STREAM_LOW = 0x01;

struct ShareControlHeader {
  std::uint16_t total_length = 0;
  std::uint16_t pdu_type = 0;  // with the version bits
  std::uint16_t pdu_source = 0;
  [[nodiscard]] std::uint16_t type() const { return pdu_type & 0x000F; }
  static constexpr std::size_t kSize = 6;
};

// True when bytes look like a Share Control PDU (no security header, as with TLS): totalLength
// equals the bytes and the version nibble is set. Used to tell them from licensing PDUs.
bool looks_like_share_control(Bytes user_data);

// Set Error Info PDU: errorInfo, one of the ERRINFO_* codes (errinfo.hpp).
struct SetErrorInfoPdu {
  std::uint32_t share_id = 0;
  std::uint32_t error_info = 0;
  [[nodiscard]] std::size_t size() const { return 22; }
  void encode(Writer& w) const;
};

// The first fields of a Demand Active PDU: enough to prove the server left licensing.
struct DemandActiveHeader {
  std::uint32_t share_id = 0;
  std::string source_descriptor;
  std::uint16_t number_capabilities = 0;
  std::uint16_t pdu_source = 0;
  // The lab sends a minimal Demand Active: general capability set only.
  [[nodiscard]] std::vector<std::uint8_t> encode_minimal() const;
};

// A slow-path Share Control PDU as the probe classifies it.
struct SharePdu {
  ShareControlHeader header;
  enum class Kind { DemandActive, DeactivateAll, SetErrorInfo, OtherData, Other };
  Kind kind = Kind::Other;
  std::uint32_t error_info = 0;  // SetErrorInfo
  std::uint8_t pdu_type2 = 0;    // Data PDUs
  DemandActiveHeader demand_active;
};

Result<SharePdu> decode_share_pdu(Bytes user_data);

}  // namespace rdwarm::wire
