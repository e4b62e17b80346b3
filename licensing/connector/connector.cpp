#include "licensing/connector/connector.hpp"

#include <algorithm>
#include <utility>

#include "licensing/crypto/credssp_binding.hpp"
#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/random.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/client_info.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/security_header.hpp"
#include "licensing/wire/share.hpp"
#include "licensing/wire/x224.hpp"

namespace rdwarm::connector {

namespace lic = wire::lic;

namespace {
// A TPKT frame is at most 64 KiB; a peer that sends more without framing is not RDP.
constexpr std::size_t kMaxBufferedInput = 0x10000 + 16;
// A Connection Confirm is 11 or 19 bytes [MS-RDPBCGR 2.2.1.2]; leave room for unknown extensions.
constexpr std::size_t kMaxConfirmFrame = 64;

std::uint16_t user_data_flags(wire::Bytes user_data) {
  return user_data.size() >= 2 ? static_cast<std::uint16_t>(user_data[0] | (user_data[1] << 8)) : 0;
}
}  // namespace

ClientConnector::ClientConnector(ConnectorConfig config) : config_(std::move(config)) {
  if (!config_.random) {
    config_.random = [](std::span<std::uint8_t> out) { crypto::random_bytes(out); };
  }
}

Phase ClientConnector::phase() const {
  switch (state_) {
    case State::Idle:
    case State::WaitConfirm:
      return Phase::Negotiation;
    case State::WaitTls:
      return Phase::Tls;
    case State::WaitCredssp:
    case State::WaitEarlyAuthz:
      return Phase::Authentication;
    case State::WaitConnectResponse:
      return Phase::BasicSettings;
    case State::WaitAttachConfirm:
    case State::WaitJoinConfirm:
      return Phase::ChannelConnection;
    case State::WaitLicensing:
    case State::WaitPlatformChallenge:
    case State::WaitLicenseResult:
    case State::Draining:
      return Phase::Licensing;
    case State::WaitDemandActive:
      return Phase::Capabilities;
    case State::Done:
      return Phase::Done;
  }
  return Phase::Done;
}

bool ClientConnector::verdict_known() const {
  return state_ == State::WaitDemandActive || state_ == State::Draining;
}

std::vector<std::uint8_t> ClientConnector::take_output() {
  return std::exchange(output_, {});
}

void ClientConnector::start() {
  if (state_ != State::Idle) return;
  wire::ConnectionRequest cr;
  // With credentials, NLA too: HYBRID_EX adds the Early User Authorization Result, which tells an
  // account without the right to log on through RDS apart from a licensing problem.
  const std::uint32_t requested =
      config_.credentials ? wire::PROTOCOL_SSL | wire::PROTOCOL_HYBRID | wire::PROTOCOL_HYBRID_EX
                          : wire::PROTOCOL_SSL;
  cr.negotiation = wire::NegotiationRequest{0, requested};
  wire::Writer w(output_);
  cr.encode(w);
  state_ = State::WaitConfirm;
}

void ClientConnector::receive(wire::Bytes bytes) {
  if (state_ == State::Done) return;
  input_.insert(input_.end(), bytes.begin(), bytes.end());
  if (state_ == State::WaitCredssp) receive_credssp();
  if (state_ == State::WaitEarlyAuthz) receive_early_authorization();
  while (state_ != State::Done && state_ != State::WaitTls && state_ != State::WaitCredssp &&
         state_ != State::WaitEarlyAuthz) {
    auto length = wire::tpkt_frame_length(input_);
    if (!length) {
      protocol_error(length.error().message());
      return;
    }
    if (!length->has_value()) break;
    const std::size_t n = **length;
    if (state_ == State::WaitConfirm && n > kMaxConfirmFrame) {
      protocol_error("a " + std::to_string(n) +
                     "-byte TPKT frame cannot be an X.224 Connection Confirm (at most " +
                     std::to_string(kMaxConfirmFrame) + "): the peer does not speak RDP");
      return;
    }
    if (input_.size() < n) break;
    const std::vector<std::uint8_t> frame(input_.begin(),
                                          input_.begin() + static_cast<std::ptrdiff_t>(n));
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(n));
    process_frame(frame);
  }
  if (state_ != State::Done && input_.size() > kMaxBufferedInput) {
    protocol_error("more than 64 KiB buffered without a complete TPKT frame");
  }
}

