// The lab's server state machine, state by state, against the probe's real client state machine
// (both sans-IO, bytes moved in memory) and against scripted client bytes where the probe would
// never send them (a wrong MAC, a stored license, finalization, fast-path input, garbage).
#include "lab/session_host/session_host_connection.hpp"

#include <gtest/gtest.h>

#include <random>

#include "lab/session_host/activation_pdus.hpp"
#include "licensing/crypto/licensing_keys.hpp"
#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/client_info.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/share.hpp"
#include "tests/unit/lab/lab_link.hpp"

namespace rdwarm::lab {
namespace {

using connector::CertificateKind;
using connector::LicensedKind;
using connector::OutcomeKind;
using connector::Phase;
using testing::FakeHost;
using testing::io_payloads;
using testing::Link;
namespace lic = wire::lic;

std::vector<std::uint8_t> licensing_sequence(const connector::Outcome& o) {
  return o.licensing_messages;
}

ConnectionConfig with_fault(FaultScenario f) {
  ConnectionConfig c;
  c.fault = f;
  return c;
}

FaultScenario stall(StallPoint p) {
  FaultScenario f;
  f.kind = FaultKind::Stall;
  f.stall = p;
  return f;
}

FaultScenario malformed(MalformedPdu p) {
  FaultScenario f;
  f.kind = FaultKind::Malformed;
  f.malformed = p;
  return f;
}

TEST(SessionHostConnection, ValidClientWithAProprietaryCertificateThenDemandActive) {
  Link link;
  link.run();
  ASSERT_TRUE(link.client.done());
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_EQ(o.licensed, LicensedKind::ValidClient);
  EXPECT_TRUE(o.demand_active);
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::Proprietary);
  EXPECT_EQ(o.server_certificate.key_bits, 512u);
  EXPECT_EQ(licensing_sequence(o),
            (std::vector<std::uint8_t>{lic::LICENSE_REQUEST, lic::NEW_LICENSE_REQUEST,
                                       lic::PLATFORM_CHALLENGE, lic::PLATFORM_CHALLENGE_RESPONSE,
                                       lic::ERROR_ALERT}));
  // The host saw what the client told it, with the decrypted hardware id.
  ASSERT_EQ(link.own_host.decided.size(), 1u);
  const auto& facts = link.own_host.decided[0];
  EXPECT_EQ(facts.machine_name, "LINK-CLIENT");
  EXPECT_EQ(facts.user_name, "rdwarm");
  EXPECT_FALSE(facts.presented_license);
  const auto id = connector::ClientIdentity::for_machine("LINK-CLIENT");
  EXPECT_EQ(facts.hardware_id.data1, id.hardware_id[0]);
  EXPECT_EQ(facts.hardware_id.data4, id.hardware_id[3]);
  EXPECT_EQ(link.own_host.licensing_started, 1);
  // The probe leaves with a DPUM after the Demand Active; the server notes it.
  EXPECT_EQ(link.server.phase(), HostPhase::Closed);
  const auto& r = link.server.report();
  EXPECT_EQ(r.client_name, "LINK-CLIENT");
  EXPECT_EQ(r.certificate_sent, crypto::CertificateKind::Proprietary);
  EXPECT_EQ(r.verdict, VerdictKind::ValidClient);
  EXPECT_NE(r.end.find("Disconnect Provider Ultimatum"), std::string::npos) << r.end;
}

TEST(SessionHostConnection, NegotiationConfirmSelectsTlsAndEchoesTheRequestInScCore) {
  Link link;
  link.run();
  // Frame 0: Connection Confirm (SSL); frame 1: Connect-Response.
  const auto frames = testing::tpkt_frames(link.all_server_bytes);
  ASSERT_GE(frames.size(), 2u);
  auto cc = wire::ConnectionConfirm::decode(frames[0]);
  ASSERT_TRUE(cc.ok());
  const auto* rsp = std::get_if<wire::NegotiationResponse>(&cc->negotiation);
  ASSERT_NE(rsp, nullptr);
  EXPECT_EQ(rsp->selected_protocol, wire::PROTOCOL_SSL);
  auto x = wire::decode_x224_frame(frames[1]);
  ASSERT_TRUE(x.ok());
  auto cr = wire::ConnectResponse::decode(x->payload);
  ASSERT_TRUE(cr.ok()) << cr.error().message();
  auto gcc = wire::ConferenceCreateResponse::decode(cr->user_data);
  ASSERT_TRUE(gcc.ok()) << gcc.error().message();
  EXPECT_EQ(gcc->blocks.core.client_requested_protocols, wire::PROTOCOL_SSL);
  EXPECT_EQ(gcc->blocks.security.encryption_method, 0u);  // TLS: no RDP encryption
  EXPECT_EQ(gcc->blocks.security.encryption_level, 0u);
  EXPECT_TRUE(gcc->blocks.security.server_certificate.empty());
  EXPECT_EQ(gcc->blocks.network.io_channel, 1003);
  EXPECT_TRUE(gcc->blocks.network.channel_ids.empty());  // the probe asks for no channels
}

TEST(SessionHostConnection, X509ChainIsSentOnceTheHostHasIt) {
  FakeHost host;
  host.credentials = testing::x509_credentials();
  Link link({}, &host);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::X509Chain);
  ASSERT_EQ(o.server_certificate.chain.size(), 2u);
  EXPECT_NE(o.server_certificate.chain[1].issuer.find("LAB-LS"), std::string::npos);
  EXPECT_EQ(o.server_certificate.key_bits, 2048u);  // the premaster was decrypted with it
}

