#include "licensing/wire/gcc.hpp"

#include <algorithm>

#include "licensing/wire/ber_per.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/text.hpp"

namespace rdwarm::wire {

namespace {
constexpr std::size_t kUserDataHeader = 4;
constexpr std::size_t kClientCoreBody = 212;  // through serverSelectedProtocol
constexpr std::size_t kClientNameBytes = 32;
constexpr std::size_t kImeFileNameBytes = 64;
constexpr std::size_t kDigProductIdBytes = 64;
constexpr std::size_t kMaxChannels = 31;  // [MS-RDPBCGR 2.2.1.3.4]

// T.124 object identifier {0 0 20 124 0 1} and the H.221 keys of the two directions.
constexpr std::uint8_t kT124Oid[] = {0x00, 0x05, 0x00, 0x14, 0x7C, 0x00, 0x01};
constexpr std::uint8_t kClientH221Key[] = {'D', 'u', 'c', 'a'};
constexpr std::uint8_t kServerH221Key[] = {'M', 'c', 'D', 'n'};

void write_block_header(Writer& w, std::uint16_t type, std::size_t body) {
  w.u16le(type);
  w.u16le(static_cast<std::uint16_t>(body + kUserDataHeader));
}

void write_fixed_utf16(Writer& w, const std::string& text, std::size_t bytes) {
  auto units = utf16le_from_utf8(text);
  units.resize(std::min(units.size(), bytes - 2));  // keep room for the terminating NUL
  // Never end on half a surrogate pair: it would decode as U+FFFD (found by fuzz_gcc).
  if (units.size() >= 2 && (units.back() & 0xFC) == 0xD8) units.resize(units.size() - 2);
  w.bytes(units);
  w.zeros(bytes - units.size());
}

std::size_t client_network_body(const ClientNetworkData& n) {
  return 4 + 12 * n.channels.size();
}

void encode_client_core(Writer& w, const ClientCoreData& c) {
  write_block_header(w, CS_CORE, kClientCoreBody);
  w.u32le(c.version);
  w.u16le(c.desktop_width);
  w.u16le(c.desktop_height);
  w.u16le(c.color_depth);
  w.u16le(c.sas_sequence);
  w.u32le(c.keyboard_layout);
  w.u32le(c.client_build);
  write_fixed_utf16(w, c.client_name, kClientNameBytes);
  w.u32le(c.keyboard_type);
  w.u32le(c.keyboard_sub_type);
  w.u32le(c.keyboard_function_key);
  w.zeros(kImeFileNameBytes);
  w.u16le(c.post_beta2_color_depth);
  w.u16le(c.client_product_id);
  w.u32le(c.serial_number);
  w.u16le(c.high_color_depth);
  w.u16le(c.supported_color_depths);
  w.u16le(c.early_capability_flags);
  w.zeros(kDigProductIdBytes);
  w.u8(c.connection_type);
  w.u8(0);  // pad1octet
  w.u32le(c.server_selected_protocol);
}

// Reads TS_UD_CS_CORE; the optional trailing fields are positional and read only when present.
ClientCoreData read_client_core(Reader& r) {
  ClientCoreData c;
  c.version = r.u32le("version");
  c.desktop_width = r.u16le("desktopWidth");
  c.desktop_height = r.u16le("desktopHeight");
  c.color_depth = r.u16le("colorDepth");
  c.sas_sequence = r.u16le("SASSequence");
  c.keyboard_layout = r.u32le("keyboardLayout");
  c.client_build = r.u32le("clientBuild");
  const Bytes name = r.bytes(kClientNameBytes, "clientName");
  if (r.ok()) {
    auto text = utf8_from_utf16le(name, "clientName");
    if (text) c.client_name = *text;
  }
  c.keyboard_type = r.u32le("keyboardType");
  c.keyboard_sub_type = r.u32le("keyboardSubType");
  c.keyboard_function_key = r.u32le("keyboardFunctionKey");
  r.skip(kImeFileNameBytes, "imeFileName");
  if (r.empty()) return c;
  c.post_beta2_color_depth = r.u16le("postBeta2ColorDepth");
  if (r.empty()) return c;
  c.client_product_id = r.u16le("clientProductId");
  if (r.empty()) return c;
  c.serial_number = r.u32le("serialNumber");
  if (r.empty()) return c;
  c.high_color_depth = r.u16le("highColorDepth");
  if (r.empty()) return c;
  c.supported_color_depths = r.u16le("supportedColorDepths");
  if (r.empty()) return c;
  c.early_capability_flags = r.u16le("earlyCapabilityFlags");
  if (r.empty()) return c;
  r.skip(kDigProductIdBytes, "clientDigProductId");
  if (r.empty()) return c;
  c.connection_type = r.u8("connectionType");
  if (r.empty()) return c;
  r.skip(1, "pad1octet");
  if (r.empty()) return c;
  c.server_selected_protocol = r.u32le("serverSelectedProtocol");
  (void)r.rest();  // desktopPhysicalWidth and later: not needed
  return c;
}

// Iterates over user data blocks: calls fn(type, body reader) for each.
template <class Fn>
Status for_each_block(Bytes blocks, std::string_view where, Fn&& fn) {
  Reader r(blocks, where);
  while (r.ok() && !r.empty()) {
    const std::uint16_t type = r.u16le("header.type");
    const std::uint16_t length = r.u16le("header.length");
    if (r.ok() && length < kUserDataHeader) {
      r.fail("header.length",
             "block " + hex_code(type, 4) + " has length " + std::to_string(length));
    }
    const Bytes body = r.bytes(length - kUserDataHeader, "block " + hex_code(type, 4));
    if (!r.ok()) return r.error();
    if (auto st = fn(type, body); !st) return st;
  }
  if (!r.ok()) return r.error();
  return Ok{};
}
}  // namespace

std::size_t ClientGccBlocks::size() const {
  std::size_t n = kUserDataHeader + kClientCoreBody + kUserDataHeader + 8;
  if (network) n += kUserDataHeader + client_network_body(*network);
  if (cluster) n += kUserDataHeader + 8;
  return n;
}

void ClientGccBlocks::encode(Writer& w) const {
  encode_client_core(w, core);
  write_block_header(w, CS_SECURITY, 8);
  w.u32le(security.encryption_methods);
  w.u32le(security.ext_encryption_methods);
  if (network) {
    write_block_header(w, CS_NET, client_network_body(*network));
    w.u32le(static_cast<std::uint32_t>(network->channels.size()));
    for (const auto& ch : network->channels) {
      std::array<std::uint8_t, 8> name{};
      std::copy_n(ch.name.begin(), std::min<std::size_t>(ch.name.size(), 7), name.begin());
      w.bytes(name);
      w.u32le(ch.options);
    }
  }
  if (cluster) {
    write_block_header(w, CS_CLUSTER, 8);
    w.u32le(cluster->flags);
    w.u32le(cluster->redirected_session_id);
  }
}

Result<ClientGccBlocks> ClientGccBlocks::decode(Bytes blocks) {
  ClientGccBlocks out;
  bool have_core = false;
  auto st =
      for_each_block(blocks, "GCC client data", [&](std::uint16_t type, Bytes body) -> Status {
        Reader r(body, "GCC client data");
        switch (type) {
          case CS_CORE:
            out.core = read_client_core(r);
            have_core = true;
            break;
          case CS_SECURITY:
            out.security.encryption_methods = r.u32le("CS_SECURITY.encryptionMethods");
            out.security.ext_encryption_methods = r.u32le("CS_SECURITY.extEncryptionMethods");
            break;
          case CS_NET: {
            ClientNetworkData n;
            const std::uint32_t count = r.u32le("CS_NET.channelCount");
            if (r.ok() && count > kMaxChannels)
              r.fail("CS_NET.channelCount", std::to_string(count) + " exceeds 31");
            for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
              const Bytes name = r.bytes(8, "CS_NET.name");
              ChannelDef def;
              for (std::uint8_t b : name) {
                if (b == 0) break;
                def.name += static_cast<char>(b);
              }
              def.options = r.u32le("CS_NET.options");
              n.channels.push_back(def);
            }
            out.network = n;
            break;
          }
          case CS_CLUSTER:
            out.cluster = ClientClusterData{r.u32le("CS_CLUSTER.flags"),
                                            r.u32le("CS_CLUSTER.redirectedSessionID")};
            break;
          default:
            break;  // monitor, message channel, multitransport: not used by rdwarm
        }
        if (!r.ok()) return r.error();
        return Ok{};
      });
  if (!st) return st.error();
  if (!have_core) return make_error("GCC client data", "CS_CORE", "block is missing");
  return out;
}

