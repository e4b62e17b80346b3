#include "licensing/wire/x224.hpp"

#include <string_view>

#include "licensing/wire/hex.hpp"

namespace rdwarm::wire {

namespace {
constexpr std::string_view kCookiePrefix = "Cookie: mstshash=";
constexpr std::size_t kNegotiationSize = 8;          // RDP_NEG_REQ/RSP/FAILURE are all 8 bytes
constexpr std::size_t kFixedTpduSize = 7;            // LI, code, DST-REF, SRC-REF, class
constexpr std::uint16_t kConfirmSourceRef = 0x1234;  // [MS-RDPBCGR 4.1.2]; never checked on input

// Reads and checks the TPKT header; the TPKT length must equal the frame (the connector frames it).
bool read_tpkt(Reader& r, std::size_t frame_size) {
  if (r.u8("tpkt.version") != TPKT_VERSION && r.ok()) r.fail("tpkt.version", "is not 3");
  r.skip(1, "tpkt.reserved");
  const std::uint16_t length = r.u16be("tpkt.length");
  if (r.ok() && length != frame_size) {
    r.fail("tpkt.length", "says " + std::to_string(length) + " but the frame has " +
                              std::to_string(frame_size) + " bytes");
  }
  return r.ok();
}

// TPKT, then LI (which must cover the rest of the frame) and the code of a Connection Request or
// Confirm TPDU. Returns the code; DST-REF, SRC-REF and class follow.
std::uint8_t read_connection_tpdu(Reader& r) {
  const std::size_t frame_size = r.remaining();
  if (!read_tpkt(r, frame_size)) return 0;
  const std::uint8_t li = r.u8("LI");
  if (r.ok() && li != frame_size - TPKT_HEADER_SIZE - 1)
    r.fail("LI", "does not match the TPKT length");
  return r.u8("code");
}

void write_tpkt(Writer& w, std::size_t total) {
  w.u8(TPKT_VERSION);
  w.u8(0);
  w.u16be(static_cast<std::uint16_t>(total));
}
}  // namespace

std::string_view negotiation_failure_name(std::uint32_t code) {
  switch (code) {
    case SSL_REQUIRED_BY_SERVER:
      return "SSL_REQUIRED_BY_SERVER";
    case SSL_NOT_ALLOWED_BY_SERVER:
      return "SSL_NOT_ALLOWED_BY_SERVER";
    case SSL_CERT_NOT_ON_SERVER:
      return "SSL_CERT_NOT_ON_SERVER";
    case INCONSISTENT_FLAGS:
      return "INCONSISTENT_FLAGS";
    case HYBRID_REQUIRED_BY_SERVER:
      return "HYBRID_REQUIRED_BY_SERVER";
    case SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER:
      return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
    default:
      return "UNKNOWN_NEGOTIATION_FAILURE";
  }
}

Result<std::optional<std::size_t>> tpkt_frame_length(Bytes buffered) {
  if (buffered.empty()) return std::optional<std::size_t>{};
  if (buffered[0] != TPKT_VERSION) {
    return make_error("TPKT header", "version",
                      "first byte is " + hex_code(buffered[0], 2) +
                          ", not 3: the peer does not speak slow-path RDP");
  }
  if (buffered.size() < TPKT_HEADER_SIZE) return std::optional<std::size_t>{};
  const std::size_t length = static_cast<std::size_t>((buffered[2] << 8) | buffered[3]);
  if (length < TPKT_HEADER_SIZE + 3) {
    return make_error("TPKT header", "length", std::to_string(length) + " is shorter than a TPDU");
  }
  return std::optional<std::size_t>{length};
}

namespace {
// The cookie or routing-token line without CR LF, cut so the TPDU length fits LI.
std::string token_line(const ConnectionRequest& cr) {
  std::string line = cr.cookie.empty() ? cr.routing_token : std::string(kCookiePrefix) + cr.cookie;
  if (line.size() > ConnectionRequest::kMaxCookieLine)
    line.resize(ConnectionRequest::kMaxCookieLine);
  return line;
}
}  // namespace

std::size_t ConnectionRequest::size() const {
  std::size_t n = TPKT_HEADER_SIZE + kFixedTpduSize;
  const std::string line = token_line(*this);
  if (!line.empty()) n += line.size() + 2;
  if (negotiation) n += kNegotiationSize;
  return n;
}

void ConnectionRequest::encode(Writer& w) const {
  const std::size_t total = size();
  write_tpkt(w, total);
  w.u8(static_cast<std::uint8_t>(total - TPKT_HEADER_SIZE - 1));  // LI excludes itself
  w.u8(X224_TPDU_CONNECTION_REQUEST);
  w.u16be(0);  // DST-REF
  w.u16be(0);  // SRC-REF
  w.u8(0);     // class 0
  const std::string line = token_line(*this);
  if (!line.empty()) {
    for (char c : line) w.u8(static_cast<std::uint8_t>(c));
    w.u8('\r');
    w.u8('\n');
  }
  if (negotiation) {
    w.u8(TYPE_RDP_NEG_REQ);
    w.u8(negotiation->flags);
    w.u16le(kNegotiationSize);
    w.u32le(negotiation->requested_protocols);
  }
}

Result<ConnectionRequest> ConnectionRequest::decode(Bytes frame) {
  Reader r(frame, "X.224 Connection Request");
  const std::uint8_t code = read_connection_tpdu(r);
  if (r.ok() && code != X224_TPDU_CONNECTION_REQUEST) r.fail("code", "is not 0xE0");
  r.skip(5, "DST-REF/SRC-REF/class");
  if (!r.ok()) return r.error();
  ConnectionRequest cr;
  cr.negotiation.reset();
  Bytes rest = r.rest();
  // Optional routing token or cookie, terminated by CR LF [MS-RDPBCGR 2.2.1.1].
  if (rest.size() >= 8 && rest[0] == 'C' && rest[1] == 'o') {
    std::size_t end = 0;
    while (end + 1 < rest.size() && !(rest[end] == '\r' && rest[end + 1] == '\n')) ++end;
    if (end + 1 >= rest.size()) {
      return make_error("X.224 Connection Request", "cookie", "has no CR LF terminator");
    }
    const std::string line(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(end));
    if (line.starts_with(kCookiePrefix)) {
      cr.cookie = line.substr(kCookiePrefix.size());
    } else {
      cr.routing_token = line;
    }
    rest = rest.subspan(end + 2);
  }
  if (!rest.empty()) {
    Reader n(rest, "RDP_NEG_REQ");
    if (n.u8("type") != TYPE_RDP_NEG_REQ && n.ok()) n.fail("type", "is not TYPE_RDP_NEG_REQ");
    NegotiationRequest req;
    req.flags = n.u8("flags");
    if (n.u16le("length") != kNegotiationSize && n.ok()) n.fail("length", "is not 8");
    req.requested_protocols = n.u32le("requestedProtocols");
    // RDP_NEG_CORRELATION_INFO may follow; the probe never sends it and servers ignore it.
    if (!n.ok()) return n.error();
    cr.negotiation = req;
  }
  return cr;
}

std::size_t ConnectionConfirm::size() const {
  return TPKT_HEADER_SIZE + kFixedTpduSize +
         (std::holds_alternative<std::monostate>(negotiation) ? 0 : kNegotiationSize);
}

void ConnectionConfirm::encode(Writer& w) const {
  const std::size_t total = size();
  write_tpkt(w, total);
  w.u8(static_cast<std::uint8_t>(total - TPKT_HEADER_SIZE - 1));
  w.u8(X224_TPDU_CONNECTION_CONFIRM);
  w.u16be(0);
  w.u16be(kConfirmSourceRef);
  w.u8(0);
  if (const auto* rsp = std::get_if<NegotiationResponse>(&negotiation)) {
    w.u8(TYPE_RDP_NEG_RSP);
    w.u8(rsp->flags);
    w.u16le(kNegotiationSize);
    w.u32le(rsp->selected_protocol);
  } else if (const auto* fail = std::get_if<NegotiationFailure>(&negotiation)) {
    w.u8(TYPE_RDP_NEG_FAILURE);
    w.u8(0);
    w.u16le(kNegotiationSize);
    w.u32le(fail->code);
  }
}

Result<ConnectionConfirm> ConnectionConfirm::decode(Bytes frame) {
  Reader r(frame, "X.224 Connection Confirm");
  const std::uint8_t code = read_connection_tpdu(r);
  if (r.ok() && (code & 0xF0) != X224_TPDU_CONNECTION_CONFIRM) {
    r.fail("code", code == X224_TPDU_DISCONNECT_REQUEST
                       ? "is a Disconnect Request: the server refused"
                       : "is not a Connection Confirm (0xD0)");
  }
  r.skip(5, "DST-REF/SRC-REF/class");
  if (!r.ok()) return r.error();
  ConnectionConfirm cc;
  if (r.empty()) return cc;  // legacy server: no negotiation data
  const std::uint8_t type = r.u8("type");
  const std::uint8_t flags = r.u8("flags");
  if (r.u16le("length") != kNegotiationSize && r.ok()) r.fail("length", "is not 8");
  const std::uint32_t value =
      r.u32le(type == TYPE_RDP_NEG_FAILURE ? "failureCode" : "selectedProtocol");
  if (!r.ok()) return r.error();
  if (type == TYPE_RDP_NEG_RSP) {
    cc.negotiation = NegotiationResponse{flags, value};
  } else if (type == TYPE_RDP_NEG_FAILURE) {
    cc.negotiation = NegotiationFailure{value};
  } else {
    return make_error("X.224 Connection Confirm", "type",
                      "is " + std::to_string(type) + ", neither RDP_NEG_RSP nor RDP_NEG_FAILURE");
  }
  return cc;
}

Result<X224Frame> decode_x224_frame(Bytes frame) {
  Reader r(frame, "X.224 TPDU");
  if (!read_tpkt(r, frame.size())) return r.error();
  const std::uint8_t li = r.u8("LI");
  const std::uint8_t code = r.u8("code");
  if (!r.ok()) return r.error();
  if ((code & 0xF0) == X224_TPDU_DISCONNECT_REQUEST)
    return X224Frame{X224Frame::Kind::DisconnectRequest, {}};
  if (code != X224_TPDU_DATA) {
    r.fail("code", "is " + hex_code(code, 2) + ", not Data (0xF0)");
    return r.error();
  }
  if (li != 2) {
    r.fail("LI", "is " + std::to_string(li) + ", not 2 for a Data TPDU");
    return r.error();
  }
  r.skip(1, "EOT");
  if (!r.ok()) return r.error();
  return X224Frame{X224Frame::Kind::Data, r.rest()};
}

void write_x224_data_header(Writer& w, std::size_t payload_size) {
  write_tpkt(w, payload_size + x224_data_overhead());
  w.u8(2);
  w.u8(X224_TPDU_DATA);
  w.u8(X224_EOT);
}

std::vector<std::uint8_t> wrap_x224_data(Bytes payload) {
  std::vector<std::uint8_t> out;
  out.reserve(payload.size() + x224_data_overhead());
  Writer w(out);
  write_x224_data_header(w, payload.size());
  w.bytes(payload);
  return out;
}

std::vector<std::uint8_t> encode_x224_disconnect_request() {
  // LI 6, code 0x80, DST-REF, SRC-REF, reason 0 (not specified) [X.224 13.5].
  return {TPKT_VERSION, 0, 0, 11, 6, X224_TPDU_DISCONNECT_REQUEST, 0, 0, 0x12, 0x34, 0};
}

}  // namespace rdwarm::wire
