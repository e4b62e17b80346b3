// TPKT [T.123 8] and X.224 class 0 TPDUs [X.224 13] with the RDP negotiation structures
// [MS-RDPBCGR 2.2.1.1, 2.2.1.2].
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire {

inline constexpr std::uint8_t TPKT_VERSION = 3;     // T.123 8
inline constexpr std::size_t TPKT_HEADER_SIZE = 4;  // version, reserved, u16be length
inline constexpr std::size_t X224_DATA_HEADER_SIZE = 3;

// X.224 TPDU codes [X.224 13.1, table 8].
inline constexpr std::uint8_t X224_TPDU_CONNECTION_REQUEST = 0xE0;
inline constexpr std::uint8_t X224_TPDU_CONNECTION_CONFIRM = 0xD0;
inline constexpr std::uint8_t X224_TPDU_DISCONNECT_REQUEST = 0x80;
inline constexpr std::uint8_t X224_TPDU_DATA = 0xF0;
inline constexpr std::uint8_t X224_TPDU_ERROR = 0x70;
inline constexpr std::uint8_t X224_EOT = 0x80;

// RDP_NEG_* types [MS-RDPBCGR 2.2.1.1.1, 2.2.1.2.1, 2.2.1.2.2].
inline constexpr std::uint8_t TYPE_RDP_NEG_REQ = 0x01;
inline constexpr std::uint8_t TYPE_RDP_NEG_RSP = 0x02;
inline constexpr std::uint8_t TYPE_RDP_NEG_FAILURE = 0x03;

// requestedProtocols / selectedProtocol [MS-RDPBCGR 2.2.1.1.1].
inline constexpr std::uint32_t PROTOCOL_RDP = 0x00000000;
inline constexpr std::uint32_t PROTOCOL_SSL = 0x00000001;
inline constexpr std::uint32_t PROTOCOL_HYBRID = 0x00000002;
inline constexpr std::uint32_t PROTOCOL_RDSTLS = 0x00000004;
inline constexpr std::uint32_t PROTOCOL_HYBRID_EX = 0x00000008;
inline constexpr std::uint32_t PROTOCOL_RDSAAD = 0x00000010;

// RDP_NEG_REQ flags [MS-RDPBCGR 2.2.1.1.1].
inline constexpr std::uint8_t RESTRICTED_ADMIN_MODE_REQUIRED = 0x01;
inline constexpr std::uint8_t REDIRECTED_AUTHENTICATION_MODE_REQUIRED = 0x02;
inline constexpr std::uint8_t CORRELATION_INFO_PRESENT = 0x08;

// RDP_NEG_RSP flags [MS-RDPBCGR 2.2.1.2.1].
inline constexpr std::uint8_t EXTENDED_CLIENT_DATA_SUPPORTED = 0x01;
inline constexpr std::uint8_t DYNVC_GFX_PROTOCOL_SUPPORTED = 0x02;
inline constexpr std::uint8_t RESTRICTED_ADMIN_MODE_SUPPORTED = 0x08;
inline constexpr std::uint8_t REDIRECTED_AUTHENTICATION_MODE_SUPPORTED = 0x10;

// RDP_NEG_FAILURE failureCode [MS-RDPBCGR 2.2.1.2.2].
inline constexpr std::uint32_t SSL_REQUIRED_BY_SERVER = 0x00000001;
inline constexpr std::uint32_t SSL_NOT_ALLOWED_BY_SERVER = 0x00000002;
inline constexpr std::uint32_t SSL_CERT_NOT_ON_SERVER = 0x00000003;
inline constexpr std::uint32_t INCONSISTENT_FLAGS = 0x00000004;
inline constexpr std::uint32_t HYBRID_REQUIRED_BY_SERVER = 0x00000005;
inline constexpr std::uint32_t SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER = 0x00000006;

std::string_view negotiation_failure_name(std::uint32_t code);

// How many bytes the next TPKT frame has, once its 4-byte header is buffered. nullopt: need more
// bytes. Error: the stream is not TPKT (a fast-path PDU or garbage, both fatal before activation).
Result<std::optional<std::size_t>> tpkt_frame_length(Bytes buffered);

struct NegotiationRequest {
  std::uint8_t flags = 0;
  std::uint32_t requested_protocols = PROTOCOL_SSL;
};

// Client X.224 Connection Request PDU [MS-RDPBCGR 2.2.1.1], TPKT included.
struct ConnectionRequest {
  // At most one of the two, each ended by CR LF; the server ignores both [MS-RDPBCGR 2.2.1.1].
  std::string cookie;         // "Cookie: mstshash=<cookie>"
  std::string routing_token;  // any other line, e.g. "Cookie: msts=<token>", kept verbatim
  std::optional<NegotiationRequest> negotiation = NegotiationRequest{};

  // The TPDU length fits the one-byte LI only up to 254 bytes: longer cookies are cut.
  static constexpr std::size_t kMaxCookieLine = 200;
  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<ConnectionRequest> decode(Bytes frame);
};

struct NegotiationResponse {
  std::uint8_t flags = 0;
  std::uint32_t selected_protocol = PROTOCOL_SSL;
};
struct NegotiationFailure {
  std::uint32_t code = 0;
};

// Server X.224 Connection Confirm PDU [MS-RDPBCGR 2.2.1.2], TPKT included. monostate: a legacy
// server that sent no negotiation data (standard RDP security only).
struct ConnectionConfirm {
  std::variant<std::monostate, NegotiationResponse, NegotiationFailure> negotiation;

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<ConnectionConfirm> decode(Bytes frame);
};

// An X.224 frame after the connection phase: Data carries an MCS PDU; a Disconnect Request ends
// the connection [X.224 13.5].
struct X224Frame {
  enum class Kind { Data, DisconnectRequest };
  Kind kind = Kind::Data;
  Bytes payload;  // the MCS PDU for Data; a view into the frame
};
Result<X224Frame> decode_x224_frame(Bytes frame);

// Writes TPKT + X.224 Data header around a payload of the given size; the caller appends it.
void write_x224_data_header(Writer& w, std::size_t payload_size);
inline constexpr std::size_t x224_data_overhead() {
  return TPKT_HEADER_SIZE + X224_DATA_HEADER_SIZE;
}
std::vector<std::uint8_t> wrap_x224_data(Bytes payload);

// X.224 Disconnect Request [X.224 13.5], TPKT included (the lab uses it to refuse).
std::vector<std::uint8_t> encode_x224_disconnect_request();

}  // namespace rdwarm::wire
