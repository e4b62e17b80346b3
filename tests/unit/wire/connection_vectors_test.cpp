// The connection-sequence codec against the annotated examples of [MS-RDPBCGR] 4.1 (the
// specification's own bytes, tests/data/rdpbcgr) and the bytes of the minimal TLS probe that we
// derived from the same layouts (CS_CORE through serverSelectedProtocol, CS_SECURITY 0/0).
#include <gtest/gtest.h>

#include "licensing/wire/client_info.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/x224.hpp"
#include "tests/support/vectors.hpp"

namespace rdwarm::wire {
namespace {

using testing::hex;
using testing::load_hex_vector;

Bytes mcs_payload(const std::vector<std::uint8_t>& frame) {
  auto x = decode_x224_frame(frame);
  EXPECT_TRUE(x.ok()) << (x.ok() ? "" : x.error().message());
  return x.ok() ? x->payload : Bytes();
}

TEST(X224Vectors, ConnectionRequestWithCookie_4_1_1) {
  const auto bytes = load_hex_vector("rdpbcgr/4.1.1-x224-connection-request.hex");
  auto cr = ConnectionRequest::decode(bytes);
  ASSERT_TRUE(cr.ok()) << cr.error().message();
  EXPECT_EQ(cr->cookie, "eltons");
  ASSERT_TRUE(cr->negotiation.has_value());
  EXPECT_EQ(cr->negotiation->requested_protocols, PROTOCOL_RDP);
  EXPECT_EQ(encode_to_vector(*cr), bytes);  // canonical: re-encodes byte for byte
}

TEST(X224Vectors, ConnectionConfirm_4_1_2) {
  const auto bytes = load_hex_vector("rdpbcgr/4.1.2-x224-connection-confirm.hex");
  auto cc = ConnectionConfirm::decode(bytes);
  ASSERT_TRUE(cc.ok()) << cc.error().message();
  const auto* rsp = std::get_if<NegotiationResponse>(&cc->negotiation);
  ASSERT_NE(rsp, nullptr);
  EXPECT_EQ(rsp->selected_protocol, PROTOCOL_RDP);
}

TEST(X224Vectors, ProbeConnectionRequestMatchesDerivedBytes) {
  ConnectionRequest cr;  // default: RDP_NEG_REQ(PROTOCOL_SSL), no cookie
  EXPECT_EQ(to_hex(encode_to_vector(cr), " "),
            "03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 01 00 00 00");
}

TEST(X224Vectors, NegotiationFailureAndLegacyConfirm) {
  // HYBRID_REQUIRED_BY_SERVER as freerdp-shadow-cli /sec:nla answers it.
  auto fail =
      ConnectionConfirm::decode(hex("03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 05 00 00 00"));
  ASSERT_TRUE(fail.ok());
  ASSERT_TRUE(std::holds_alternative<NegotiationFailure>(fail->negotiation));
  EXPECT_EQ(std::get<NegotiationFailure>(fail->negotiation).code, HYBRID_REQUIRED_BY_SERVER);
  EXPECT_EQ(encode_to_vector(*fail),
            hex("03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 05 00 00 00"));
  auto legacy = ConnectionConfirm::decode(hex("03 00 00 0b 06 d0 00 00 12 34 00"));
  ASSERT_TRUE(legacy.ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(legacy->negotiation));
}

TEST(X224Vectors, ErrorsNameTheField) {
  auto bad_len =
      ConnectionConfirm::decode(hex("03 00 00 14 0e d0 00 00 12 34 00 02 00 08 00 01 00 00 00"));
  ASSERT_FALSE(bad_len.ok());
  EXPECT_EQ(bad_len.error().field, "tpkt.length");
  auto http = tpkt_frame_length(hex("48 54 54 50"));  // "HTTP"
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.error().message().find("does not speak slow-path RDP"), std::string::npos);
}

TEST(McsVectors, ConnectInitial_4_1_3) {
  const auto frame = load_hex_vector("rdpbcgr/4.1.3-mcs-connect-initial.hex");
  auto ci = ConnectInitial::decode(mcs_payload(frame));
  ASSERT_TRUE(ci.ok()) << ci.error().message();
  EXPECT_EQ(ci->target_parameters, DomainParameters::target());
  EXPECT_EQ(ci->minimum_parameters, DomainParameters::minimum());
  EXPECT_EQ(ci->maximum_parameters, DomainParameters::maximum());
  auto gcc = ConferenceCreateRequest::decode(ci->user_data);
  ASSERT_TRUE(gcc.ok()) << gcc.error().message();
  const auto& b = gcc->blocks;
  EXPECT_EQ(b.core.version, RDP_VERSION_5_PLUS);
  EXPECT_EQ(b.core.desktop_width, 1280);
  EXPECT_EQ(b.core.desktop_height, 1024);
  EXPECT_EQ(b.core.client_build, 3790u);
  EXPECT_EQ(b.core.client_name, "ELTONS-DEV2");
  EXPECT_EQ(b.core.early_capability_flags, RNS_UD_CS_SUPPORT_ERRINFO_PDU);
  EXPECT_EQ(b.core.server_selected_protocol, PROTOCOL_RDP);
  EXPECT_EQ(b.security.encryption_methods, 0x1Bu);
  ASSERT_TRUE(b.cluster.has_value());
  EXPECT_EQ(b.cluster->flags, 0x0Du);
  ASSERT_TRUE(b.network.has_value());
  ASSERT_EQ(b.network->channels.size(), 3u);
  EXPECT_EQ(b.network->channels[0].name, "rdpdr");
  EXPECT_EQ(b.network->channels[0].options, 0x80800000u);

  // Re-encoding the decoded PDU gives the specification's BER and PER framing byte for byte up
  // to the user data, whose block order and CS_CORE digital product id we do not reproduce.
  ConnectInitial again = *ci;
  const auto reencoded = frame_connect_pdu(again);
  EXPECT_EQ(reencoded, frame);
}

TEST(McsVectors, ConnectResponse_4_1_4) {
  const auto frame = load_hex_vector("rdpbcgr/4.1.4-mcs-connect-response.hex");
  auto cr = ConnectResponse::decode(mcs_payload(frame));
  ASSERT_TRUE(cr.ok()) << cr.error().message();
  EXPECT_EQ(cr->result, 0);
  EXPECT_EQ(cr->domain_parameters.max_user_ids, 3u);
  EXPECT_EQ(cr->domain_parameters.max_mcs_pdu_size, 0xFFF8u);
  // The example writes maxMCSPDUsize 0xFFF8 as 02 03 00 ff f8 (with a sign byte) while 4.1.3
  // writes 65535 as 02 02 ff ff; we write the shorter form, so compare what it decodes to.
  auto again = ConnectResponse::decode(mcs_payload(frame_connect_pdu(*cr)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->domain_parameters, cr->domain_parameters);
  EXPECT_EQ(again->user_data, cr->user_data);
  auto gcc = ConferenceCreateResponse::decode(cr->user_data);
  ASSERT_TRUE(gcc.ok()) << gcc.error().message();
  EXPECT_EQ(gcc->node_id, 0x79F3);
  EXPECT_EQ(gcc->blocks.core.version, RDP_VERSION_5_PLUS);
  EXPECT_EQ(gcc->blocks.core.client_requested_protocols, PROTOCOL_RDP);
  EXPECT_EQ(gcc->blocks.network.io_channel, 1003);
  EXPECT_EQ(gcc->blocks.network.channel_ids, (std::vector<std::uint16_t>{1004, 1005, 1006}));
  EXPECT_EQ(gcc->blocks.security.encryption_method, 2u);
  EXPECT_EQ(gcc->blocks.security.encryption_level, 2u);
  EXPECT_EQ(gcc->blocks.security.server_random.size(), 32u);
  EXPECT_EQ(gcc->blocks.security.server_certificate.size(), 184u);
}

TEST(McsVectors, DomainPdus_4_1_5_to_4_1_8) {
  struct Case {
    const char* file;
    DomainPdu expected;
  };
  const Case cases[] = {
      {"rdpbcgr/4.1.5-erect-domain.hex", ErectDomainRequest{}},
      {"rdpbcgr/4.1.6-attach-user-request.hex", AttachUserRequest{}},
      {"rdpbcgr/4.1.7-attach-user-confirm.hex", AttachUserConfirm{0, 1007}},
      {"rdpbcgr/4.1.8-channel-join-request-1007.hex", ChannelJoinRequest{1007, 1007}},
      {"rdpbcgr/4.1.8-channel-join-confirm-1007.hex", ChannelJoinConfirm{0, 1007, 1007, 1007}},
      {"rdpbcgr/4.1.8-channel-join-request-1003.hex", ChannelJoinRequest{1007, 1003}},
      {"rdpbcgr/4.1.8-channel-join-confirm-1003.hex", ChannelJoinConfirm{0, 1007, 1003, 1003}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const auto frame = load_hex_vector(c.file);
    auto pdu = decode_domain_pdu(mcs_payload(frame));
    ASSERT_TRUE(pdu.ok()) << pdu.error().message();
    EXPECT_EQ(pdu->index(), c.expected.index());
    EXPECT_EQ(frame_domain_pdu(c.expected), frame);
  }
}

TEST(McsVectors, DisconnectProviderUltimatumReasons) {
  for (std::uint8_t reason = 0; reason <= RN_CHANNEL_PURGED; ++reason) {
    const auto frame = frame_domain_pdu(DisconnectProviderUltimatum{reason});
    auto pdu = decode_domain_pdu(mcs_payload(frame));
    ASSERT_TRUE(pdu.ok());
    EXPECT_EQ(std::get<DisconnectProviderUltimatum>(*pdu).reason, reason);
  }
  EXPECT_EQ(to_hex(frame_domain_pdu(DisconnectProviderUltimatum{RN_USER_REQUESTED}), " "),
            "03 00 00 09 02 f0 80 21 80");
}

TEST(McsVectors, SendDataIndicationValidClient_4_1_11) {
  const auto frame = load_hex_vector("rdpbcgr/4.1.11-license-valid-client.hex");
  auto pdu = decode_domain_pdu(mcs_payload(frame));
  ASSERT_TRUE(pdu.ok()) << pdu.error().message();
  const auto& sdi = std::get<SendDataIndication>(*pdu);
  EXPECT_EQ(sdi.initiator, 1002);
  EXPECT_EQ(sdi.channel_id, 1003);
  EXPECT_EQ(frame_domain_pdu(sdi), frame);
}

TEST(GccVectors, ProbeConnectInitialMatchesDerivedPrefix) {
  // Appendix A: CS_CORE(216, serverSelectedProtocol 1, earlyCap ERRINFO) + CS_SECURITY(0/0).
  ConferenceCreateRequest gcc;
  gcc.blocks.core.server_selected_protocol = PROTOCOL_SSL;
  ConnectInitial ci;
  ci.user_data = encode_to_vector(gcc);
  const auto frame = frame_connect_pdu(ci);
  EXPECT_EQ(frame.size(), 359u);
  EXPECT_EQ(to_hex(Bytes(frame).first(21), " "),
            "03 00 01 67 02 f0 80 7f 65 82 01 5b 04 01 01 04 01 01 01 01 ff");
  EXPECT_EQ(to_hex(Bytes(ci.user_data).first(23), " "),
            "00 05 00 14 7c 00 01 80 f2 00 08 00 10 00 01 c0 00 44 75 63 61 80 e4");
}

TEST(GccVectors, ClientAndServerBlocksRoundTrip) {
  ConferenceCreateRequest req;
  req.blocks.core.client_name = "RDWARM-TEST";
  req.blocks.core.server_selected_protocol = PROTOCOL_SSL;
  req.blocks.network = ClientNetworkData{{{"rdpdr", 0x80800000}}};
  req.blocks.cluster = ClientClusterData{REDIRECTION_SUPPORTED, 0};
  auto back = ConferenceCreateRequest::decode(encode_to_vector(req));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->blocks.core.client_name, "RDWARM-TEST");
  EXPECT_EQ(back->blocks.core.server_selected_protocol, PROTOCOL_SSL);
  EXPECT_EQ(back->blocks.network->channels[0].name, "rdpdr");

  ConferenceCreateResponse rsp;
  rsp.blocks.core.client_requested_protocols = PROTOCOL_SSL;
  rsp.blocks.network.channel_ids = {1004};
  auto rback = ConferenceCreateResponse::decode(encode_to_vector(rsp));
  ASSERT_TRUE(rback.ok()) << rback.error().message();
  EXPECT_EQ(rback->blocks.network.channel_ids, (std::vector<std::uint16_t>{1004}));
  EXPECT_EQ(rback->blocks.core.client_requested_protocols, PROTOCOL_SSL);
  EXPECT_EQ(encode_to_vector(*rback), encode_to_vector(rsp));
}

TEST(ClientInfoVectors, DecryptedInfoPacket_4_1_10) {
  auto payload = hex("40 00 00 00");  // the TLS security header the spec's encrypted example lacks
  // The decrypted TS_INFO_PACKET the specification prints beside the encrypted PDU.
  const auto info = testing::load_decrypted_payload("rdpbcgr/4.1.10-client-info.hex");
  ASSERT_FALSE(info.empty());
  payload.insert(payload.end(), info.begin(), info.end());
  auto ci = ClientInfo::decode(payload);
  ASSERT_TRUE(ci.ok()) << ci.error().message();
  EXPECT_EQ(ci->code_page, 0x04090409u);
  EXPECT_EQ(ci->flags, 0x000043B3u);
  EXPECT_EQ(ci->domain, "NTDEV");
  EXPECT_EQ(ci->user_name, "eltons");
  EXPECT_EQ(ci->password, "");
  EXPECT_EQ(ci->client_address, "157.59.242.156");
  EXPECT_EQ(ci->client_dir,
            "C:\\depots\\w2k3_1\\termsrv\\newclient\\lib\\win32\\obj\\i386\\mstscax.dll");
  EXPECT_EQ(ci->performance_flags, 1u);
}

TEST(ClientInfoVectors, ProbeClientInfoHasEmptyCredentialsAndNoAutoLogon) {
  ClientInfo ci;
  ci.client_dir = "C:\\probe";
  const auto bytes = encode_to_vector(ci);
  EXPECT_EQ(bytes.size(), 256u);  // the derived 256-byte user data of the reference, section 2.6
  EXPECT_EQ(to_hex(Bytes(bytes).first(8), " "), "40 00 00 00 00 00 00 00");
  auto back = ClientInfo::decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->flags & INFO_AUTOLOGON, 0u);
  EXPECT_EQ(back->user_name, "");
  EXPECT_EQ(back->client_dir, "C:\\probe");
}

TEST(WireRobustness, EveryPrefixOfEveryVectorIsAnErrorNotACrash) {
  // Each vector's own decoder must reject every strict prefix; the other decoders see the same
  // bytes only to show they never crash (ASan/UBSan run this too).
  struct Case {
    const char* file;
    bool (*own_decoder_accepts)(Bytes);
  };
  const Case cases[] = {
      {"rdpbcgr/4.1.3-mcs-connect-initial.hex",
       [](Bytes b) { return ConnectInitial::decode(b).ok(); }},
      {"rdpbcgr/4.1.4-mcs-connect-response.hex",
       [](Bytes b) { return ConnectResponse::decode(b).ok(); }},
      {"rdpbcgr/4.1.7-attach-user-confirm.hex", [](Bytes b) { return decode_domain_pdu(b).ok(); }},
      {"rdpbcgr/4.1.8-channel-join-confirm-1007.hex",
       [](Bytes b) { return decode_domain_pdu(b).ok(); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const auto frame = load_hex_vector(c.file);
    const Bytes mcs = Bytes(frame).subspan(x224_data_overhead());
    EXPECT_TRUE(c.own_decoder_accepts(mcs));
    for (std::size_t n = 0; n < mcs.size(); ++n) {
      const auto prefix = mcs.first(n);
      EXPECT_FALSE(c.own_decoder_accepts(prefix)) << "prefix of " << n << " bytes";
      (void)ConnectInitial::decode(prefix);
      (void)ConnectResponse::decode(prefix);
      (void)decode_domain_pdu(prefix);
      (void)ConferenceCreateRequest::decode(prefix);
      (void)ConferenceCreateResponse::decode(prefix);
    }
  }
}

}  // namespace
}  // namespace rdwarm::wire
