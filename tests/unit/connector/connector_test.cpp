// The connector, state by state, against a scripted server (no sockets, no clock).
#include "licensing/connector/connector.hpp"

#include <gtest/gtest.h>

#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/hex.hpp"
#include "tests/support/vectors.hpp"
#include "tests/unit/connector/scripted_server.hpp"

namespace rdwarm::connector {
namespace {

using testing::ScriptedServer;
namespace lic = wire::lic;

ConnectorConfig test_config() {
  ConnectorConfig c;
  c.identity = ClientIdentity::for_machine("VDI-HOST-042");
  c.random = [n = std::uint8_t{0}](std::span<std::uint8_t> out) mutable {
    for (auto& b : out) b = n++;
  };
  return c;
}

// Runs the connector up to the Client Info and checks every client PDU on the way.
class ConnectorTest : public ::testing::Test {
 protected:
  void connect_to_licensing() {
    c.start();
    EXPECT_EQ(wire::to_hex(c.take_output(), " "),
              "03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 01 00 00 00");
    EXPECT_EQ(c.phase(), Phase::Negotiation);
    c.receive(ScriptedServer::confirm());
    ASSERT_TRUE(c.wants_tls());
    EXPECT_FALSE(c.has_output());
    c.tls_established();

    // Connect-Initial: our name, the negotiated protocol echoed, ERRINFO wanted, no admin mode.
    const auto ci_frame = c.take_output();
    auto x = wire::decode_x224_frame(ci_frame);
    ASSERT_TRUE(x.ok());
    auto ci = wire::ConnectInitial::decode(x->payload);
    ASSERT_TRUE(ci.ok()) << ci.error().message();
    auto gcc = wire::ConferenceCreateRequest::decode(ci->user_data);
    ASSERT_TRUE(gcc.ok());
    EXPECT_EQ(gcc->blocks.core.client_name, "VDI-HOST-042");
    EXPECT_EQ(gcc->blocks.core.server_selected_protocol, wire::PROTOCOL_SSL);
    EXPECT_EQ(gcc->blocks.core.early_capability_flags & wire::RNS_UD_CS_SUPPORT_ERRINFO_PDU, 1);
    EXPECT_FALSE(gcc->blocks.cluster.has_value()) << "CS_CLUSTER would allow console (admin) mode";
    EXPECT_EQ(gcc->blocks.security.encryption_methods, 0u);

    c.receive(ScriptedServer::connect_response());
    EXPECT_EQ(wire::to_hex(c.take_output(), " "),
              "03 00 00 0c 02 f0 80 04 01 00 01 00 03 00 00 08 02 f0 80 28");
    c.receive(ScriptedServer::attach_confirm());
    EXPECT_EQ(wire::to_hex(c.take_output(), " "), "03 00 00 0c 02 f0 80 38 00 06 03 ef");
    c.receive(ScriptedServer::join_confirm(1007));
    EXPECT_EQ(wire::to_hex(c.take_output(), " "), "03 00 00 0c 02 f0 80 38 00 06 03 eb");
    c.receive(ScriptedServer::join_confirm(1003));
    const auto payloads = ScriptedServer::send_data_payloads(c.take_output());
    ASSERT_EQ(payloads.size(), 1u);
    auto info = wire::ClientInfo::decode(payloads[0]);
    ASSERT_TRUE(info.ok()) << info.error().message();
    EXPECT_EQ(info->user_name, "");
    EXPECT_EQ(info->password, "");
    EXPECT_EQ(info->flags & wire::INFO_AUTOLOGON, 0u);
    EXPECT_EQ(c.phase(), Phase::Licensing);
  }

