// The server side of one RDP connection as a sans-IO state machine: client bytes in, server bytes
// out, and requests to its driver (start TLS, close, reset). It knows no socket and no clock; the
// driver (lab_server) does the I/O and calls deadline_expired() when a phase runs out of time.
//
// Sequence [MS-RDPBCGR 1.3.1.1, MS-RDPELE 1.3.3, 3.2.5]: X.224 Connection Request -> Confirm
// (SSL; with NLA required HYBRID_EX or HYBRID, or HYBRID_REQUIRED_BY_SERVER for a client that
// offers neither) -> TLS -> [NLA: CredSSP TSRequests (MS-CSSP 3.2.5), then with HYBRID_EX the
// Early User Authorization Result (MS-RDPBCGR 2.2.10.2)] -> MCS Connect-Initial ->
// Connect-Response with channel ids -> Erect Domain, Attach User -> Confirm -> Channel Joins ->
// Client Info -> License Request (proprietary certificate or X.509 chain) -> New License Request
// (or License Info) -> Platform Challenge -> Challenge Response, decrypted and its MAC checked ->
// the host's verdict -> Demand Active -> Confirm Active -> finalization -> active session.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lab/scenario/scenario.hpp"
#include "lab/session_host/host_services.hpp"
#include "lab/session_host/nla_acceptor.hpp"
#include "licensing/crypto/licensing_keys.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/reader.hpp"

namespace rdwarm::lab {

struct ConnectionConfig {
  bool nla_required = false;
  // With nla_required: the account and answers of the scenario's [nla], and the SubjectPublicKey
  // of the lab's TLS certificate, to which CredSSP binds the logon (LabServer fills it in).
  NlaScenario nla;
  std::vector<std::uint8_t> tls_public_key;
  // Set Error Info before the licensing error alert instead of after it (see HostScenario).
  bool error_info_before_alert = false;
  // The fault this connection suffers, if the scenario's fault hits it.
  std::optional<FaultScenario> fault;
  std::uint32_t share_id = 0x000103EA;
  // Server random and any other random bytes; tests inject fixed ones. Default: OpenSSL's DRBG.
  std::function<void(std::span<std::uint8_t>)> random;
};

// Where the connection is, for the driver's deadlines and the log.
enum class HostPhase {
  Negotiation,        // waiting for the X.224 Connection Request
  Tls,                // Connection Confirm sent, TLS handshake
  Authentication,     // NLA: CredSSP
  BasicSettings,      // waiting for MCS Connect-Initial
  ChannelConnection,  // Erect Domain, Attach User, Channel Joins
  SecureSettings,     // waiting for the Client Info
  Licensing,          // License Request sent, exchange running
  Capabilities,       // Demand Active sent, waiting for Confirm Active
  Finalization,       // Synchronize / Control / Font List
  Active,             // the session is up; the driver's deadline is the session hold
  Stalled,            // a stall fault: answers nothing until the deadline
  Closed,
};
std::string_view host_phase_name(HostPhase phase);

// What happened on the connection, for the lab's log and statistics.
struct ConnectionReport {
  std::string client_name;   // CS_CORE clientName
  std::string user_name;     // ClientUserName from licensing (or the Client Info's user name)
  std::string machine_name;  // ClientMachineName
  std::uint32_t requested_protocols = 0;
  std::optional<crypto::CertificateKind> certificate_sent;
  std::optional<VerdictKind> verdict;
  std::string verdict_reason;
  bool invalid_mac = false;
  std::optional<std::uint32_t> error_info_sent;
  bool refused_logon = false;
  bool activated = false;
  // NLA: the user and domain the client's NTLM AUTHENTICATE named (also when refused), whether
  // its tokens came in SPNEGO or bare, the CredSSP version both used, the NTSTATUS of a refused
  // logon, the Early User Authorization Result sent (HYBRID_EX). Never a password.
  std::optional<std::uint32_t> selected_protocol;
  std::string nla_user;
  std::string nla_domain;
  std::optional<bool> nla_spnego;
  std::optional<std::uint32_t> credssp_version;
  bool nla_authenticated = false;
  std::optional<std::uint32_t> nla_refused;
  std::optional<std::uint32_t> authorization_result;
  std::string end;  // why it ended, e.g. "client disconnected", "NLA required"
};

class SessionHostConnection {
 public:
  enum class CloseMode { None, Graceful, Reset };

  SessionHostConnection(ConnectionConfig config, HostServices& host);