TEST(SessionHostConnection, NoLicenseServerIsAlertThenErrorInfoThenDisconnect) {
  FakeHost host;
  host.verdict = {VerdictKind::NoLicenseServer, {}, "grace over"};
  Link link({}, &host);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail;
  EXPECT_EQ(o.license_error_code, lic::ERR_NO_LICENSE_SERVER);
  EXPECT_EQ(o.license_state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(o.error_info, wire::ERRINFO_LICENSE_NO_LICENSE_SERVER);
  EXPECT_EQ(o.disconnect_reason, wire::RN_PROVIDER_INITIATED);
  EXPECT_FALSE(o.demand_active);
  EXPECT_EQ(link.server.wants_close(), SessionHostConnection::CloseMode::Graceful);
  // Windows' order: the error alert, then Set Error Info.
  const auto payloads = io_payloads(link.all_server_bytes);
  ASSERT_GE(payloads.size(), 2u);
  auto alert = lic::LicensingPdu::decode(payloads[payloads.size() - 2]);
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(alert->msg_type(), lic::ERROR_ALERT);
  auto share = wire::decode_share_pdu(payloads.back());
  ASSERT_TRUE(share.ok());
  EXPECT_EQ(share->kind, wire::SharePdu::Kind::SetErrorInfo);
  EXPECT_EQ(link.server.report().error_info_sent, wire::ERRINFO_LICENSE_NO_LICENSE_SERVER);
}

TEST(SessionHostConnection, ErrorInfoBeforeAlertWhenTheScenarioAsks) {
  FakeHost host;
  host.verdict = {VerdictKind::NoLicenseServer, {}, "grace over"};
  ConnectionConfig config;
  config.error_info_before_alert = true;
  Link link(config, &host);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail;
  EXPECT_EQ(o.error_info, wire::ERRINFO_LICENSE_NO_LICENSE_SERVER);
  const auto payloads = io_payloads(link.all_server_bytes);
  ASSERT_GE(payloads.size(), 2u);
  auto share = wire::decode_share_pdu(payloads[payloads.size() - 2]);
  ASSERT_TRUE(share.ok());
  EXPECT_EQ(share->kind, wire::SharePdu::Kind::SetErrorInfo);
  auto alert = lic::LicensingPdu::decode(payloads.back());
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(alert->msg_type(), lic::ERROR_ALERT);
}

TEST(SessionHostConnection, InvalidClientCarriesNoLicenseErrorInfo) {
  FakeHost host;
  host.verdict = {VerdictKind::InvalidClient, {}, "no CALs"};
  Link link({}, &host);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail;
  EXPECT_EQ(o.license_error_code, lic::ERR_INVALID_CLIENT);
  EXPECT_EQ(o.license_state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(o.error_info, wire::ERRINFO_LICENSE_NO_LICENSE);
}

TEST(SessionHostConnection, NewLicenseIsEncryptedAndMacedSoTheClientAcceptsIt) {
  FakeHost host;
  host.credentials = testing::x509_credentials();
  host.verdict = {VerdictKind::NewLicense, {0x30, 0x03, 0x02, 0x01, 0x05}, "per device"};
  Link link({}, &host);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;  // the client checked the MAC
  EXPECT_EQ(o.licensed, LicensedKind::NewLicense);
  EXPECT_TRUE(o.demand_active);
  EXPECT_EQ(o.licensing_messages.back(), lic::NEW_LICENSE);
}

TEST(SessionHostConnection, UpgradeLicenseIsTheUpgradeMessage) {
  FakeHost host;
  host.verdict = {VerdictKind::UpgradeLicense, {0x01}, "upgrade"};
  Link link({}, &host);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_EQ(o.licensed, LicensedKind::UpgradeLicense);
}

// Flips the last byte (a MAC byte) of every frame that carries a Platform Challenge Response.
void corrupt_challenge_response_mac(std::vector<std::uint8_t>& bytes) {
  std::size_t at = 0;
  while (at + 4 <= bytes.size()) {
    const std::size_t n = static_cast<std::size_t>((bytes[at + 2] << 8) | bytes[at + 3]);
    if (n < 4 || at + n > bytes.size()) return;
    // TPKT(4) X.224(3) SDrq(6..8) then user data: security header (4) and preamble type.
    for (std::size_t i = at + 7; i + 5 < at + n; ++i) {
      if (bytes[i] == 0x80 && bytes[i + 1] == 0x00 &&
          bytes[i + 4] == lic::PLATFORM_CHALLENGE_RESPONSE) {
        bytes[at + n - 1] ^= 0xFF;
        break;
      }
    }
    at += n;
  }
}

TEST(SessionHostConnection, WrongMacGetsInvalidMacAndBadEncryptionErrorInfo) {
  FakeHost host;
  Link link({}, &host);
  link.tamper = corrupt_challenge_response_mac;
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail;
  EXPECT_EQ(o.license_error_code, lic::ERR_INVALID_MAC);
  EXPECT_EQ(o.license_state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(o.error_info, wire::ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION);
  EXPECT_TRUE(link.server.report().invalid_mac);
  EXPECT_TRUE(host.decided.empty()) << "a client without the keys gets no verdict";
}

TEST(SessionHostConnection, NlaRequiredAnswersHybridRequiredAndCloses) {
  ConnectionConfig config;
  config.nla_required = true;
  Link link(config);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::NegotiationFailure) << o.detail;
  EXPECT_EQ(o.negotiation_failure, wire::HYBRID_REQUIRED_BY_SERVER);
  EXPECT_TRUE(o.nla_required());
  EXPECT_EQ(link.own_host.licensing_started, 0);
}

TEST(SessionHostConnection, ClientWithoutTlsGetsSslRequired) {
  FakeHost host;
  SessionHostConnection server({}, host);
  wire::ConnectionRequest cr;
  cr.negotiation = wire::NegotiationRequest{0, wire::PROTOCOL_RDP};
  server.receive(wire::encode_to_vector(cr));
  auto cc = wire::ConnectionConfirm::decode(server.take_output());
  ASSERT_TRUE(cc.ok());
  const auto* f = std::get_if<wire::NegotiationFailure>(&cc->negotiation);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->code, wire::SSL_REQUIRED_BY_SERVER);
  EXPECT_EQ(server.wants_close(), SessionHostConnection::CloseMode::Graceful);
}

TEST(SessionHostConnection, RefusedLogonAfterLicensingSendsDeniedConnection) {
  FakeHost host;
  host.admit = {false, wire::ERRINFO_SERVER_DENIED_CONNECTION, "drain mode"};
  Link link({}, &host);
  link.run();
  const auto& o = link.client.outcome();
  // Licensing itself succeeded (the probe's verdict), but no Demand Active came.
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_EQ(o.licensed, LicensedKind::ValidClient);
  EXPECT_FALSE(o.demand_active);
  EXPECT_EQ(o.error_info, wire::ERRINFO_SERVER_DENIED_CONNECTION);
  EXPECT_EQ(o.disconnect_reason, wire::RN_PROVIDER_INITIATED);
  EXPECT_TRUE(link.server.report().refused_logon);
}

TEST(SessionHostConnection, PersonalTerminalServerAnswersValidClientWithoutLicenseRequest) {
  FakeHost host;
  host.rdsh = false;
  Link link({}, &host);
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_EQ(o.licensed, LicensedKind::ValidClient);
  EXPECT_EQ(o.licensing_messages, std::vector<std::uint8_t>{lic::ERROR_ALERT});
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::None);
  EXPECT_EQ(host.licensing_started, 0);
}

