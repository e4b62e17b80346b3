#include "lab/session_host/activation_pdus.hpp"

#include "licensing/wire/security_header.hpp"
#include "licensing/wire/share.hpp"

namespace rdwarm::lab {

namespace {

// Capability set types [MS-RDPBCGR 2.2.1.13.1.1.1].
constexpr std::uint16_t CAPSTYPE_GENERAL = 0x0001;
constexpr std::uint16_t CAPSTYPE_BITMAP = 0x0002;
constexpr std::uint16_t CAPSTYPE_ORDER = 0x0003;
constexpr std::uint16_t CAPSTYPE_POINTER = 0x0008;
constexpr std::uint16_t CAPSTYPE_SHARE = 0x0009;
constexpr std::uint16_t CAPSTYPE_COLORCACHE = 0x000A;
constexpr std::uint16_t CAPSTYPE_INPUT = 0x000D;
constexpr std::uint16_t CAPSTYPE_FONT = 0x000E;
constexpr std::uint16_t CAPSTYPE_VIRTUALCHANNEL = 0x0014;
constexpr std::uint16_t CAPSETTYPE_MULTIFRAGMENTUPDATE = 0x001A;

// Sizes of the capability sets the lab sends, header included.
constexpr std::size_t kGeneralSize = 24, kBitmapSize = 28, kOrderSize = 88, kPointerSize = 10,
                      kInputSize = 88, kVirtualChannelSize = 12, kShareSize = 8, kFontSize = 8,
                      kColorCacheSize = 8, kMultifragmentSize = 8;
constexpr std::size_t kCapabilitySets = 10;
constexpr std::size_t kCapabilitiesSize = kGeneralSize + kBitmapSize + kOrderSize + kPointerSize +
                                          kInputSize + kVirtualChannelSize + kShareSize +
                                          kFontSize + kColorCacheSize + kMultifragmentSize;
constexpr char kSourceDescriptor[] = "RDP";  // with its NUL: 4 bytes, as Windows sends

// General capability extraFlags [2.2.7.1.1].
constexpr std::uint16_t LONG_CREDENTIALS_SUPPORTED = 0x0004;
constexpr std::uint16_t NO_BITMAP_COMPRESSION_HDR = 0x0400;
// Order capability orderFlags [2.2.7.1.3]: both MUST be set.
constexpr std::uint16_t NEGOTIATEORDERSUPPORT = 0x0002;
constexpr std::uint16_t ZEROBOUNDSDELTASSUPPORT = 0x0008;
// Input capability inputFlags [2.2.7.1.6]: slow-path input only, which every client speaks.
constexpr std::uint16_t INPUT_FLAG_SCANCODES = 0x0001;
constexpr std::uint16_t INPUT_FLAG_MOUSEX = 0x0004;
constexpr std::uint16_t INPUT_FLAG_UNICODE = 0x0010;

constexpr std::size_t kShareDataHeaderSize = 18;  // Share Control (6) + Share Data (12) headers

void cap_header(wire::Writer& w, std::uint16_t type, std::size_t size) {
  w.u16le(type);
  w.u16le(static_cast<std::uint16_t>(size));
}

// TS_SHARECONTROLHEADER + TS_SHAREDATAHEADER for a Data PDU whose body has `body` bytes.
void share_data_header(wire::Writer& w, std::uint32_t share_id, std::uint8_t pdu_type2,
                       std::size_t body) {
  w.u16le(static_cast<std::uint16_t>(kShareDataHeaderSize + body));
  w.u16le(wire::TS_PROTOCOL_VERSION | wire::PDUTYPE_DATAPDU);
  w.u16le(kServerChannelId);
  w.u32le(share_id);
  w.u8(0);  // pad1
  w.u8(wire::STREAM_LOW);
  w.u16le(static_cast<std::uint16_t>(body + 4));  // uncompressedLength: pduType2 onwards
  w.u8(pdu_type2);
  w.u8(0);     // compressedType
  w.u16le(0);  // compressedLength
}

std::vector<std::uint8_t> data_pdu(std::uint32_t share_id, std::uint8_t pdu_type2,
                                   const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> out;
  out.reserve(kShareDataHeaderSize + body.size());
  wire::Writer w(out);
  share_data_header(w, share_id, pdu_type2, body.size());
  w.bytes(body);
  return out;
}

}  // namespace

std::size_t ServerDemandActive::size() const {
  // Share Control header, shareId, two lengths, source descriptor, numberCapabilities, pad,
  // the sets, sessionId.
  return wire::ShareControlHeader::kSize + 4 + 2 + 2 + sizeof kSourceDescriptor + 4 +
         kCapabilitiesSize + 4;
}

void ServerDemandActive::encode(wire::Writer& w) const {
  w.u16le(static_cast<std::uint16_t>(size()));
  w.u16le(wire::TS_PROTOCOL_VERSION | wire::PDUTYPE_DEMANDACTIVEPDU);
  w.u16le(kServerChannelId);
  w.u32le(share_id);
  w.u16le(sizeof kSourceDescriptor);
  w.u16le(static_cast<std::uint16_t>(4 + kCapabilitiesSize));  // numberCapabilities..sets
  for (char c : kSourceDescriptor) w.u8(static_cast<std::uint8_t>(c));
  w.u16le(kCapabilitySets);
  w.u16le(0);  // pad2Octets

  cap_header(w, CAPSTYPE_GENERAL, kGeneralSize);  // [2.2.7.1.1]
  w.u16le(1);                                     // osMajorType: OSMAJORTYPE_WINDOWS
  w.u16le(3);                                     // osMinorType: OSMINORTYPE_WINDOWS_NT
  w.u16le(0x0200);                                // protocolVersion: TS_CAPS_PROTOCOLVERSION
  w.u16le(0);                                     // pad2octetsA
  w.u16le(0);                                     // generalCompressionTypes
  w.u16le(LONG_CREDENTIALS_SUPPORTED | NO_BITMAP_COMPRESSION_HDR);
  w.u16le(0);  // updateCapabilityFlag
  w.u16le(0);  // remoteUnshareFlag
  w.u16le(0);  // generalCompressionLevel
  w.u8(1);     // refreshRectSupport
  w.u8(1);     // suppressOutputSupport

  cap_header(w, CAPSTYPE_BITMAP, kBitmapSize);  // [2.2.7.1.2]
  w.u16le(32);                                  // preferredBitsPerPixel
  w.u16le(1);                                   // receive1BitPerPixel
  w.u16le(1);                                   // receive4BitsPerPixel
  w.u16le(1);                                   // receive8BitsPerPixel
  w.u16le(desktop_width);
  w.u16le(desktop_height);
  w.u16le(0);  // pad2octets
  w.u16le(1);  // desktopResizeFlag
  w.u16le(1);  // bitmapCompressionFlag: MUST be 1
  w.u8(0);     // highColorFlags
  w.u8(0);     // drawingFlags
  w.u16le(1);  // multipleRectangleSupport: MUST be 1
  w.u16le(0);  // pad2octetsB

  cap_header(w, CAPSTYPE_ORDER, kOrderSize);  // [2.2.7.1.3]: no drawing orders
  w.zeros(16);                                // terminalDescriptor
  w.u32le(0);                                 // pad4octetsA
  w.u16le(1);                                 // desktopSaveXGranularity
  w.u16le(20);                                // desktopSaveYGranularity
  w.u16le(0);                                 // pad2octetsA
  w.u16le(1);                                 // maximumOrderLevel: ORD_LEVEL_1_ORDERS
  w.u16le(0);                                 // numberFonts
  w.u16le(NEGOTIATEORDERSUPPORT | ZEROBOUNDSDELTASSUPPORT);
  w.zeros(32);  // orderSupport
  w.u16le(0);   // textFlags
  w.u16le(0);   // orderSupportExFlags
  w.u32le(0);   // pad4octetsB
  w.u32le(0);   // desktopSaveSize
  w.u16le(0);   // pad2octetsC
  w.u16le(0);   // pad2octetsD
  w.u16le(0);   // textANSICodePage
  w.u16le(0);   // pad2octetsE

  cap_header(w, CAPSTYPE_POINTER, kPointerSize);  // [2.2.7.1.5]
  w.u16le(1);                                     // colorPointerFlag
  w.u16le(25);                                    // colorPointerCacheSize
  w.u16le(25);                                    // pointerCacheSize

  cap_header(w, CAPSTYPE_INPUT, kInputSize);  // [2.2.7.1.6]
  w.u16le(INPUT_FLAG_SCANCODES | INPUT_FLAG_MOUSEX | INPUT_FLAG_UNICODE);
  w.u16le(0);   // pad2octetsA
  w.u32le(0);   // keyboardLayout (the server ignores its own)
  w.u32le(0);   // keyboardType
  w.u32le(0);   // keyboardSubType
  w.u32le(0);   // keyboardFunctionKey
  w.zeros(64);  // imeFileName

  cap_header(w, CAPSTYPE_VIRTUALCHANNEL, kVirtualChannelSize);  // [2.2.7.1.10]
  w.u32le(0);                                                   // flags: VCCAPS_NO_COMPR
  w.u32le(1600);                                                // VCChunkSize: CHANNEL_CHUNK_LENGTH

  cap_header(w, CAPSTYPE_SHARE, kShareSize);  // [2.2.7.2.4]
  w.u16le(kServerChannelId);                  // nodeId
  w.u16le(0);

  cap_header(w, CAPSTYPE_FONT, kFontSize);  // [2.2.7.2.5]
  w.u16le(0x0001);                          // fontSupportFlags: FONTSUPPORT_FONTLIST
  w.u16le(0);

  cap_header(w, CAPSTYPE_COLORCACHE, kColorCacheSize);  // [2.2.7.2.1]
  w.u16le(6);                                           // colorTableCacheSize
  w.u16le(0);

  cap_header(w, CAPSETTYPE_MULTIFRAGMENTUPDATE, kMultifragmentSize);  // [2.2.7.2.6]
  w.u32le(0x00010000);                                                // MaxRequestSize

  w.u32le(session_id);
}

std::vector<std::uint8_t> encode_server_synchronize(std::uint32_t share_id,
                                                    std::uint16_t target_user) {
  std::vector<std::uint8_t> body;
  wire::Writer w(body);
  w.u16le(SYNCMSGTYPE_SYNC);
  w.u16le(target_user);
  return data_pdu(share_id, PDUTYPE2_SYNCHRONIZE, body);
}

std::vector<std::uint8_t> encode_server_control(std::uint32_t share_id, std::uint16_t action,
                                                std::uint16_t grant_id, std::uint32_t control_id) {
  std::vector<std::uint8_t> body;
  wire::Writer w(body);
  w.u16le(action);
  w.u16le(grant_id);
  w.u32le(control_id);
  return data_pdu(share_id, PDUTYPE2_CONTROL, body);
}

std::vector<std::uint8_t> encode_server_font_map(std::uint32_t share_id) {
  std::vector<std::uint8_t> body;
  wire::Writer w(body);
  w.u16le(0);  // numberEntries
  w.u16le(0);  // totalNumEntries
  w.u16le(FONTMAP_FIRST_LAST);
  w.u16le(4);  // entrySize
  return data_pdu(share_id, PDUTYPE2_FONTMAP, body);
}

Result<ClientSharePdu> decode_client_share_pdu(wire::Bytes user_data) {
  wire::Bytes pdu = user_data;
  if (!wire::looks_like_share_control(pdu) && pdu.size() > wire::BasicSecurityHeader::kSize &&
      wire::looks_like_share_control(pdu.subspan(wire::BasicSecurityHeader::kSize))) {
    pdu = pdu.subspan(wire::BasicSecurityHeader::kSize);
  }
  wire::Reader r(pdu, "client Share Control PDU");
  ClientSharePdu out;
  r.u16le("totalLength");
  const std::uint16_t pdu_type = r.u16le("pduType");
  r.u16le("pduSource");
  if (r.ok() && (pdu_type & 0x00F0) != wire::TS_PROTOCOL_VERSION) {
    r.fail("pduType", "has no TS_PROTOCOL_VERSION: not a Share Control PDU");
  }
  out.pdu_type = pdu_type & 0x000F;
  out.share_id = r.u32le("shareId");
  if (r.ok() && out.pdu_type == wire::PDUTYPE_DATAPDU) {
    r.skip(4, "pad1/streamId/uncompressedLength");
    out.pdu_type2 = r.u8("pduType2");
    r.skip(3, "compressedType/compressedLength");
    if (r.ok() && out.pdu_type2 == PDUTYPE2_CONTROL) out.control_action = r.u16le("action");
  }
  if (!r.ok()) return r.error();
  return out;
}

}  // namespace rdwarm::lab