std::size_t ServerGccBlocks::size() const {
  std::size_t n = kUserDataHeader + 4;
  if (core.client_requested_protocols) n += 4;
  if (core.early_capability_flags) n += 4;
  n += kUserDataHeader + 8;
  if (security.encryption_level != 0)
    n += 8 + security.server_random.size() + security.server_certificate.size();
  n += kUserDataHeader + 4 + 2 * network.channel_ids.size() +
       (network.channel_ids.size() % 2 ? 2U : 0U);
  return n;
}

void ServerGccBlocks::encode(Writer& w) const {
  write_block_header(
      w, SC_CORE,
      4 + (core.client_requested_protocols ? 4U : 0U) + (core.early_capability_flags ? 4U : 0U));
  w.u32le(core.version);
  if (core.client_requested_protocols) w.u32le(*core.client_requested_protocols);
  if (core.early_capability_flags) w.u32le(*core.early_capability_flags);
  std::size_t sec_body = 8;
  if (security.encryption_level != 0)
    sec_body += 8 + security.server_random.size() + security.server_certificate.size();
  write_block_header(w, SC_SECURITY, sec_body);
  w.u32le(security.encryption_method);
  w.u32le(security.encryption_level);
  if (security.encryption_level != 0) {
    w.u32le(static_cast<std::uint32_t>(security.server_random.size()));
    w.u32le(static_cast<std::uint32_t>(security.server_certificate.size()));
    w.bytes(security.server_random);
    w.bytes(security.server_certificate);
  }
  const std::size_t pad = network.channel_ids.size() % 2 ? 2 : 0;
  write_block_header(w, SC_NET, 4 + 2 * network.channel_ids.size() + pad);
  w.u16le(network.io_channel);
  w.u16le(static_cast<std::uint16_t>(network.channel_ids.size()));
  for (std::uint16_t id : network.channel_ids) w.u16le(id);
  w.zeros(pad);
}