TEST(SessionHostConnection, ResetFaultClosesWithRstRightAfterTheLicenseRequest) {
  FaultScenario f;
  f.kind = FaultKind::ResetAfterLicenseRequest;
  Link link(with_fault(f));
  link.run();
  EXPECT_EQ(link.server.wants_close(), SessionHostConnection::CloseMode::Reset);
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail;
  EXPECT_EQ(o.licensing_messages,
            (std::vector<std::uint8_t>{lic::LICENSE_REQUEST, lic::NEW_LICENSE_REQUEST}));
  EXPECT_FALSE(o.license_error_code.has_value());
  EXPECT_FALSE(o.error_info.has_value());
}

struct StallCase {
  StallPoint point;
  Phase client_phase;  // where the probe waits
  // What the probe concludes at its deadline: Timeout, except after a licensing verdict, where a
  // missing Demand Active still leaves it Licensed (without the Demand Active proof).
  OutcomeKind outcome = OutcomeKind::Timeout;
};

class StallTest : public ::testing::TestWithParam<StallCase> {};

TEST_P(StallTest, ClientTimesOutInTheNamedPhaseAndTheLabClosesAtItsDeadline) {
  const auto& c = GetParam();
  Link link(with_fault(stall(c.point)));
  link.run();
  ASSERT_FALSE(link.client.done()) << link.client.outcome().detail;
  EXPECT_EQ(link.server.phase(), HostPhase::Stalled);
  EXPECT_EQ(link.client.phase(), c.client_phase);
  link.client.deadline_expired();
  const auto& o = link.client.outcome();
  EXPECT_EQ(o.kind, c.outcome) << o.detail;
  EXPECT_EQ(o.phase, c.client_phase);
  EXPECT_FALSE(o.demand_active);
  // A stalled connection hears nothing more, then closes at its own deadline without a word.
  link.server.receive(
      std::vector<std::uint8_t>{0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x21, 0x80});
  EXPECT_EQ(link.server.phase(), HostPhase::Stalled);
  link.server.deadline_expired();
  EXPECT_EQ(link.server.phase(), HostPhase::Closed);
  EXPECT_FALSE(link.server.has_output());
  EXPECT_NE(link.server.report().end.find(stall_point_name(c.point)), std::string::npos)
      << link.server.report().end;
}