  // Client bytes, in any chunking.
  void receive(wire::Bytes bytes);
  // The TLS handshake that wants_tls() asked for finished.
  void tls_established();
  void tls_failed(const std::string& detail);
  // The client closed the connection.
  void connection_closed();
  // The current phase ran out of time: drops a silent client, ends a stall, and logs an active
  // session off (its hold time is over).
  void deadline_expired();

  // Server bytes to send now; empties the queue.
  std::vector<std::uint8_t> take_output();
  [[nodiscard]] bool has_output() const { return !output_.empty(); }
  [[nodiscard]] bool wants_tls() const { return state_ == State::WaitTls; }
  // After the output is written: close, or reset (RST), the connection.
  [[nodiscard]] CloseMode wants_close() const { return close_; }
  [[nodiscard]] HostPhase phase() const;
  [[nodiscard]] const ConnectionReport& report() const { return report_; }

  static constexpr std::uint16_t kIoChannel = wire::MCS_GLOBAL_CHANNEL_ID;  // 1003
  // The server's own MCS user id, the initiator of Send Data Indications [MS-RDPBCGR 4.1.12].
  static constexpr std::uint16_t kServerInitiator = wire::MCS_USER_ID_BASE + 1;  // 1002

 private:
  enum class State {
    WaitConnectionRequest,
    WaitTls,
    WaitCredssp,  // NLA: TSRequests
    WaitConnectInitial,
    WaitAttachUser,     // Erect Domain allowed before it
    WaitClientInfo,     // channel joins, then the Client Info
    WaitClientLicense,  // License Request sent
    WaitChallengeResponse,
    WaitConfirmActive,
    Finalization,
    Active,
    Stalled,
    Closed,
  };

  void process_input();
  void process_frame(wire::Bytes frame);
  void on_connection_request(wire::Bytes frame);
  // Returns the bytes of `rest` it consumed (0: wait for more).
  std::size_t take_ts_request(wire::Bytes rest);
  void on_ts_request(wire::Bytes ts_request);
  void on_authenticated();
  void on_connect_initial(wire::Bytes mcs);
  void on_domain_pdu(wire::Bytes mcs);
  void on_io_data(wire::Bytes user_data);
  void on_client_info(wire::Bytes user_data);
  void on_licensing(wire::Bytes user_data);
  void on_new_license_request(const wire::lic::NewLicenseRequest& request);
  void on_license_info(const wire::lic::LicenseInfo& info);
  void on_challenge_response(const wire::lic::PlatformChallengeResponse& response);
  void on_share(wire::Bytes user_data);
  void start_licensing();
  bool accept_premaster(const wire::lic::Random& client_random,
                        const wire::lic::LicenseBinaryBlob& encrypted_premaster);
  void send_platform_challenge();
  void send_verdict(const LicensingVerdict& verdict);
  void fail_licensing(std::uint32_t license_error, std::uint32_t transition,
                      std::uint32_t error_info);
  void after_licensed();
  void log_off(std::uint32_t error_info, std::string why);

  bool stall_at(StallPoint point);
  [[nodiscard]] bool fault_is(FaultKind kind) const;
  [[nodiscard]] bool malformed(MalformedPdu pdu) const;

  void send_frame(const std::vector<std::uint8_t>& frame);
  void send_domain(const wire::DomainPdu& pdu);
  void send_io(std::span<const std::uint8_t> user_data);
  void send_licensing(const wire::lic::LicensingMessage& message);
  void send_error_info(std::uint32_t error_info);
  void disconnect(std::string why);  // DPUM, then close
  void close(CloseMode mode, std::string why);

  ConnectionConfig config_;
  HostServices& host_;
  State state_ = State::WaitConnectionRequest;
  CloseMode close_ = CloseMode::None;
  ConnectionReport report_;
  std::vector<std::uint8_t> input_;
  std::vector<std::uint8_t> output_;

  std::uint32_t selected_protocol_ = 0;
  LabCredssp credssp_;
  bool errinfo_supported_ = false;
  std::uint16_t desktop_width_ = 1024, desktop_height_ = 768;
  std::uint16_t user_channel_ = 1007;
  std::set<std::uint16_t> joinable_;  // user, I/O and static channels

  std::shared_ptr<const LicensingCredentials> credentials_;
  wire::lic::Random server_random_{};
  crypto::LicensingKeys keys_{};
  std::vector<std::uint8_t> challenge_;  // plaintext platform challenge
  ClientLicensingFacts client_;
};

}  // namespace rdwarm::lab