void ClientConnector::process_frame(wire::Bytes frame) {
  if (state_ == State::WaitConfirm) {
    on_connection_confirm(frame);
    return;
  }
  auto x224 = wire::decode_x224_frame(frame);
  if (!x224) {
    protocol_error(x224.error().message());
    return;
  }
  if (x224->kind == wire::X224Frame::Kind::DisconnectRequest) {
    on_server_disconnect(std::nullopt);
    return;
  }
  if (state_ == State::WaitConnectResponse) {
    on_connect_response(x224->payload);
  } else {
    on_mcs(x224->payload);
  }
}

void ClientConnector::on_connection_confirm(wire::Bytes frame) {
  auto cc = wire::ConnectionConfirm::decode(frame);
  if (!cc) {
    // A Disconnect Request instead of a Confirm is a refusal, not garbage.
    if (auto x224 = wire::decode_x224_frame(frame);
        x224 && x224->kind == wire::X224Frame::Kind::DisconnectRequest) {
      outcome_.detail =
          "the server answered the connection request with an X.224 Disconnect Request";
      finish(OutcomeKind::NegotiationFailure);
      return;
    }
    protocol_error(cc.error().message());
    return;
  }
  if (const auto* fail = std::get_if<wire::NegotiationFailure>(&cc->negotiation)) {
    outcome_.negotiation_failure = fail->code;
    outcome_.detail = std::string(wire::negotiation_failure_name(fail->code));
    finish(OutcomeKind::NegotiationFailure);
    return;
  }
  const auto* rsp = std::get_if<wire::NegotiationResponse>(&cc->negotiation);
  const bool nla = rsp != nullptr && config_.credentials &&
                   (rsp->selected_protocol == wire::PROTOCOL_HYBRID ||
                    rsp->selected_protocol == wire::PROTOCOL_HYBRID_EX);
  if (rsp == nullptr || (rsp->selected_protocol != wire::PROTOCOL_SSL && !nla)) {
    // Legacy confirm or PROTOCOL_RDP: only Standard RDP Security (RC4), which rdwarm does not
    // speak.
    outcome_.negotiation_failure = wire::SSL_NOT_ALLOWED_BY_SERVER;
    outcome_.selected_protocol = rsp ? rsp->selected_protocol : wire::PROTOCOL_RDP;
    outcome_.detail = "the server offers only Standard RDP Security, not TLS";
    finish(OutcomeKind::NegotiationFailure);
    return;
  }
  selected_protocol_ = rsp->selected_protocol;
  outcome_.selected_protocol = selected_protocol_;
  state_ = State::WaitTls;
}

bool ClientConnector::nla_selected() const {
  return selected_protocol_ == wire::PROTOCOL_HYBRID ||
         selected_protocol_ == wire::PROTOCOL_HYBRID_EX;
}

void ClientConnector::tls_established(wire::Bytes server_certificate) {
  if (state_ != State::WaitTls) return;
  if (nla_selected()) {
    start_credssp(server_certificate);
    return;
  }
  send_connect_initial();
  receive({});  // frames that arrived with the handshake
}

void ClientConnector::start_credssp(wire::Bytes server_certificate) {
  state_ = State::WaitCredssp;
  auto key = crypto::credssp::subject_public_key(server_certificate);
  if (!key) {
    protocol_error("NLA needs the server's TLS public key: " + key.error().message());
    return;
  }
  auto context = config_.make_security_context
                     ? config_.make_security_context()
                     : auth::make_client_context(*config_.credentials, config_.nla);
  outcome_.auth_mechanism = std::string(context->mechanism());
  wire::credssp::ClientNonce nonce{};
  config_.random(nonce);
  credssp_ = std::make_unique<CredsspClient>(std::move(context), *config_.credentials,
                                             std::move(key).value(), nonce);
  auto first = credssp_->start();
  if (!first) {
    authentication_failed(first.error().message());
    return;
  }
  output_.insert(output_.end(), first->begin(), first->end());
  receive({});
}