  // License Request -> New License Request -> Platform Challenge -> Challenge Response.
  void run_licensing_handshake() {
    c.receive(server.license_request());
    auto payloads = ScriptedServer::send_data_payloads(c.take_output());
    ASSERT_EQ(payloads.size(), 1u);
    const auto nlr = server.accept_new_license_request(payloads[0]);
    EXPECT_EQ(nlr.client_machine_name, "VDI-HOST-042");
    EXPECT_EQ(nlr.client_user_name, "rdwarm");
    EXPECT_EQ(nlr.platform_id, 0x04010000u);

    c.receive(server.platform_challenge());
    payloads = ScriptedServer::send_data_payloads(c.take_output());
    ASSERT_EQ(payloads.size(), 1u);
    const auto response = server.accept_challenge_response(payloads[0]);
    EXPECT_TRUE(response.mac_ok) << "the server would answer ERR_INVALID_MAC";
    EXPECT_EQ(response.data.challenge, wire::utf16le_from_utf8(std::string("TEST") + '\0'));
    EXPECT_EQ(response.data.client_type, lic::WIN32_PLATFORMCHALLENGE_TYPE);
    const auto hwid = ClientIdentity::derive_hardware_id("VDI-HOST-042");
    EXPECT_EQ(response.hwid.data1, hwid[0]);
    EXPECT_EQ(response.hwid.data4, hwid[3]);
  }

  ScriptedServer server;
  ClientConnector c{test_config()};
};

TEST_F(ConnectorTest, FirstBootFailureCollectsErrorInfo0x101) {
  connect_to_licensing();
  run_licensing_handshake();
  c.receive(ScriptedServer::error_alert(lic::ERR_NO_LICENSE_SERVER, lic::ST_TOTAL_ABORT));
  EXPECT_FALSE(c.done()) << "must keep reading for Set Error Info and the disconnect";
  EXPECT_TRUE(c.verdict_known());
  c.receive(ScriptedServer::set_error_info(wire::ERRINFO_LICENSE_NO_LICENSE_SERVER));
  c.receive(ScriptedServer::dpum());
  ASSERT_TRUE(c.done());
  const auto& o = c.outcome();
  EXPECT_EQ(o.kind, OutcomeKind::LicensingFailed);
  EXPECT_EQ(o.license_error_code, lic::ERR_NO_LICENSE_SERVER);
  EXPECT_EQ(o.license_state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(o.error_info, wire::ERRINFO_LICENSE_NO_LICENSE_SERVER);
  EXPECT_EQ(o.disconnect_reason, wire::RN_PROVIDER_INITIATED);
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::Proprietary);
  EXPECT_EQ(o.server_certificate.key_bits, 512u);
  EXPECT_EQ(o.licensing_messages,
            (std::vector<std::uint8_t>{lic::LICENSE_REQUEST, lic::NEW_LICENSE_REQUEST,
                                       lic::PLATFORM_CHALLENGE, lic::PLATFORM_CHALLENGE_RESPONSE,
                                       lic::ERROR_ALERT}));
  EXPECT_FALSE(c.has_output());
}

TEST_F(ConnectorTest, NewLicenseThenDemandActiveIsLicensed) {
  connect_to_licensing();
  run_licensing_handshake();
  c.receive(server.new_license());
  EXPECT_EQ(c.phase(), Phase::Capabilities);
  c.receive(ScriptedServer::demand_active());
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::Licensed);
  EXPECT_EQ(c.outcome().licensed, LicensedKind::NewLicense);
  EXPECT_TRUE(c.outcome().demand_active);
  EXPECT_EQ(wire::to_hex(c.take_output(), " "),
            "03 00 00 09 02 f0 80 21 80");  // DPUM rn-user-requested
}

TEST_F(ConnectorTest, UpgradeLicenseIsLicensed) {
  connect_to_licensing();
  run_licensing_handshake();
  c.receive(server.new_license(true));
  c.receive(ScriptedServer::demand_active());
  EXPECT_EQ(c.outcome().licensed, LicensedKind::UpgradeLicense);
}

// A host in its grace period that cannot reach a license server answers the Challenge Response
// with STATUS_VALID_CLIENT [MS-RDPELE 3.2.5.5].
TEST_F(ConnectorTest, ValidClientAfterChallengeIsLicensed) {
  connect_to_licensing();
  run_licensing_handshake();
  c.receive(ScriptedServer::error_alert(lic::STATUS_VALID_CLIENT, lic::ST_NO_TRANSITION));
  c.receive(ScriptedServer::demand_active());
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::Licensed);
  EXPECT_EQ(c.outcome().licensed, LicensedKind::ValidClient);
  EXPECT_EQ(c.outcome().server_certificate.kind, CertificateKind::Proprietary);
}