INSTANTIATE_TEST_SUITE_P(
    EveryStallPoint, StallTest,
    ::testing::Values(StallCase{StallPoint::X224, Phase::Negotiation},
                      StallCase{StallPoint::Tls, Phase::Tls},
                      StallCase{StallPoint::Mcs, Phase::BasicSettings},
                      StallCase{StallPoint::Channels, Phase::ChannelConnection},
                      StallCase{StallPoint::Licensing, Phase::Licensing},
                      StallCase{StallPoint::PlatformChallenge, Phase::Licensing},
                      StallCase{StallPoint::LicenseVerdict, Phase::Licensing},
                      StallCase{StallPoint::DemandActive, Phase::Capabilities,
                                OutcomeKind::Licensed}),
    [](const auto& param_info) {
      std::string name(stall_point_name(param_info.param.point));
      std::erase(name, '-');
      return name;
    });

TEST(SessionHostConnection, MalformedConnectResponseIsAProbeProtocolErrorInBasicSettings) {
  Link link(with_fault(malformed(MalformedPdu::ConnectResponse)));
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::ProtocolError) << o.detail;
  EXPECT_EQ(o.phase, Phase::BasicSettings);
}

TEST(SessionHostConnection, MalformedLicenseRequestIsAProbeProtocolErrorInLicensing) {
  Link link(with_fault(malformed(MalformedPdu::LicenseRequest)));
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::ProtocolError) << o.detail;
  EXPECT_EQ(o.phase, Phase::Licensing);
  EXPECT_NE(o.detail.find("SERVER_LICENSE_REQUEST"), std::string::npos) << o.detail;
}

