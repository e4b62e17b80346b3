// The client side of the RDP connection sequence up to the Demand Active, as a sans-IO state
// machine (the shape of IronRDP's ironrdp-connector): it consumes server bytes, produces client
// bytes, asks its driver for the TLS upgrade, and ends in one Outcome. It knows no socket and no
// clock, so every state is testable with byte vectors; the driver (licensing/probe) times phases.
//
// Sequence [MS-RDPBCGR 1.3.1.1, MS-RDPELE 1.3.3]: X.224 CR(SSL) -> CC -> TLS -> [NLA: CredSSP,
// Early User Authorization Result with HYBRID_EX (credssp_client.hpp)] -> MCS Connect-Initial
// -> Connect-Response -> Erect Domain, Attach User -> Confirm -> Channel Joins -> Client Info ->
// License Request -> New License Request -> Platform Challenge -> Challenge Response -> New/Upgrade
// License or STATUS_VALID_CLIENT (or an error alert, Set Error Info, disconnect) -> Demand Active.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "licensing/auth/client_context.hpp"
#include "licensing/auth/credentials.hpp"
#include "licensing/auth/security_context.hpp"
#include "licensing/connector/client_identity.hpp"
#include "licensing/connector/credssp_client.hpp"
#include "licensing/connector/outcome.hpp"
#include "licensing/crypto/licensing_keys.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/reader.hpp"

namespace rdwarm::connector {

struct ConnectorConfig {
  ClientIdentity identity;
  // Source of the client random and premaster secret; tests inject a fixed one.
  std::function<void(std::span<std::uint8_t>)> random;
  // NLA: with credentials the connector also offers HYBRID and HYBRID_EX and runs CredSSP when the
  // server picks one. The security context comes from make_security_context when set (tests),
  // else from auth::make_client_context with `nla` (SSPI on Windows, NTLM in SPNEGO elsewhere).
  std::optional<auth::Credentials> credentials;
  auth::ClientContextOptions nla;
  std::function<std::unique_ptr<auth::SecurityContext>()> make_security_context;
};

class ClientConnector {
 public:
  explicit ClientConnector(ConnectorConfig config);

  // Queues the X.224 Connection Request. Call once, after the TCP connection is up.
  void start();
  // Server bytes, in any chunking. Complete TPKT frames are processed at once.
  void receive(wire::Bytes bytes);
  // The driver finished the TLS handshake that wants_tls() asked for. `server_certificate` is the
  // server's certificate (DER); NLA binds to its public key, so it is required when the server
  // selected HYBRID.
  void tls_established(wire::Bytes server_certificate = {});
  // The TLS handshake failed; detail is OpenSSL's reason.
  void tls_failed(std::string detail);
  // The server closed the connection (EOF or reset).
  void connection_closed();
  // The current phase ran out of time. After a licensing verdict this finalises it (a server that
  // does not disconnect after an error alert, or never sends Demand Active), else it is a Timeout.
  void deadline_expired();

  // Client bytes to send now; empties the queue.
  std::vector<std::uint8_t> take_output();
  [[nodiscard]] bool has_output() const { return !output_.empty(); }
  [[nodiscard]] bool wants_tls() const { return state_ == State::WaitTls; }
  [[nodiscard]] bool done() const { return state_ == State::Done; }
  [[nodiscard]] Phase phase() const;
  // Valid once done().
  [[nodiscard]] const Outcome& outcome() const { return outcome_; }
  // True after a licensing verdict while the connector waits for Set Error Info / disconnect
  // (failure) or Demand Active (success): the driver may use a shorter grace deadline.
  [[nodiscard]] bool verdict_known() const;

 private:
  enum class State {
    Idle,
    WaitConfirm,
    WaitTls,
    WaitCredssp,     // NLA: TSRequests
    WaitEarlyAuthz,  // HYBRID_EX: the 4-byte Early User Authorization Result
    WaitConnectResponse,
    WaitAttachConfirm,
    WaitJoinConfirm,
    WaitLicensing,          // Client Info sent; no licensing message yet
    WaitPlatformChallenge,  // New License Request sent
    WaitLicenseResult,      // Challenge Response sent
    WaitDemandActive,       // licensed
    Draining,               // licensing failed: collecting Set Error Info and the disconnect
    Done,
  };

  void process_frame(wire::Bytes frame);
  void receive_credssp();
  void receive_early_authorization();
  void start_credssp(wire::Bytes server_certificate);
  void authentication_failed(std::string detail);
  void send_connect_initial();
  [[nodiscard]] bool nla_selected() const;
  void on_connection_confirm(wire::Bytes frame);
  void on_mcs(wire::Bytes mcs);
  void on_connect_response(wire::Bytes mcs);
  void on_io_data(wire::Bytes user_data);
  void on_licensing(wire::Bytes user_data);
  void on_license_request(const wire::lic::LicenseRequest& request);
  void on_platform_challenge(const wire::lic::PlatformChallenge& challenge);
  void on_new_license(const wire::lic::NewLicense& license);
  void on_error_alert(const wire::lic::LicenseErrorMessage& alert);
  void send_licensing(const wire::lic::LicensingMessage& message);
  void on_share(wire::Bytes user_data);
  void on_server_disconnect(std::optional<std::uint8_t> reason);
  void join_next_channel();
  void send_domain(const wire::DomainPdu& pdu);
  void send_io(std::span<const std::uint8_t> user_data);
  void finish(OutcomeKind kind);
  void protocol_error(std::string detail);
  void finish_licensing_verdict();

  ConnectorConfig config_;
  State state_ = State::Idle;
  Outcome outcome_;
  std::vector<std::uint8_t> input_;
  std::vector<std::uint8_t> output_;

  std::uint32_t selected_protocol_ = 0;
  std::uint16_t io_channel_ = 0;
  std::uint16_t user_channel_ = 0;
  std::vector<std::uint16_t> channels_to_join_;
  std::size_t next_join_ = 0;

  std::unique_ptr<CredsspClient> credssp_;

  std::array<std::uint8_t, 32> client_random_{};
  std::array<std::uint8_t, 32> server_random_{};
  crypto::LicensingKeys keys_{};
};

}  // namespace rdwarm::connector