Result<ServerGccBlocks> ServerGccBlocks::decode(Bytes blocks) {
  ServerGccBlocks out;
  bool have_core = false;
  bool have_net = false;
  auto st =
      for_each_block(blocks, "GCC server data", [&](std::uint16_t type, Bytes body) -> Status {
        Reader r(body, "GCC server data");
        switch (type) {
          case SC_CORE:
            out.core.version = r.u32le("SC_CORE.version");
            if (r.remaining() >= 4)
              out.core.client_requested_protocols = r.u32le("SC_CORE.clientRequestedProtocols");
            if (r.remaining() >= 4)
              out.core.early_capability_flags = r.u32le("SC_CORE.earlyCapabilityFlags");
            have_core = true;
            break;
          case SC_SECURITY:
            out.security.encryption_method = r.u32le("SC_SECURITY.encryptionMethod");
            out.security.encryption_level = r.u32le("SC_SECURITY.encryptionLevel");
            if (r.ok() && out.security.encryption_level != 0 && r.remaining() >= 8) {
              const std::uint32_t random_len = r.u32le("SC_SECURITY.serverRandomLen");
              const std::uint32_t cert_len = r.u32le("SC_SECURITY.serverCertLen");
              const Bytes random = r.bytes(random_len, "SC_SECURITY.serverRandom");
              const Bytes cert = r.bytes(cert_len, "SC_SECURITY.serverCertificate");
              out.security.server_random.assign(random.begin(), random.end());
              out.security.server_certificate.assign(cert.begin(), cert.end());
            }
            break;
          case SC_NET: {
            out.network.io_channel = r.u16le("SC_NET.MCSChannelId");
            const std::uint16_t count = r.u16le("SC_NET.channelCount");
            if (r.ok() && count > kMaxChannels)
              r.fail("SC_NET.channelCount", std::to_string(count) + " exceeds 31");
            out.network.channel_ids.clear();
            for (std::uint16_t i = 0; i < count && r.ok(); ++i)
              out.network.channel_ids.push_back(r.u16le("SC_NET.channelIdArray"));
            have_net = true;
            break;
          }
          default:
            break;  // SC_MCS_MSGCHANNEL, SC_MULTITRANSPORT: skipped
        }
        if (!r.ok()) return r.error();
        return Ok{};
      });
  if (!st) return st.error();
  if (!have_core) return make_error("GCC server data", "SC_CORE", "block is missing");
  if (!have_net) return make_error("GCC server data", "SC_NET", "block is missing");
  return out;
}