TEST(SessionHostConnection, MalformedPlatformChallengeMacIsCaughtByTheClient) {
  Link link(with_fault(malformed(MalformedPdu::PlatformChallenge)));
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::ProtocolError) << o.detail;
  EXPECT_NE(o.detail.find("MAC"), std::string::npos) << o.detail;
}

TEST(SessionHostConnection, SilentClientIsDroppedAtTheDeadlineWithoutOutput) {
  FakeHost host;
  SessionHostConnection server({}, host);
  EXPECT_EQ(server.phase(), HostPhase::Negotiation);
  server.deadline_expired();
  EXPECT_EQ(server.phase(), HostPhase::Closed);
  EXPECT_FALSE(server.has_output());
  EXPECT_NE(server.report().end.find("silent"), std::string::npos);
}

// A scripted client past licensing: Confirm Active and the finalization PDUs, as FreeRDP sends
// them, then fast-path input, then the hold time runs out.
class Finalization : public ::testing::Test {
 protected:
  static std::vector<std::uint8_t> share_frame(std::uint16_t user,
                                               const std::vector<std::uint8_t>& pdu) {
    return wire::frame_domain_pdu(wire::SendDataRequest{user, 1003, pdu});
  }
  static std::vector<std::uint8_t> data_pdu(std::uint8_t type2,
                                            const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> out;
    wire::Writer w(out);
    w.u16le(static_cast<std::uint16_t>(18 + body.size()));
    w.u16le(wire::TS_PROTOCOL_VERSION | wire::PDUTYPE_DATAPDU);
    w.u16le(1007);
    w.u32le(kDefaultShareId);
    w.u8(0);
    w.u8(1);
    w.u16le(static_cast<std::uint16_t>(body.size() + 4));
    w.u8(type2);
    w.u8(0);
    w.u16le(0);
    w.bytes(body);
    return out;
  }
  static std::vector<std::uint8_t> confirm_active() {
    std::vector<std::uint8_t> out;
    wire::Writer w(out);
    w.u16le(20);
    w.u16le(wire::TS_PROTOCOL_VERSION | wire::PDUTYPE_CONFIRMACTIVEPDU);
    w.u16le(1007);
    w.u32le(kDefaultShareId);
    w.u16le(0x03EA);  // originatorId
    w.u16le(0);       // lengthSourceDescriptor
    w.u16le(4);       // lengthCombinedCapabilities
    w.u16le(0);       // numberCapabilities
    w.u16le(0);
    return out;
  }
  static std::vector<std::uint8_t> u16s(std::initializer_list<std::uint16_t> v) {
    std::vector<std::uint8_t> out;
    wire::Writer w(out);
    for (auto x : v) w.u16le(x);
    return out;
  }
};

