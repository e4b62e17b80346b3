#include "licensing/wire/mcs.hpp"

#include <string>

#include "licensing/wire/ber_per.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/x224.hpp"

namespace rdwarm::wire {

namespace {
constexpr std::uint8_t kConnectInitialTag = 101;   // APPLICATION 101 [T.125 7 part 2]
constexpr std::uint8_t kConnectResponseTag = 102;  // APPLICATION 102
constexpr std::uint8_t kSendDataPriority = 0x70;   // dataPriority high, segmentation begin|end

std::size_t tlv_size(std::size_t content) {
  return 1 + ber::length_size(content) + content;
}

std::size_t domain_params_content(const DomainParameters& p) {
  return ber::integer_size(p.max_channel_ids) + ber::integer_size(p.max_user_ids) +
         ber::integer_size(p.max_token_ids) + ber::integer_size(p.num_priorities) +
         ber::integer_size(p.min_throughput) + ber::integer_size(p.max_height) +
         ber::integer_size(p.max_mcs_pdu_size) + ber::integer_size(p.protocol_version);
}

void write_octet_string(Writer& w, Bytes b) {
  w.u8(BER_TAG_OCTET_STRING);
  ber::write_length(w, b.size());
  w.bytes(b);
}

Bytes read_octet_string(Reader& r, std::string_view field) {
  ber::expect_tag(r, BER_TAG_OCTET_STRING, field);
  const std::size_t n = ber::read_length(r, field);
  return r.bytes(n, field);
}

void write_user_id(Writer& w, std::uint16_t id) {
  w.u16be(static_cast<std::uint16_t>(id - MCS_USER_ID_BASE));
}
std::uint16_t read_user_id(Reader& r, std::string_view field) {
  return static_cast<std::uint16_t>(r.u16be(field) + MCS_USER_ID_BASE);
}
}  // namespace

std::string_view dpum_reason_name(std::uint8_t reason) {
  switch (reason) {
    case RN_DOMAIN_DISCONNECTED:
      return "rn-domain-disconnected";
    case RN_PROVIDER_INITIATED:
      return "rn-provider-initiated";
    case RN_TOKEN_PURGED:
      return "rn-token-purged";
    case RN_USER_REQUESTED:
      return "rn-user-requested";
    case RN_CHANNEL_PURGED:
      return "rn-channel-purged";
    default:
      return "rn-unknown";
  }
}

std::string_view mcs_result_name(std::uint8_t result) {
  static constexpr std::string_view kNames[] = {
      "rt-successful",          "rt-domain-merging",      "rt-domain-not-hierarchical",
      "rt-no-such-channel",     "rt-no-such-domain",      "rt-no-such-user",
      "rt-not-admitted",        "rt-other-user-id",       "rt-parameters-unacceptable",
      "rt-token-not-available", "rt-token-not-possessed", "rt-too-many-channels",
      "rt-too-many-tokens",     "rt-too-many-users",      "rt-unspecified-failure",
      "rt-user-rejected"};
  return result < std::size(kNames) ? kNames[result] : "rt-unknown";
}

DomainParameters DomainParameters::target() {
  return {34, 2, 0, 1, 0, 1, 65535, 2};
}
DomainParameters DomainParameters::minimum() {
  return {1, 1, 1, 1, 0, 1, 1056, 2};
}
DomainParameters DomainParameters::maximum() {
  return {65535, 64535, 65535, 1, 0, 1, 65535, 2};
}

std::size_t DomainParameters::size() const {
  return tlv_size(domain_params_content(*this));
}

void DomainParameters::encode(Writer& w) const {
  w.u8(BER_TAG_SEQUENCE);
  ber::write_length(w, domain_params_content(*this));
  for (std::uint32_t v : {max_channel_ids, max_user_ids, max_token_ids, num_priorities,
                          min_throughput, max_height, max_mcs_pdu_size, protocol_version}) {
    ber::write_integer(w, v);
  }
}

DomainParameters DomainParameters::read(Reader& r, std::string_view field) {
  ber::expect_tag(r, BER_TAG_SEQUENCE, field);
  const std::size_t n = ber::read_length(r, field);
  Reader inner(r.bytes(n, field), r.pdu());
  DomainParameters p;
  p.max_channel_ids = ber::read_integer(inner, "maxChannelIds");
  p.max_user_ids = ber::read_integer(inner, "maxUserIds");
  p.max_token_ids = ber::read_integer(inner, "maxTokenIds");
  p.num_priorities = ber::read_integer(inner, "numPriorities");
  p.min_throughput = ber::read_integer(inner, "minThroughput");
  p.max_height = ber::read_integer(inner, "maxHeight");
  p.max_mcs_pdu_size = ber::read_integer(inner, "maxMCSPDUsize");
  p.protocol_version = ber::read_integer(inner, "protocolVersion");
  if (!inner.ok()) r.fail(inner.error().field, inner.error().what);
  return p;
}

namespace {
std::size_t connect_initial_content(const ConnectInitial& ci) {
  return 3 + 3 + 3 + ci.target_parameters.size() + ci.minimum_parameters.size() +
         ci.maximum_parameters.size() + tlv_size(ci.user_data.size());
}
std::size_t connect_response_content(const ConnectResponse& cr) {
  return 3 + ber::integer_size(cr.called_connect_id) + cr.domain_parameters.size() +
         tlv_size(cr.user_data.size());
}
}  // namespace

std::size_t ConnectInitial::size() const {
  const std::size_t content = connect_initial_content(*this);
  return 2 + ber::length_size(content) + content;
}

void ConnectInitial::encode(Writer& w) const {
  w.u8(0x7F);
  w.u8(kConnectInitialTag);
  ber::write_length(w, connect_initial_content(*this));
  static constexpr std::uint8_t kSelector[] = {0x01};
  write_octet_string(w, kSelector);  // callingDomainSelector
  write_octet_string(w, kSelector);  // calledDomainSelector
  w.u8(BER_TAG_BOOLEAN);             // upwardFlag TRUE
  w.u8(1);
  w.u8(0xFF);
  target_parameters.encode(w);
  minimum_parameters.encode(w);
  maximum_parameters.encode(w);
  write_octet_string(w, user_data);
}

Result<ConnectInitial> ConnectInitial::decode(Bytes mcs) {
  Reader r(mcs, "MCS Connect-Initial");
  ber::expect_application_tag(r, kConnectInitialTag, "tag");
  const std::size_t n = ber::read_length(r, "length");
  Reader body(r.bytes(n, "length"), "MCS Connect-Initial");
  if (!r.ok()) return r.error();
  ConnectInitial ci;
  (void)read_octet_string(body, "callingDomainSelector");
  (void)read_octet_string(body, "calledDomainSelector");
  ber::expect_tag(body, BER_TAG_BOOLEAN, "upwardFlag");
  body.skip(ber::read_length(body, "upwardFlag"), "upwardFlag");
  ci.target_parameters = DomainParameters::read(body, "targetParameters");
  ci.minimum_parameters = DomainParameters::read(body, "minimumParameters");
  ci.maximum_parameters = DomainParameters::read(body, "maximumParameters");
  const Bytes ud = read_octet_string(body, "userData");
  if (!body.ok()) return body.error();
  ci.user_data.assign(ud.begin(), ud.end());
  return ci;
}

std::size_t ConnectResponse::size() const {
  const std::size_t content = connect_response_content(*this);
  return 2 + ber::length_size(content) + content;
}

void ConnectResponse::encode(Writer& w) const {
  w.u8(0x7F);
  w.u8(kConnectResponseTag);
  ber::write_length(w, connect_response_content(*this));
  w.u8(BER_TAG_ENUMERATED);
  w.u8(1);
  w.u8(result);
  ber::write_integer(w, called_connect_id);
  domain_parameters.encode(w);
  write_octet_string(w, user_data);
}

Result<ConnectResponse> ConnectResponse::decode(Bytes mcs) {
  Reader r(mcs, "MCS Connect-Response");
  ber::expect_application_tag(r, kConnectResponseTag, "tag");
  const std::size_t n = ber::read_length(r, "length");
  Reader body(r.bytes(n, "length"), "MCS Connect-Response");
  if (!r.ok()) return r.error();
  ConnectResponse cr;
  ber::expect_tag(body, BER_TAG_ENUMERATED, "result");
  const std::size_t result_len = ber::read_length(body, "result");
  if (body.ok() && result_len != 1) body.fail("result", "ENUMERATED is not 1 byte");
  cr.result = body.u8("result");
  if (!body.ok()) return body.error();
  if (cr.result != 0) return cr;  // a refusal may carry nothing else worth reading
  cr.called_connect_id = ber::read_integer(body, "calledConnectId");
  cr.domain_parameters = DomainParameters::read(body, "domainParameters");
  const Bytes ud = read_octet_string(body, "userData");
  if (!body.ok()) return body.error();
  cr.user_data.assign(ud.begin(), ud.end());
  return cr;
}

std::string_view domain_pdu_name(const DomainPdu& pdu) {
  static constexpr std::string_view kNames[] = {
      "MCS Erect Domain Request", "MCS Attach User Request",          "MCS Attach User Confirm",
      "MCS Channel Join Request", "MCS Channel Join Confirm",         "MCS Send Data Request",
      "MCS Send Data Indication", "MCS Disconnect Provider Ultimatum"};
  return kNames[pdu.index()];
}

std::size_t domain_pdu_size(const DomainPdu& pdu) {
  struct Sizer {
    std::size_t operator()(const ErectDomainRequest&) const { return 5; }
    std::size_t operator()(const AttachUserRequest&) const { return 1; }
    std::size_t operator()(const AttachUserConfirm& p) const { return p.initiator ? 4 : 2; }
    std::size_t operator()(const ChannelJoinRequest&) const { return 5; }
    std::size_t operator()(const ChannelJoinConfirm& p) const { return p.channel_id ? 8 : 6; }
    std::size_t operator()(const SendDataRequest& p) const {
      return 6 + per::length_size(p.user_data.size()) + p.user_data.size();
    }
    std::size_t operator()(const SendDataIndication& p) const {
      return 6 + per::length_size(p.user_data.size()) + p.user_data.size();
    }
    std::size_t operator()(const DisconnectProviderUltimatum&) const { return 2; }
  };
  return std::visit(Sizer{}, pdu);
}

void encode_domain_pdu(Writer& w, const DomainPdu& pdu) {
  struct Encoder {
    Writer& w;
    void operator()(const ErectDomainRequest& p) const {
      w.u8(MCS_ERECT_DOMAIN_REQUEST << 2);
      // subHeight and subInterval as PER INTEGER (length 1); both are 0 in practice.
      w.u8(1);
      w.u8(static_cast<std::uint8_t>(p.sub_height));
      w.u8(1);
      w.u8(static_cast<std::uint8_t>(p.sub_interval));
    }
    void operator()(const AttachUserRequest&) const { w.u8(MCS_ATTACH_USER_REQUEST << 2); }
    void operator()(const AttachUserConfirm& p) const {
      w.u8(static_cast<std::uint8_t>((MCS_ATTACH_USER_CONFIRM << 2) | (p.initiator ? 2 : 0)));
      w.u8(p.result);
      if (p.initiator) write_user_id(w, *p.initiator);
    }
    void operator()(const ChannelJoinRequest& p) const {
      w.u8(MCS_CHANNEL_JOIN_REQUEST << 2);
      write_user_id(w, p.initiator);
      w.u16be(p.channel_id);
    }
    void operator()(const ChannelJoinConfirm& p) const {
      w.u8(static_cast<std::uint8_t>((MCS_CHANNEL_JOIN_CONFIRM << 2) | (p.channel_id ? 2 : 0)));
      w.u8(p.result);
      write_user_id(w, p.initiator);
      w.u16be(p.requested);
      if (p.channel_id) w.u16be(*p.channel_id);
    }
    void send_data(std::uint8_t choice, std::uint16_t initiator, std::uint16_t channel,
                   Bytes data) const {
      w.u8(static_cast<std::uint8_t>(choice << 2));
      write_user_id(w, initiator);
      w.u16be(channel);
      w.u8(kSendDataPriority);
      per::write_length(w, data.size());
      w.bytes(data);
    }
    void operator()(const SendDataRequest& p) const {
      send_data(MCS_SEND_DATA_REQUEST, p.initiator, p.channel_id, p.user_data);
    }
    void operator()(const SendDataIndication& p) const {
      send_data(MCS_SEND_DATA_INDICATION, p.initiator, p.channel_id, p.user_data);
    }
    void operator()(const DisconnectProviderUltimatum& p) const {
      w.u8(static_cast<std::uint8_t>((MCS_DISCONNECT_PROVIDER_ULTIMATUM << 2) | (p.reason >> 1)));
      w.u8(static_cast<std::uint8_t>((p.reason & 1) << 7));
    }
  };
  std::visit(Encoder{w}, pdu);
}

Result<DomainPdu> decode_domain_pdu(Bytes mcs) {
  Reader r(mcs, "MCS domain PDU");
  const std::uint8_t first = r.u8("choice");
  if (!r.ok()) return r.error();
  const std::uint8_t choice = first >> 2;
  switch (choice) {
    case MCS_ERECT_DOMAIN_REQUEST: {
      ErectDomainRequest p;
      const std::size_t h = per::read_length(r, "subHeight");
      for (std::size_t i = 0; i < h && r.ok(); ++i)
        p.sub_height = (p.sub_height << 8) | r.u8("subHeight");
      const std::size_t s = per::read_length(r, "subInterval");
      for (std::size_t i = 0; i < s && r.ok(); ++i)
        p.sub_interval = (p.sub_interval << 8) | r.u8("subInterval");
      if (!r.ok()) return r.error();
      return DomainPdu{p};
    }
    case MCS_ATTACH_USER_REQUEST:
      return DomainPdu{AttachUserRequest{}};
    case MCS_ATTACH_USER_CONFIRM: {
      AttachUserConfirm p;
      p.result = r.u8("result");
      if ((first & 2) != 0) p.initiator = read_user_id(r, "initiator");
      if (!r.ok()) return r.error();
      return DomainPdu{p};
    }
    case MCS_CHANNEL_JOIN_REQUEST: {
      ChannelJoinRequest p;
      p.initiator = read_user_id(r, "initiator");
      p.channel_id = r.u16be("channelId");
      if (!r.ok()) return r.error();
      return DomainPdu{p};
    }
    case MCS_CHANNEL_JOIN_CONFIRM: {
      ChannelJoinConfirm p;
      p.result = r.u8("result");
      p.initiator = read_user_id(r, "initiator");
      p.requested = r.u16be("requested");
      if ((first & 2) != 0) p.channel_id = r.u16be("channelId");
      if (!r.ok()) return r.error();
      return DomainPdu{p};
    }
    case MCS_SEND_DATA_REQUEST:
    case MCS_SEND_DATA_INDICATION: {
      const std::uint16_t initiator = read_user_id(r, "initiator");
      const std::uint16_t channel = r.u16be("channelId");
      r.skip(1, "dataPriority");  // not checked [MS-RDPBCGR 2.2.8.1.1.1.1]
      const std::size_t n = per::read_length(r, "userData length");
      const Bytes data = r.bytes(n, "userData");
      if (!r.ok()) return r.error();
      if (choice == MCS_SEND_DATA_REQUEST)
        return DomainPdu{SendDataRequest{initiator, channel, data}};
      return DomainPdu{SendDataIndication{initiator, channel, data}};
    }
    case MCS_DISCONNECT_PROVIDER_ULTIMATUM: {
      const std::uint8_t second = r.u8("reason");
      if (!r.ok()) return r.error();
      return DomainPdu{DisconnectProviderUltimatum{
          static_cast<std::uint8_t>(((first & 3) << 1) | (second >> 7))}};  // 3-bit enum
    }
    default:
      r.fail("choice", "DomainMCSPDU " + std::to_string(choice) + " is not expected here");
      return r.error();
  }
}

std::vector<std::uint8_t> frame_domain_pdu(const DomainPdu& pdu) {
  const std::size_t n = domain_pdu_size(pdu);
  std::vector<std::uint8_t> out;
  out.reserve(n + x224_data_overhead());
  Writer w(out);
  write_x224_data_header(w, n);
  encode_domain_pdu(w, pdu);
  return out;
}

template <class ConnectPdu>
std::vector<std::uint8_t> frame_connect_pdu(const ConnectPdu& pdu) {
  const std::size_t n = pdu.size();
  std::vector<std::uint8_t> out;
  out.reserve(n + x224_data_overhead());
  Writer w(out);
  write_x224_data_header(w, n);
  pdu.encode(w);
  return out;
}
template std::vector<std::uint8_t> frame_connect_pdu(const ConnectInitial&);
template std::vector<std::uint8_t> frame_connect_pdu(const ConnectResponse&);

}  // namespace rdwarm::wire