namespace {
// connectPDU of the request: choice, selection, conference name, padding, one user data set with
// the H.221 key, then the blocks with their PER length.
std::size_t request_connect_pdu_size(std::size_t blocks) {
  return 8 + sizeof(kClientH221Key) + per::length_size(blocks) + blocks;
}
std::size_t response_connect_pdu_size(std::size_t blocks) {
  return 9 + sizeof(kServerH221Key) + per::length_size(blocks) + blocks;
}

void expect_bytes(Reader& r, Bytes expected, std::string_view field) {
  const Bytes got = r.bytes(expected.size(), field);
  if (r.ok() && !std::equal(got.begin(), got.end(), expected.begin(), expected.end())) {
    r.fail(field, "is " + to_hex(got, " ") + ", expected " + to_hex(expected, " "));
  }
}
}  // namespace

std::size_t ConferenceCreateRequest::size() const {
  const std::size_t pdu = request_connect_pdu_size(blocks.size());
  return sizeof(kT124Oid) + per::length_size(pdu) + pdu;
}

void ConferenceCreateRequest::encode(Writer& w) const {
  const std::size_t b = blocks.size();
  w.bytes(kT124Oid);
  per::write_length(w, request_connect_pdu_size(b));
  w.u8(0x00);       // ConnectGCCPDU choice: conferenceCreateRequest
  w.u8(0x08);       // optional userData present
  w.u16be(0x0010);  // conferenceName NumericString "1" (length 1 - 1, digit '1' - '0')
  w.u8(0x00);       // padding
  w.u8(0x01);       // one UserData set
  w.u8(0xC0);       // value present, h221NonStandard
  w.u8(0x00);       // H.221 key length 4 (encoded as 4 - 4)
  w.bytes(kClientH221Key);
  per::write_length(w, b);
  blocks.encode(w);
}

Result<ConferenceCreateRequest> ConferenceCreateRequest::decode(Bytes gcc) {
  Reader r(gcc, "GCC Conference Create Request");
  expect_bytes(r, kT124Oid, "object identifier");
  (void)per::read_length(r, "connectPDU length");
  r.skip(8, "connectPDU header");
  expect_bytes(r, kClientH221Key, "h221 key");
  const std::size_t n = per::read_length(r, "userData length");
  const Bytes b = r.bytes(n, "userData");
  if (!r.ok()) return r.error();
  auto blocks = ClientGccBlocks::decode(b);
  if (!blocks) return blocks.error();
  return ConferenceCreateRequest{std::move(blocks).value()};
}

std::size_t ConferenceCreateResponse::size() const {
  const std::size_t pdu = response_connect_pdu_size(blocks.size());
  return sizeof(kT124Oid) + per::length_size(pdu) + pdu;
}

void ConferenceCreateResponse::encode(Writer& w) const {
  const std::size_t b = blocks.size();
  w.bytes(kT124Oid);
  per::write_length(w, response_connect_pdu_size(b));
  w.u8(0x14);  // ConnectGCCPDU choice: conferenceCreateResponse
  w.u16be(static_cast<std::uint16_t>(node_id - 1001));
  w.u8(0x01);  // tag: INTEGER of length 1
  w.u8(0x01);  //      value 1
  w.u8(result);
  w.u8(0x01);  // one UserData set
  w.u8(0xC0);
  w.u8(0x00);
  w.bytes(kServerH221Key);
  per::write_length(w, b);
  blocks.encode(w);
}

Result<ConferenceCreateResponse> ConferenceCreateResponse::decode(Bytes gcc) {
  Reader r(gcc, "GCC Conference Create Response");
  expect_bytes(r, kT124Oid, "object identifier");
  (void)per::read_length(r, "connectPDU length");
  if (r.u8("choice") != 0x14 && r.ok()) r.fail("choice", "is not conferenceCreateResponse (0x14)");
  ConferenceCreateResponse out;
  out.node_id = static_cast<std::uint16_t>(r.u16be("nodeID") + 1001);
  const std::uint8_t tag_len = r.u8("tag length");
  r.skip(tag_len, "tag");
  out.result = r.u8("result");
  if (r.ok() && out.result != 0) {
    r.fail("result", "conference creation failed with result " + std::to_string(out.result));
  }
  r.skip(1, "number of sets");
  r.skip(1, "choice");
  const std::uint8_t key_len = r.u8("h221 key length");
  if (r.ok() && key_len != 0) r.fail("h221 key length", "is not 4");
  expect_bytes(r, kServerH221Key, "h221 key");
  const std::size_t n = per::read_length(r, "userData length");
  const Bytes b = r.bytes(n, "userData");
  if (!r.ok()) return r.error();
  auto blocks = ServerGccBlocks::decode(b);
  if (!blocks) return blocks.error();
  out.blocks = std::move(blocks).value();
  return out;
}

}  // namespace rdwarm::wire