TEST_F(Finalization, ServerAnswersEachFinalizationPduAndBecomesActive) {
  FakeHost host;
  Link link({}, &host);
  // Stop the probe from leaving after the Demand Active: keep its DPUM away from the server.
  link.tamper = [](std::vector<std::uint8_t>& bytes) {
    if (bytes.size() == 9 && bytes[7] == 0x21) bytes.clear();
  };
  link.run();
  ASSERT_EQ(link.client.outcome().kind, OutcomeKind::Licensed);
  auto& server = link.server;
  ASSERT_EQ(server.phase(), HostPhase::Capabilities);
  const auto payloads = io_payloads(link.all_server_bytes);
  auto demand = wire::decode_share_pdu(payloads.back());
  ASSERT_TRUE(demand.ok());
  EXPECT_EQ(demand->kind, wire::SharePdu::Kind::DemandActive);
  EXPECT_EQ(demand->demand_active.number_capabilities, 10);
  EXPECT_EQ(demand->demand_active.source_descriptor, "RDP");

  server.receive(share_frame(1007, confirm_active()));
  EXPECT_EQ(server.phase(), HostPhase::Finalization);
  EXPECT_FALSE(server.has_output());
  server.receive(share_frame(1007, data_pdu(PDUTYPE2_SYNCHRONIZE, u16s({1, 0x03EA}))));
  server.receive(
      share_frame(1007, data_pdu(PDUTYPE2_CONTROL, u16s({CTRLACTION_COOPERATE, 0, 0, 0}))));
  server.receive(
      share_frame(1007, data_pdu(PDUTYPE2_CONTROL, u16s({CTRLACTION_REQUEST_CONTROL, 0, 0, 0}))));
  EXPECT_EQ(server.phase(), HostPhase::Finalization);
  server.receive(share_frame(1007, data_pdu(PDUTYPE2_FONTLIST, u16s({0, 0, 3, 0x32}))));
  EXPECT_EQ(server.phase(), HostPhase::Active);
  EXPECT_TRUE(server.report().activated);

  std::vector<std::uint8_t> types;
  std::vector<std::uint16_t> actions;
  for (const auto& p : io_payloads(server.take_output())) {
    auto pdu = decode_client_share_pdu(p);  // same layout both ways
    ASSERT_TRUE(pdu.ok()) << pdu.error().message();
    EXPECT_EQ(pdu->share_id, kDefaultShareId);
    types.push_back(pdu->pdu_type2);
    if (pdu->pdu_type2 == PDUTYPE2_CONTROL) actions.push_back(pdu->control_action);
  }
  EXPECT_EQ(types, (std::vector<std::uint8_t>{PDUTYPE2_SYNCHRONIZE, PDUTYPE2_CONTROL,
                                              PDUTYPE2_CONTROL, PDUTYPE2_FONTMAP}));
  EXPECT_EQ(actions,
            (std::vector<std::uint16_t>{CTRLACTION_COOPERATE, CTRLACTION_GRANTED_CONTROL}));

  // Fast-path input (one-byte and two-byte lengths), split across calls, is framed and ignored.
  const std::vector<std::uint8_t> fast1{0x04, 0x06, 0x01, 0x00, 0x00, 0x1e};
  std::vector<std::uint8_t> fast2{0x04, 0x80, 0x08, 0x01, 0x00, 0x00, 0x1e, 0x00};
  server.receive(fast1);
  server.receive(std::span(fast2).first(3));
  server.receive(std::span(fast2).subspan(3));
  EXPECT_EQ(server.phase(), HostPhase::Active);
  EXPECT_FALSE(server.has_output());

  // The hold time is over: Set Error Info (RPC-initiated disconnect) and a DPUM.
  server.deadline_expired();
  EXPECT_EQ(server.wants_close(), SessionHostConnection::CloseMode::Graceful);
  const auto out = server.take_output();
  const auto last = io_payloads(out);
  ASSERT_EQ(last.size(), 1u);
  auto info = wire::decode_share_pdu(last[0]);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->error_info, wire::ERRINFO_RPC_INITIATED_DISCONNECT);
  const auto frames = testing::tpkt_frames(out);
  ASSERT_EQ(frames.size(), 2u);
  auto x = wire::decode_x224_frame(frames[1]);
  auto dpum = wire::decode_domain_pdu(x->payload);
  ASSERT_TRUE(dpum.ok());
  EXPECT_TRUE(std::holds_alternative<wire::DisconnectProviderUltimatum>(*dpum));
}