TEST_F(ConnectorTest, ValidClientRightAfterClientInfoLikeFreeRdpShadow) {
  connect_to_licensing();
  c.receive(ScriptedServer::error_alert(lic::STATUS_VALID_CLIENT, lic::ST_NO_TRANSITION));
  c.receive(ScriptedServer::demand_active());
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::Licensed);
  EXPECT_EQ(c.outcome().licensed, LicensedKind::ValidClient);
  EXPECT_EQ(c.outcome().server_certificate.kind, CertificateKind::None);
}

TEST_F(ConnectorTest, InvalidClientIsLicensingFailed) {
  connect_to_licensing();
  run_licensing_handshake();
  c.receive(ScriptedServer::error_alert(lic::ERR_INVALID_CLIENT, lic::ST_TOTAL_ABORT));
  c.connection_closed();  // the server hung up without Set Error Info
  EXPECT_EQ(c.outcome().kind, OutcomeKind::LicensingFailed);
  EXPECT_EQ(c.outcome().license_error_code, lic::ERR_INVALID_CLIENT);
  EXPECT_FALSE(c.outcome().error_info.has_value());
}

TEST_F(ConnectorTest, ErrorAlertWithoutDisconnectEndsAtTheGraceDeadline) {
  connect_to_licensing();
  run_licensing_handshake();
  c.receive(ScriptedServer::error_alert(lic::ERR_NO_LICENSE_SERVER, lic::ST_TOTAL_ABORT));
  c.deadline_expired();
  EXPECT_EQ(c.outcome().kind, OutcomeKind::LicensingFailed);
}

TEST_F(ConnectorTest, LicensedButLogonRefusedIsStillLicensed) {
  connect_to_licensing();
  c.receive(ScriptedServer::error_alert(lic::STATUS_VALID_CLIENT, lic::ST_NO_TRANSITION));
  c.receive(ScriptedServer::set_error_info(wire::ERRINFO_SERVER_DENIED_CONNECTION));
  c.receive(ScriptedServer::dpum());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::Licensed);
  EXPECT_FALSE(c.outcome().demand_active);
  EXPECT_EQ(c.outcome().error_info, wire::ERRINFO_SERVER_DENIED_CONNECTION);
}

TEST_F(ConnectorTest, DisconnectBeforeLicensing) {
  connect_to_licensing();
  c.receive(ScriptedServer::set_error_info(wire::ERRINFO_SERVER_DENIED_CONNECTION));
  c.receive(ScriptedServer::dpum());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::DisconnectedBeforeLicensing);
  EXPECT_EQ(c.outcome().error_info, wire::ERRINFO_SERVER_DENIED_CONNECTION);
}

TEST_F(ConnectorTest, TimeoutNamesThePhase) {
  connect_to_licensing();
  c.deadline_expired();
  EXPECT_EQ(c.outcome().kind, OutcomeKind::Timeout);
  EXPECT_EQ(c.outcome().phase, Phase::Licensing);
}

TEST_F(ConnectorTest, McsRefusals) {
  c.start();
  c.receive(ScriptedServer::confirm());
  c.tls_established();
  c.receive(ScriptedServer::connect_response(13));  // rt-too-many-users
  EXPECT_EQ(c.outcome().kind, OutcomeKind::McsFailed);
  EXPECT_EQ(c.outcome().mcs_result, 13);
}

TEST_F(ConnectorTest, X509ChainOfTheSpecificationIsDecodedAndUsedForThePremaster) {
  connect_to_licensing();
  // [MS-RDPELE] 4.1: the License Request with the license server's 2-certificate chain.
  const auto message = testing::with_license_security_header(
      testing::load_hex_vector("rdpele/ms-rdpele-4.1-server-license-request.hex"));
  auto decoded = lic::LicensingPdu::decode(message);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  c.receive(ScriptedServer::io(message));
  auto payloads = ScriptedServer::send_data_payloads(c.take_output());
  ASSERT_EQ(payloads.size(), 1u);
  auto nlr = lic::LicensingPdu::decode(payloads[0]);
  ASSERT_TRUE(nlr.ok());
  EXPECT_EQ(std::get<lic::NewLicenseRequest>(nlr->message).encrypted_premaster_secret.data.size(),
            256u + 8u);
  const auto& cert = c.outcome().server_certificate;
  EXPECT_EQ(cert.kind, CertificateKind::X509Chain);
  ASSERT_EQ(cert.chain.size(), 2u);
  EXPECT_NE(cert.chain[1].issuer.find("RODENT"), std::string::npos);
  EXPECT_EQ(cert.key_bits, 2048u);
}

