#include "licensing/wire/share.hpp"

namespace rdwarm::wire {

namespace {
constexpr std::size_t kShareDataHeaderRest = 12;  // after the Share Control header
constexpr std::uint16_t kServerChannelSource = 0x03EA;
constexpr std::uint16_t CAPSTYPE_GENERAL = 0x0001;
}  // namespace

bool looks_like_share_control(Bytes user_data) {
  if (user_data.size() < ShareControlHeader::kSize) return false;
  const std::size_t total = static_cast<std::size_t>(user_data[0] | (user_data[1] << 8));
  const std::uint16_t type = static_cast<std::uint16_t>(user_data[2] | (user_data[3] << 8));
  // A 0x8000 totalLength is a flow PDU [2.2.8.1.1.1.1]; otherwise it must match the payload.
  return (total == user_data.size() || total == 0x8000) && (type & 0x00F0) == TS_PROTOCOL_VERSION;
}

void SetErrorInfoPdu::encode(Writer& w) const {
  w.u16le(static_cast<std::uint16_t>(size()));
  w.u16le(TS_PROTOCOL_VERSION | PDUTYPE_DATAPDU);
  w.u16le(0);  // pduSource MUST be 0 for this PDU [2.2.5.1.1]
  w.u32le(share_id);
  w.u8(0);  // pad1
  w.u8(STREAM_LOW);
  w.u16le(8);  // uncompressedLength
  w.u8(PDUTYPE2_SET_ERROR_INFO_PDU);
  w.u8(0);  // compressedType
  w.u16le(0);
  w.u32le(error_info);
}

std::vector<std::uint8_t> DemandActiveHeader::encode_minimal() const {
  // One TS_GENERAL_CAPABILITYSET [2.2.7.1.1] of 24 bytes, then sessionId.
  constexpr std::size_t kCapsSize = 4 + 24;
  const std::size_t desc = source_descriptor.size() + 1;
  const std::size_t total = ShareControlHeader::kSize + 4 + 2 + 2 + desc + kCapsSize + 4;
  std::vector<std::uint8_t> out;
  out.reserve(total);
  Writer w(out);
  w.u16le(static_cast<std::uint16_t>(total));
  w.u16le(TS_PROTOCOL_VERSION | PDUTYPE_DEMANDACTIVEPDU);
  w.u16le(pdu_source == 0 ? kServerChannelSource : pdu_source);
  w.u32le(share_id);
  w.u16le(static_cast<std::uint16_t>(desc));
  w.u16le(static_cast<std::uint16_t>(kCapsSize));
  for (char c : source_descriptor) w.u8(static_cast<std::uint8_t>(c));
  w.u8(0);
  w.u16le(1);  // numberCapabilities
  w.u16le(0);  // pad2Octets
  w.u16le(CAPSTYPE_GENERAL);
  w.u16le(24);
  w.u16le(1);       // osMajorType: Windows
  w.u16le(3);       // osMinorType: Windows NT
  w.u16le(0x0200);  // protocolVersion
  w.zeros(24 - 10);
  w.u32le(0);  // sessionId
  return out;
}

Result<SharePdu> decode_share_pdu(Bytes user_data) {
  Reader r(user_data, "Share Control PDU");
  SharePdu pdu;
  pdu.header.total_length = r.u16le("totalLength");
  pdu.header.pdu_type = r.u16le("pduType");
  pdu.header.pdu_source = r.u16le("pduSource");
  if (!r.ok()) return r.error();
  switch (pdu.header.type()) {
    case PDUTYPE_DEMANDACTIVEPDU: {
      pdu.kind = SharePdu::Kind::DemandActive;
      pdu.demand_active.pdu_source = pdu.header.pdu_source;
      pdu.demand_active.share_id = r.u32le("shareId");
      const std::uint16_t desc_len = r.u16le("lengthSourceDescriptor");
      (void)r.u16le("lengthCombinedCapabilities");
      const Bytes desc = r.bytes(desc_len, "sourceDescriptor");
      for (std::uint8_t c : desc) {
        if (c == 0) break;
        pdu.demand_active.source_descriptor += static_cast<char>(c);
      }
      pdu.demand_active.number_capabilities = r.u16le("numberCapabilities");
      break;
    }
    case PDUTYPE_DEACTIVATEALLPDU:
      pdu.kind = SharePdu::Kind::DeactivateAll;
      break;
    case PDUTYPE_DATAPDU: {
      r.skip(kShareDataHeaderRest - 4, "shareDataHeader");
      pdu.pdu_type2 = r.u8("pduType2");
      r.skip(3, "compressedType/compressedLength");
      if (pdu.pdu_type2 == PDUTYPE2_SET_ERROR_INFO_PDU) {
        pdu.kind = SharePdu::Kind::SetErrorInfo;
        pdu.error_info = r.u32le("errorInfo");
      } else {
        pdu.kind = SharePdu::Kind::OtherData;
      }
      break;
    }
    default:
      pdu.kind = SharePdu::Kind::Other;
      break;
  }
  if (!r.ok()) return r.error();
  return pdu;
}

}  // namespace rdwarm::wire