TEST_F(Finalization, UnknownChannelJoinIsRefusedAndVirtualChannelDataIgnored) {
  FakeHost host;
  SessionHostConnection server({}, host);
  wire::ConnectionRequest cr;
  server.receive(wire::encode_to_vector(cr));
  (void)server.take_output();
  ASSERT_TRUE(server.wants_tls());
  server.tls_established();
  wire::ConferenceCreateRequest gcc;
  gcc.blocks.core.server_selected_protocol = wire::PROTOCOL_SSL;
  gcc.blocks.network = wire::ClientNetworkData{{{"rdpdr", 0}, {"cliprdr", 0}}};
  wire::ConnectInitial ci;
  ci.user_data = wire::encode_to_vector(gcc);
  server.receive(wire::frame_connect_pdu(ci));
  ASSERT_EQ(server.phase(), HostPhase::ChannelConnection) << server.report().end;
  const auto response_frame = server.take_output();
  auto x = wire::decode_x224_frame(response_frame);
  ASSERT_TRUE(x.ok());
  auto response = wire::ConnectResponse::decode(x->payload);
  ASSERT_TRUE(response.ok()) << response.error().message();
  auto sc = wire::ConferenceCreateResponse::decode(response->user_data);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(sc->blocks.network.channel_ids, (std::vector<std::uint16_t>{1004, 1005}));
  server.receive(wire::frame_domain_pdu(wire::ErectDomainRequest{}));
  server.receive(wire::frame_domain_pdu(wire::AttachUserRequest{}));
  auto confirm = wire::decode_domain_pdu(wire::decode_x224_frame(server.take_output())->payload);
  ASSERT_TRUE(confirm.ok());
  const auto& auc = std::get<wire::AttachUserConfirm>(*confirm);
  EXPECT_EQ(auc.initiator, 1007);
  server.receive(wire::frame_domain_pdu(wire::ChannelJoinRequest{1007, 1005}));
  auto ok = wire::decode_domain_pdu(wire::decode_x224_frame(server.take_output())->payload);
  EXPECT_EQ(std::get<wire::ChannelJoinConfirm>(*ok).result, 0);
  server.receive(wire::frame_domain_pdu(wire::ChannelJoinRequest{1007, 1666}));
  auto refused = wire::decode_domain_pdu(wire::decode_x224_frame(server.take_output())->payload);
  EXPECT_EQ(std::get<wire::ChannelJoinConfirm>(*refused).result, 3);  // rt-no-such-channel
  const std::vector<std::uint8_t> vc{1, 2, 3, 4};
  server.receive(wire::frame_domain_pdu(wire::SendDataRequest{1007, 1004, vc}));
  EXPECT_EQ(server.phase(), HostPhase::SecureSettings);
  EXPECT_FALSE(server.has_output());
}