void ClientConnector::receive_credssp() {
  while (state_ == State::WaitCredssp) {
    auto length = wire::credssp::ts_request_frame_length(input_);
    if (!length) {
      protocol_error("CredSSP: " + length.error().message());
      return;
    }
    if (!length->has_value()) return;
    const std::size_t n = **length;
    if (input_.size() < n) return;  // never cut past what arrived
    const std::vector<std::uint8_t> message(input_.begin(),
                                            input_.begin() + static_cast<std::ptrdiff_t>(n));
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(n));
    auto reply = credssp_->receive(message);
    outcome_.credssp_version = credssp_->version();
    outcome_.auth_mechanism = std::string(credssp_->mechanism());
    if (!reply) {
      outcome_.nla_error_code = credssp_->server_error();
      // A server's errorCode, or a token of ours refused, is about the account; anything else
      // (a token we cannot read, a pubKeyAuth that does not match) is the server's doing.
      if (credssp_->server_error() || credssp_->credentials_presented()) {
        authentication_failed(reply.error().message());
      } else {
        protocol_error(reply.error().message());
      }
      return;
    }
    output_.insert(output_.end(), reply->begin(), reply->end());
    if (credssp_->finished()) {
      if (selected_protocol_ == wire::PROTOCOL_HYBRID_EX) {
        state_ = State::WaitEarlyAuthz;
        receive_early_authorization();
      } else {
        send_connect_initial();
      }
    }
  }
}

void ClientConnector::receive_early_authorization() {
  constexpr auto n = wire::credssp::EarlyUserAuthorizationResult::kSize;
  if (state_ != State::WaitEarlyAuthz || input_.size() < n) return;
  const std::vector<std::uint8_t> bytes(input_.begin(), input_.begin() + n);
  input_.erase(input_.begin(), input_.begin() + n);
  auto result = wire::credssp::EarlyUserAuthorizationResult::decode(bytes);
  if (!result) {
    protocol_error(result.error().message());
    return;
  }
  outcome_.authorization_result = result->authorization_result;
  if (!result->success()) {
    const auto name = wire::credssp::authorization_result_name(result->authorization_result);
    authentication_failed(
        "Early User Authorization Result " +
        (name.empty() ? std::to_string(result->authorization_result) : std::string(name)) +
        ": the account authenticated but may not log on to this host through Remote Desktop "
        "Services (\"Allow log on through Remote Desktop Services\", Remote Desktop Users)");
    return;
  }
  send_connect_initial();
}

void ClientConnector::authentication_failed(std::string detail) {
  outcome_.detail = std::move(detail);
  finish(OutcomeKind::AuthenticationFailed);
}

void ClientConnector::send_connect_initial() {
  wire::ConferenceCreateRequest gcc;
  gcc.blocks.core.client_name = config_.identity.machine_name;
  gcc.blocks.core.server_selected_protocol = selected_protocol_;
  gcc.blocks.core.early_capability_flags = wire::RNS_UD_CS_SUPPORT_ERRINFO_PDU;
  gcc.blocks.network = wire::ClientNetworkData{};  // no static channels
  wire::ConnectInitial ci;
  ci.user_data = wire::encode_to_vector(gcc);
  const auto frame = wire::frame_connect_pdu(ci);
  output_.insert(output_.end(), frame.begin(), frame.end());
  state_ = State::WaitConnectResponse;
}

void ClientConnector::tls_failed(std::string detail) {
  if (state_ != State::WaitTls) return;
  outcome_.detail = std::move(detail);
  finish(OutcomeKind::TlsFailed);
}

void ClientConnector::on_connect_response(wire::Bytes mcs) {
  auto cr = wire::ConnectResponse::decode(mcs);
  if (!cr) {
    // A DPUM here means the server dropped us during the settings exchange.
    auto dpum = wire::decode_domain_pdu(mcs);
    if (dpum && std::holds_alternative<wire::DisconnectProviderUltimatum>(*dpum)) {
      on_server_disconnect(std::get<wire::DisconnectProviderUltimatum>(*dpum).reason);
      return;
    }
    protocol_error(cr.error().message());
    return;
  }
  if (cr->result != 0) {
    outcome_.mcs_result = cr->result;
    outcome_.detail =
        "MCS Connect-Response result " + std::string(wire::mcs_result_name(cr->result));
    finish(OutcomeKind::McsFailed);
    return;
  }
  auto gcc = wire::ConferenceCreateResponse::decode(cr->user_data);
  if (!gcc) {
    protocol_error(gcc.error().message());
    return;
  }
  io_channel_ = gcc->blocks.network.io_channel;
  channels_to_join_ = gcc->blocks.network.channel_ids;
  send_domain(wire::ErectDomainRequest{});
  send_domain(wire::AttachUserRequest{});
  state_ = State::WaitAttachConfirm;
}