TEST(ConnectorNegotiation, Failures) {
  struct Case {
    std::vector<std::uint8_t> confirm;
    std::uint32_t code;
    bool nla;
  };
  const Case cases[] = {
      {testing::hex("03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 05 00 00 00"),
       wire::HYBRID_REQUIRED_BY_SERVER, true},
      {testing::hex("03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 02 00 00 00"),
       wire::SSL_NOT_ALLOWED_BY_SERVER, false},
      {testing::hex("03 00 00 0b 06 d0 00 00 12 34 00"), wire::SSL_NOT_ALLOWED_BY_SERVER,
       false},  // legacy
      {testing::hex("03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 00 00 00 00"),
       wire::SSL_NOT_ALLOWED_BY_SERVER, false},
  };
  for (const auto& tc : cases) {
    ClientConnector c(test_config());
    c.start();
    c.receive(tc.confirm);
    ASSERT_TRUE(c.done());
    EXPECT_EQ(c.outcome().kind, OutcomeKind::NegotiationFailure);
    EXPECT_EQ(c.outcome().negotiation_failure, tc.code);
    EXPECT_EQ(c.outcome().nla_required(), tc.nla);
  }
}

TEST(ConnectorRobustness, ByteAtATimeGivesTheSameOutcome) {
  testing::ScriptedServer server;
  std::vector<std::uint8_t> script;
  for (const auto& f :
       {ScriptedServer::connect_response(), ScriptedServer::attach_confirm(),
        ScriptedServer::join_confirm(1007), ScriptedServer::join_confirm(1003),
        ScriptedServer::error_alert(lic::STATUS_VALID_CLIENT, lic::ST_NO_TRANSITION),
        ScriptedServer::demand_active()}) {
    script.insert(script.end(), f.begin(), f.end());
  }
  ClientConnector c(test_config());
  c.start();
  c.receive(ScriptedServer::confirm());
  c.tls_established();
  for (std::uint8_t b : script) c.receive(std::span(&b, 1));
  EXPECT_EQ(c.outcome().kind, OutcomeKind::Licensed);
}

TEST(ConnectorRobustness, NonRdpPeersAreProtocolErrors) {
  for (const char* text :
       {"48 54 54 50 2f 31 2e 31 20 34 30 30", "16 03 01 00 2a", "03 00 00 02"}) {
    ClientConnector c(test_config());
    c.start();
    c.receive(testing::hex(text));
    ASSERT_TRUE(c.done()) << text;
    EXPECT_EQ(c.outcome().kind, OutcomeKind::ProtocolError) << text;
    EXPECT_FALSE(c.outcome().detail.empty());
  }
}

TEST(ConnectorRobustness, ClosedBeforeConfirmIsProtocolError) {
  ClientConnector c(test_config());
  c.start();
  c.connection_closed();
  EXPECT_EQ(c.outcome().kind, OutcomeKind::ProtocolError);
}

TEST(ClientIdentityTest, HardwareIdIsStableAndNameBound) {
  EXPECT_EQ(ClientIdentity::derive_hardware_id("HOST-A"),
            ClientIdentity::derive_hardware_id("HOST-A"));
  EXPECT_NE(ClientIdentity::derive_hardware_id("HOST-A"),
            ClientIdentity::derive_hardware_id("HOST-B"));
  EXPECT_EQ(ClientIdentity::for_machine("A-VERY-LONG-MACHINE-NAME").machine_name.size(), 15u);
}

}  // namespace
}  // namespace rdwarm::connector