// A client that holds a license presents it (CLIENT_LICENSE_INFO): the lab checks its hardware id
// MAC, challenges it, and the host hears presented_license.
TEST(SessionHostConnection, LicenseInfoIsVerifiedAndReachesTheHost) {
  FakeHost host;
  host.verdict = {VerdictKind::UpgradeLicense, {0x42}, "upgrade"};
  Link link({}, &host);
  // Let the probe run up to its New License Request, then replace that with a License Info built
  // from the same randoms (the probe never stores licenses).
  bool replaced = false;
  link.tamper = [&](std::vector<std::uint8_t>& bytes) {
    for (const auto& frame : testing::tpkt_frames(bytes)) {
      auto x = wire::decode_x224_frame(frame);
      if (!x) continue;
      auto pdu = wire::decode_domain_pdu(x->payload);
      if (!pdu || !std::holds_alternative<wire::SendDataRequest>(*pdu)) continue;
      const auto& sdr = std::get<wire::SendDataRequest>(*pdu);
      auto licensing = lic::LicensingPdu::decode(sdr.user_data);
      if (!licensing || licensing->msg_type() != lic::NEW_LICENSE_REQUEST) continue;
      const auto& nlr = std::get<lic::NewLicenseRequest>(licensing->message);
      // Recover the premaster the way the server does, to build a correct MAC.
      const auto& creds = *host.credentials;
      auto plain = creds.key->decrypt_le(nlr.encrypted_premaster_secret.data);
      ASSERT_TRUE(plain.ok());
      std::array<std::uint8_t, 48> premaster{};
      std::copy_n(plain->begin(), 48, premaster.begin());
      // The server random is in the License Request the server sent earlier.
      const auto payloads = io_payloads(link.all_server_bytes);
      auto lr = lic::LicensingPdu::decode(payloads.front());
      ASSERT_TRUE(lr.ok());
      const auto& sr = std::get<lic::LicenseRequest>(lr->message).server_random;
      const auto keys = crypto::derive_licensing_keys(premaster, nlr.client_random, sr);
      lic::ClientHardwareId hwid{0x04010000, 1, 2, 3, 4};
      const auto hwid_bytes = wire::encode_to_vector(hwid);
      lic::LicenseInfo info;
      info.client_random = nlr.client_random;
      info.encrypted_premaster_secret = nlr.encrypted_premaster_secret;
      info.license_info.data = {0xCA, 0x1};
      info.encrypted_hwid.data = crypto::rc4(keys.licensing_key, hwid_bytes);
      info.mac_data = crypto::licensing_mac(keys.mac_salt_key, hwid_bytes);
      lic::LicensingPdu out;
      out.preamble.flags = lic::PREAMBLE_VERSION_3_0;
      out.message = info;
      const auto user_data = wire::encode_to_vector(out);
      bytes =
          wire::frame_domain_pdu(wire::SendDataRequest{sdr.initiator, sdr.channel_id, user_data});
      replaced = true;
      return;
    }
  };
  link.run();
  ASSERT_TRUE(replaced);
  // The server answered with a Platform Challenge; the probe (which thinks it sent a New License
  // Request with the same keys) answers it, and the upgrade follows.
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_EQ(o.licensed, LicensedKind::UpgradeLicense);
  ASSERT_EQ(host.decided.size(), 1u);
  EXPECT_TRUE(host.decided[0].presented_license);
}

// Random bytes in every phase never crash the server and never make it produce anything but
// whole TPKT frames.
TEST(SessionHostConnection, GarbageInEveryPhaseIsSurvived) {
  std::mt19937 rng(1234);
  for (int run = 0; run < 300; ++run) {
    FakeHost host;
    Link link({}, &host);
    // Stop the probe at a random point by cutting its output, then send garbage.
    const int keep = static_cast<int>(rng() % 8);
    int seen = 0;
    link.tamper = [&](std::vector<std::uint8_t>& bytes) {
      if (seen++ >= keep) {
        const std::size_t n = 1 + rng() % 64;
        bytes.resize(n);
        for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
        if (rng() % 2 == 0) bytes[0] = 0x03;  // make it look like TPKT half of the time
      }
    };
    link.run();
    link.server.deadline_expired();
    link.server.connection_closed();
    EXPECT_EQ(link.server.phase(), HostPhase::Closed);
    for (const auto& frame : testing::tpkt_frames(link.all_server_bytes)) EXPECT_EQ(frame[0], 0x03);
  }
}

}  // namespace
}  // namespace rdwarm::lab