void ClientConnector::join_next_channel() {
  // Join the user channel, the I/O channel, then any static channel the server listed.
  std::vector<std::uint16_t> order{user_channel_, io_channel_};
  order.insert(order.end(), channels_to_join_.begin(), channels_to_join_.end());
  if (next_join_ < order.size()) {
    send_domain(wire::ChannelJoinRequest{user_channel_, order[next_join_]});
    ++next_join_;
    state_ = State::WaitJoinConfirm;
    return;
  }
  // All joined: the Client Info starts licensing [MS-RDPELE 1.3.3]. Empty credentials, no
  // auto-logon: the probe must never start a user session.
  wire::ClientInfo info;
  send_io(wire::encode_to_vector(info));
  state_ = State::WaitLicensing;
}

void ClientConnector::on_mcs(wire::Bytes mcs) {
  auto pdu = wire::decode_domain_pdu(mcs);
  if (!pdu) {
    protocol_error(pdu.error().message());
    return;
  }
  if (const auto* dpum = std::get_if<wire::DisconnectProviderUltimatum>(&*pdu)) {
    on_server_disconnect(dpum->reason);
    return;
  }
  switch (state_) {
    case State::WaitAttachConfirm: {
      const auto* auc = std::get_if<wire::AttachUserConfirm>(&*pdu);
      if (auc == nullptr) {
        protocol_error("expected MCS Attach User Confirm, got " +
                       std::string(wire::domain_pdu_name(*pdu)));
        return;
      }
      if (auc->result != 0 || !auc->initiator) {
        outcome_.mcs_result = auc->result;
        outcome_.detail =
            "MCS Attach User Confirm result " + std::string(wire::mcs_result_name(auc->result));
        finish(OutcomeKind::McsFailed);
        return;
      }
      user_channel_ = *auc->initiator;
      join_next_channel();
      return;
    }
    case State::WaitJoinConfirm: {
      const auto* cjc = std::get_if<wire::ChannelJoinConfirm>(&*pdu);
      if (cjc == nullptr) {
        protocol_error("expected MCS Channel Join Confirm, got " +
                       std::string(wire::domain_pdu_name(*pdu)));
        return;
      }
      if (cjc->result != 0) {
        outcome_.mcs_result = cjc->result;
        outcome_.detail = "MCS Channel Join Confirm for channel " + std::to_string(cjc->requested) +
                          " result " + std::string(wire::mcs_result_name(cjc->result));
        finish(OutcomeKind::McsFailed);
        return;
      }
      join_next_channel();
      return;
    }
    default:
      break;
  }
  const auto* sdi = std::get_if<wire::SendDataIndication>(&*pdu);
  if (sdi == nullptr) {
    protocol_error("unexpected " + std::string(wire::domain_pdu_name(*pdu)) + " during " +
                   std::string(phase_name(phase())));
    return;
  }
  if (sdi->channel_id != io_channel_) return;  // message channel, auto-detect: not ours to answer
  on_io_data(sdi->user_data);
}

void ClientConnector::on_io_data(wire::Bytes user_data) {
  // With TLS, licensing PDUs carry a security header with SEC_LICENSE_PKT; everything else on
  // the I/O channel is a Share Control PDU without one [MS-RDPBCGR 2.2.8.1.1.2.1].
  if (!wire::looks_like_share_control(user_data) &&
      (user_data_flags(user_data) & wire::SEC_LICENSE_PKT) != 0) {
    on_licensing(user_data);
  } else {
    on_share(user_data);
  }
}

void ClientConnector::on_licensing(wire::Bytes user_data) {
  auto pdu = lic::LicensingPdu::decode(user_data);
  if (!pdu) {
    protocol_error(pdu.error().message());
    return;
  }
  outcome_.licensing_messages.push_back(pdu->msg_type());
  if (state_ == State::Draining || state_ == State::WaitDemandActive) return;  // late duplicates
  if (const auto* alert = std::get_if<lic::LicenseErrorMessage>(&pdu->message)) {
    on_error_alert(*alert);  // STATUS_VALID_CLIENT may replace any server message
    return;
  }
  if (const auto* req = std::get_if<lic::LicenseRequest>(&pdu->message);
      req && state_ == State::WaitLicensing) {
    on_license_request(*req);
  } else if (const auto* pc = std::get_if<lic::PlatformChallenge>(&pdu->message);
             pc && state_ == State::WaitPlatformChallenge) {
    on_platform_challenge(*pc);
  } else if (const auto* nl = std::get_if<lic::NewLicense>(&pdu->message);
             nl && state_ == State::WaitLicenseResult) {
    on_new_license(*nl);
  } else {
    protocol_error("unexpected licensing message " +
                   std::string(lic::name_of_msg_type(pdu->msg_type())) + " during " +
                   std::string(phase_name(phase())));
  }
}

void ClientConnector::on_license_request(const lic::LicenseRequest& request) {
  server_random_ = request.server_random;
  if (request.server_certificate.data.empty()) {
    // The spec falls back to the SC_SECURITY certificate, which TLS servers never send.
    protocol_error(
        "the License Request carries no server certificate to encrypt the premaster secret");
    return;
  }
  auto cert = crypto::decode_server_certificate(request.server_certificate.data);
  if (!cert) {
    protocol_error(cert.error().message());
    return;
  }
  auto& info = outcome_.server_certificate;
  info.kind = cert->kind == crypto::CertificateKind::X509Chain ? CertificateKind::X509Chain
                                                               : CertificateKind::Proprietary;
  info.temporary_bit = cert->temporary_bit;
  info.key_bits = cert->key.bits();
  info.chain = cert->chain;

  std::array<std::uint8_t, crypto::kPreMasterSecretSize> premaster{};
  config_.random(client_random_);
  config_.random(premaster);
  auto encrypted = crypto::encrypt_premaster_secret(cert->key, premaster);
  if (!encrypted) {
    protocol_error(encrypted.error().message());
    return;
  }
  keys_ = crypto::derive_licensing_keys(premaster, client_random_, server_random_);

  lic::NewLicenseRequest nlr;
  nlr.platform_id = config_.identity.platform_id;
  nlr.client_random = client_random_;
  nlr.encrypted_premaster_secret.data = std::move(encrypted).value();
  nlr.client_user_name = config_.identity.user_name;
  nlr.client_machine_name = config_.identity.machine_name;
  send_licensing(nlr);
  state_ = State::WaitPlatformChallenge;
}

void ClientConnector::on_platform_challenge(const lic::PlatformChallenge& challenge) {
  const auto plain = crypto::rc4(keys_.licensing_key, challenge.encrypted_platform_challenge.data);
  if (crypto::licensing_mac(keys_.mac_salt_key, plain) != challenge.mac_data) {
    protocol_error("the Platform Challenge MAC does not verify: the server derived other keys");
    return;
  }
  lic::PlatformChallengeResponseData data;
  data.challenge = plain;
  lic::ClientHardwareId hwid;
  hwid.platform_id = config_.identity.platform_id;
  hwid.data1 = config_.identity.hardware_id[0];
  hwid.data2 = config_.identity.hardware_id[1];
  hwid.data3 = config_.identity.hardware_id[2];
  hwid.data4 = config_.identity.hardware_id[3];
  const auto data_bytes = wire::encode_to_vector(data);
  const auto hwid_bytes = wire::encode_to_vector(hwid);
  std::vector<std::uint8_t> both(data_bytes);
  both.insert(both.end(), hwid_bytes.begin(), hwid_bytes.end());

  lic::PlatformChallengeResponse response;
  // Each field is RC4-encrypted from a fresh keystream with the same key: FreeRDP and IronRDP,
  // whose clients license against Windows, both start a new RC4 state per field.
  response.encrypted_challenge_response.data = crypto::rc4(keys_.licensing_key, data_bytes);
  response.encrypted_hwid.data = crypto::rc4(keys_.licensing_key, hwid_bytes);
  response.mac_data = crypto::licensing_mac(keys_.mac_salt_key, both);
  send_licensing(response);
  state_ = State::WaitLicenseResult;
}

void ClientConnector::on_new_license(const lic::NewLicense& license) {
  const auto plain = crypto::rc4(keys_.licensing_key, license.encrypted_license_info.data);
  if (crypto::licensing_mac(keys_.mac_salt_key, plain) != license.mac_data) {
    protocol_error("the New License MAC does not verify");
    return;
  }
  outcome_.licensed = license.upgrade ? LicensedKind::UpgradeLicense : LicensedKind::NewLicense;
  // The probe keeps no license: it is a stand-in for a first user and must look like one next time.
  state_ = State::WaitDemandActive;
}

void ClientConnector::on_error_alert(const lic::LicenseErrorMessage& alert) {
  if (alert.is_valid_client()) {
    outcome_.licensed = LicensedKind::ValidClient;
    state_ = State::WaitDemandActive;
    return;
  }
  outcome_.license_error_code = alert.error_code;
  outcome_.license_state_transition = alert.state_transition;
  state_ = State::Draining;  // Windows follows with Set Error Info and a disconnect: collect them
}

void ClientConnector::on_share(wire::Bytes user_data) {
  auto share = wire::decode_share_pdu(user_data);
  if (!share) {
    protocol_error(share.error().message());
    return;
  }
  switch (share->kind) {
    case wire::SharePdu::Kind::SetErrorInfo:
      if (share->error_info != wire::ERRINFO_NONE) outcome_.error_info = share->error_info;
      return;
    case wire::SharePdu::Kind::DemandActive:
      if (state_ == State::Draining) return;
      outcome_.demand_active = true;
      if (!outcome_.licensed)
        outcome_.licensed = LicensedKind::NotRequired;  // server skipped licensing
      finish(OutcomeKind::Licensed);
      return;
    default:
      return;  // Deactivate All and other data PDUs do not change the verdict
  }
}

void ClientConnector::on_server_disconnect(std::optional<std::uint8_t> reason) {
  if (state_ == State::Done) return;
  if (reason) outcome_.disconnect_reason = reason;
  finish_licensing_verdict();
}

void ClientConnector::finish_licensing_verdict() {
  switch (state_) {
    case State::Draining:
      finish(OutcomeKind::LicensingFailed);
      return;
    case State::WaitDemandActive:
      finish(OutcomeKind::Licensed);
      return;  // licensed, logon refused later
    case State::WaitTls:
      tls_failed("the server closed the connection instead of TLS");
      return;
    case State::WaitCredssp:
    case State::WaitEarlyAuthz:
      if (credssp_ && (credssp_->credentials_presented() || credssp_->finished())) {
        // CredSSP before version 3 has no errorCode: a refused logon is a closed connection.
        authentication_failed(
            "the server closed the connection after checking our credentials: the user name or "
            "password is probably wrong, or the account may not log on");
      } else {
        protocol_error("the server closed the connection during NLA (CredSSP)");
      }
      return;
    default:
      break;
  }
  if (state_ == State::WaitConfirm) {
    outcome_.detail = "the server closed the connection before the X.224 Connection Confirm";
    finish(OutcomeKind::ProtocolError);
    return;
  }
  const bool licensing_started = !outcome_.licensing_messages.empty();
  outcome_.detail = licensing_started ? "the server disconnected in the middle of licensing"
                                      : "the server disconnected before licensing";
  finish(licensing_started ? OutcomeKind::LicensingFailed
                           : OutcomeKind::DisconnectedBeforeLicensing);
}

void ClientConnector::connection_closed() {
  if (state_ == State::Done) return;
  on_server_disconnect(std::nullopt);
}

void ClientConnector::deadline_expired() {
  if (state_ == State::Done) return;
  if (verdict_known()) {
    finish_licensing_verdict();
    return;
  }
  outcome_.detail = "no answer from the server during " + std::string(phase_name(phase()));
  finish(OutcomeKind::Timeout);
}

void ClientConnector::send_domain(const wire::DomainPdu& pdu) {
  const auto frame = wire::frame_domain_pdu(pdu);
  output_.insert(output_.end(), frame.begin(), frame.end());
}

void ClientConnector::send_io(std::span<const std::uint8_t> user_data) {
  send_domain(wire::SendDataRequest{user_channel_, io_channel_, user_data});
}

void ClientConnector::send_licensing(const lic::LicensingMessage& message) {
  lic::LicensingPdu pdu;
  pdu.security = wire::BasicSecurityHeader{wire::SEC_LICENSE_PKT, 0};
  pdu.preamble.flags = lic::PREAMBLE_VERSION_3_0 | lic::EXTENDED_ERROR_MSG_SUPPORTED;
  pdu.message = message;
  outcome_.licensing_messages.push_back(pdu.msg_type());
  send_io(wire::encode_to_vector(pdu));
}

void ClientConnector::finish(OutcomeKind kind) {
  outcome_.kind = kind;
  outcome_.phase = phase();
  if (kind == OutcomeKind::Licensed) {
    // Leave politely: DPUM rn-user-requested, so the host frees the half-built session at once.
    send_domain(wire::DisconnectProviderUltimatum{wire::RN_USER_REQUESTED});
  }
  state_ = State::Done;
}

void ClientConnector::protocol_error(std::string detail) {
  outcome_.detail = std::move(detail);
  finish(OutcomeKind::ProtocolError);
}

}  // namespace rdwarm::connector
