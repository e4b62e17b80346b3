#include "lab/session_host/session_host_connection.hpp"

#include <algorithm>

#include "lab/session_host/activation_pdus.hpp"
#include "lab/session_host/licensing_policy.hpp"
#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/random.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/client_info.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/security_header.hpp"
#include "licensing/wire/share.hpp"
#include "licensing/wire/text.hpp"
#include "licensing/wire/x224.hpp"

namespace rdwarm::lab {

namespace lic = wire::lic;

namespace {

// MCS result codes [T.125 7 part 10].
constexpr std::uint8_t RT_SUCCESSFUL = 0;
constexpr std::uint8_t RT_NO_SUCH_CHANNEL = 3;
// A fast-path PDU's first byte has action 0 in its low two bits [MS-RDPBCGR 2.2.8.1.2]; a TPKT
// header starts with 3.
constexpr std::uint8_t FASTPATH_ACTION_MASK = 0x03;
// The challenge Windows encrypts: "TEST" in UTF-16 with its NUL [MS-RDPELE 4.3].
constexpr std::string_view kPlatformChallenge{"TEST\0", 5};
constexpr std::uint16_t kFirstStaticChannel = 1004;
// A TSRequest with NTLM is a few hundred bytes; the lab buffers no more than a TPKT frame's worth.
constexpr std::size_t kMaxTsRequest = 65535;

std::uint16_t security_flags(wire::Bytes user_data) {
  return user_data.size() >= 2 ? static_cast<std::uint16_t>(user_data[0] | (user_data[1] << 8)) : 0;
}

// Bytes of a fast-path PDU once its length is buffered; 0: need more.
std::size_t fastpath_length(wire::Bytes b) {
  if (b.size() < 2) return 0;
  if ((b[1] & 0x80) == 0) return b[1];
  if (b.size() < 3) return 0;
  return static_cast<std::size_t>(((b[1] & 0x7F) << 8) | b[2]);
}

}  // namespace

std::string_view host_phase_name(HostPhase phase) {
  switch (phase) {
    case HostPhase::Negotiation:
      return "negotiation";
    case HostPhase::Tls:
      return "tls";
    case HostPhase::Authentication:
      return "authentication";
    case HostPhase::BasicSettings:
      return "basic-settings";
    case HostPhase::ChannelConnection:
      return "channel-connection";
    case HostPhase::SecureSettings:
      return "secure-settings";
    case HostPhase::Licensing:
      return "licensing";
    case HostPhase::Capabilities:
      return "capabilities";
    case HostPhase::Finalization:
      return "finalization";
    case HostPhase::Active:
      return "active";
    case HostPhase::Stalled:
      return "stalled";
    case HostPhase::Closed:
      return "closed";
  }
  return "unknown";
}

SessionHostConnection::SessionHostConnection(ConnectionConfig config, HostServices& host)
    : config_(std::move(config)), host_(host) {
  if (!config_.random) {
    config_.random = [](std::span<std::uint8_t> out) { crypto::random_bytes(out); };
  }
}

HostPhase SessionHostConnection::phase() const {
  switch (state_) {
    case State::WaitConnectionRequest:
      return HostPhase::Negotiation;
    case State::WaitTls:
      return HostPhase::Tls;
    case State::WaitCredssp:
      return HostPhase::Authentication;
    case State::WaitConnectInitial:
      return HostPhase::BasicSettings;
    case State::WaitAttachUser:
      return HostPhase::ChannelConnection;
    case State::WaitClientInfo:
      return HostPhase::SecureSettings;
    case State::WaitClientLicense:
    case State::WaitChallengeResponse:
      return HostPhase::Licensing;
    case State::WaitConfirmActive:
      return HostPhase::Capabilities;
    case State::Finalization:
      return HostPhase::Finalization;
    case State::Active:
      return HostPhase::Active;
    case State::Stalled:
      return HostPhase::Stalled;
    case State::Closed:
      return HostPhase::Closed;
  }
  return HostPhase::Closed;
}

std::vector<std::uint8_t> SessionHostConnection::take_output() {
  std::vector<std::uint8_t> out;
  out.swap(output_);
  return out;
}

void SessionHostConnection::receive(wire::Bytes bytes) {
  if (state_ == State::Closed || state_ == State::Stalled) return;  // a stall hears nothing
  input_.insert(input_.end(), bytes.begin(), bytes.end());
  process_input();
}

void SessionHostConnection::process_input() {
  std::size_t at = 0;
  // Bytes that arrive before the TLS handshake is done stay buffered: they belong after it.
  while (state_ != State::Closed && state_ != State::Stalled && state_ != State::WaitTls &&
         at < input_.size()) {
    const wire::Bytes rest(input_.data() + at, input_.size() - at);
    if (state_ == State::WaitCredssp) {  // CredSSP messages are DER, without TPKT framing
      const std::size_t taken = take_ts_request(rest);
      if (taken == 0) break;
      at += taken;
      continue;
    }
    std::size_t length = 0;
    const bool after_licensing = state_ == State::WaitConfirmActive ||
                                 state_ == State::Finalization || state_ == State::Active;
    if (after_licensing && (rest[0] & FASTPATH_ACTION_MASK) == 0) {
      // Fast-path input (the client may use it once active): framed, then ignored.
      length = fastpath_length(rest);
      if (length == 0 && rest.size() >= 3) {
        close(CloseMode::Graceful, "fast-path PDU with length 0");
        break;
      }
      if (length == 0 || rest.size() < length) break;
      at += length;
      continue;
    }
    auto frame_length = wire::tpkt_frame_length(rest);
    if (!frame_length) {
      close(CloseMode::Graceful, "client sent a bad frame: " + frame_length.error().message());
      break;
    }
    if (!frame_length->has_value() || rest.size() < **frame_length) break;
    length = **frame_length;
    at += length;
    process_frame(rest.first(length));
  }
  if (state_ == State::Closed || state_ == State::Stalled) {
    input_.clear();
  } else {
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(at));
  }
}

void SessionHostConnection::process_frame(wire::Bytes frame) {
  if (state_ == State::WaitConnectionRequest) {
    on_connection_request(frame);
    return;
  }
  auto x224 = wire::decode_x224_frame(frame);
  if (!x224) {
    close(CloseMode::Graceful, "client sent a bad X.224 frame: " + x224.error().message());
    return;
  }
  if (x224->kind == wire::X224Frame::Kind::DisconnectRequest) {
    close(CloseMode::Graceful, "client sent an X.224 Disconnect Request");
    return;
  }
  if (state_ == State::WaitConnectInitial) {
    on_connect_initial(x224->payload);
  } else {
    on_domain_pdu(x224->payload);
  }
}

void SessionHostConnection::on_connection_request(wire::Bytes frame) {
  auto cr = wire::ConnectionRequest::decode(frame);
  if (!cr) {
    close(CloseMode::Graceful, "bad X.224 Connection Request: " + cr.error().message());
    return;
  }
  report_.requested_protocols = cr->negotiation ? cr->negotiation->requested_protocols : 0;
  if (stall_at(StallPoint::X224)) return;
  wire::ConnectionConfirm cc;
  const std::uint32_t requested = report_.requested_protocols;
  if (config_.nla_required) {
    // A host that requires NLA takes CredSSP, with the Early User Authorization Result when the
    // client offers it, and refuses a client that cannot authenticate first [MS-RDPBCGR
    // 3.3.5.3.1].
    if ((requested & wire::PROTOCOL_HYBRID_EX) != 0) {
      selected_protocol_ = wire::PROTOCOL_HYBRID_EX;
    } else if ((requested & wire::PROTOCOL_HYBRID) != 0) {
      selected_protocol_ = wire::PROTOCOL_HYBRID;
    } else {
      cc.negotiation = wire::NegotiationFailure{wire::HYBRID_REQUIRED_BY_SERVER};
      send_frame(wire::encode_to_vector(cc));
      close(CloseMode::Graceful, "NLA required (HYBRID_REQUIRED_BY_SERVER)");
      return;
    }
  } else if ((requested & wire::PROTOCOL_SSL) == 0) {
    cc.negotiation = wire::NegotiationFailure{wire::SSL_REQUIRED_BY_SERVER};
    send_frame(wire::encode_to_vector(cc));
    close(CloseMode::Graceful, "client did not offer TLS (SSL_REQUIRED_BY_SERVER)");
    return;
  } else {
    // Without NLA required the lab stays with TLS even when the client offers CredSSP: a client
    // with credentials for another host (or none the lab knows) still reaches licensing.
    selected_protocol_ = wire::PROTOCOL_SSL;
  }
  report_.selected_protocol = selected_protocol_;
  cc.negotiation =
      wire::NegotiationResponse{wire::EXTENDED_CLIENT_DATA_SUPPORTED, selected_protocol_};
  send_frame(wire::encode_to_vector(cc));
  if (stall_at(StallPoint::Tls)) return;
  state_ = State::WaitTls;
}

void SessionHostConnection::tls_established() {
  if (state_ != State::WaitTls) return;
  if (selected_protocol_ == wire::PROTOCOL_HYBRID ||
      selected_protocol_ == wire::PROTOCOL_HYBRID_EX) {
    if (stall_at(StallPoint::Nla)) return;
    credssp_ = make_lab_credssp(config_.nla, config_.tls_public_key, config_.random);
    state_ = State::WaitCredssp;
  } else {
    state_ = State::WaitConnectInitial;
  }
  if (!input_.empty()) process_input();
}

std::size_t SessionHostConnection::take_ts_request(wire::Bytes rest) {
  auto length = wire::credssp::ts_request_frame_length(rest);
  if (!length) {
    close(CloseMode::Graceful,
          "client sent no CredSSP TSRequest after NLA was selected: " + length.error().message());
    return 0;
  }
  // Incomplete: what is buffered so far counts against the limit.
  if ((length->has_value() ? **length : rest.size()) > kMaxTsRequest) {
    close(CloseMode::Graceful, "client's TSRequest is larger than 64 KiB");
    return 0;
  }
  // Belt and braces: never cut past what is buffered.
  if (!length->has_value() || **length > rest.size()) return 0;
  on_ts_request(rest.first(**length));
  return **length;
}

void SessionHostConnection::on_ts_request(wire::Bytes ts_request) {
  auto reply = credssp_.server->receive(ts_request);
  report_.credssp_version = credssp_.server->version();
  report_.nla_spnego = credssp_.spnego->spnego();
  report_.nla_user = credssp_.ntlm->user();
  report_.nla_domain = credssp_.ntlm->domain();
  if (!reply) {
    // Windows answers a refused logon with TSRequest.errorCode (version 3 on) and closes.
    const auto status = credssp_.server->refused_with();
    report_.nla_refused = status;
    if (!credssp_.server->refusal().empty()) send_frame(credssp_.server->refusal());
    // The status goes on the report (the log line's "refused ..."); the error says why.
    close(CloseMode::Graceful, "NLA logon refused: " + reply.error().message());
    return;
  }
  if (!reply->empty()) send_frame(*reply);
  if (credssp_.server->finished()) on_authenticated();
}

void SessionHostConnection::on_authenticated() {
  report_.nla_authenticated = true;
  if (selected_protocol_ == wire::PROTOCOL_HYBRID_EX) {
    // HYBRID_EX: right after CredSSP the server says whether the account may log on through
    // Remote Desktop Services [MS-RDPBCGR 2.2.10.2]; when not, it ends the connection there.
    const std::uint32_t result = config_.nla.remote_desktop_right
                                     ? wire::credssp::AUTHZ_SUCCESS
                                     : wire::credssp::AUTHZ_ACCESS_DENIED;
    send_frame(wire::encode_to_vector(wire::credssp::EarlyUserAuthorizationResult{result}));
    report_.authorization_result = result;
    if (result != wire::credssp::AUTHZ_SUCCESS) {
      close(CloseMode::Graceful,
            "NLA: the account may not log on through Remote Desktop Services "
            "(AUTHZ_ACCESS_DENIED)");
      return;
    }
  }
  state_ = State::WaitConnectInitial;
}

void SessionHostConnection::tls_failed(const std::string& detail) {
  if (state_ == State::Closed) return;
  close(CloseMode::Graceful, "TLS handshake failed: " + detail);
}

void SessionHostConnection::on_connect_initial(wire::Bytes mcs) {
  auto ci = wire::ConnectInitial::decode(mcs);
  if (!ci) {
    close(CloseMode::Graceful, "bad MCS Connect-Initial: " + ci.error().message());
    return;
  }
  auto gcc = wire::ConferenceCreateRequest::decode(ci->user_data);
  if (!gcc) {
    close(CloseMode::Graceful, "bad GCC Conference Create Request: " + gcc.error().message());
    return;
  }
  const auto& core = gcc->blocks.core;
  report_.client_name = core.client_name;
  if (core.server_selected_protocol != selected_protocol_) {
    // A mismatch means something rewrote the negotiation (a downgrade) [MS-RDPBCGR 3.3.5.3.3].
    close(CloseMode::Graceful, "CS_CORE serverSelectedProtocol " +
                                   std::to_string(core.server_selected_protocol) +
                                   " does not match the negotiated protocol");
    return;
  }
  errinfo_supported_ = (core.early_capability_flags & wire::RNS_UD_CS_SUPPORT_ERRINFO_PDU) != 0;
  if (core.desktop_width != 0 && core.desktop_height != 0) {
    desktop_width_ = core.desktop_width;
    desktop_height_ = core.desktop_height;
  }
  if (stall_at(StallPoint::Mcs)) return;
  if (malformed(MalformedPdu::ConnectResponse)) {
    // A Connect-Response tag with a BER length that runs past the frame.
    send_frame(wire::wrap_x224_data(std::vector<std::uint8_t>{0x7F, 0x66, 0x82, 0xFF, 0xF0, 0x0A}));
    state_ = State::Stalled;
    return;
  }

  wire::ConferenceCreateResponse response;
  response.blocks.core.client_requested_protocols = report_.requested_protocols;
  response.blocks.network.io_channel = kIoChannel;
  const std::size_t static_channels =
      gcc->blocks.network ? gcc->blocks.network->channels.size() : 0;
  for (std::size_t i = 0; i < static_channels; ++i) {
    const auto id = static_cast<std::uint16_t>(kFirstStaticChannel + i);
    response.blocks.network.channel_ids.push_back(id);
    joinable_.insert(id);
  }
  // Windows numbers the user channel after the static channels (1007 with mstsc's three).
  user_channel_ = static_cast<std::uint16_t>(
      std::max<std::size_t>(1007, kFirstStaticChannel + static_channels));
  joinable_.insert(user_channel_);
  joinable_.insert(kIoChannel);
  wire::ConnectResponse cr;
  cr.user_data = wire::encode_to_vector(response);
  send_frame(wire::frame_connect_pdu(cr));
  state_ = State::WaitAttachUser;
}

void SessionHostConnection::on_domain_pdu(wire::Bytes mcs) {
  auto pdu = wire::decode_domain_pdu(mcs);
  if (!pdu) {
    close(CloseMode::Graceful, "bad MCS PDU: " + pdu.error().message());
    return;
  }
  if (std::holds_alternative<wire::DisconnectProviderUltimatum>(*pdu)) {
    close(CloseMode::Graceful, "client disconnected (MCS Disconnect Provider Ultimatum)");
    return;
  }
  if (std::holds_alternative<wire::ErectDomainRequest>(*pdu) && state_ == State::WaitAttachUser) {
    return;
  }
  if (std::holds_alternative<wire::AttachUserRequest>(*pdu) && state_ == State::WaitAttachUser) {
    if (stall_at(StallPoint::Channels)) return;
    send_domain(wire::AttachUserConfirm{RT_SUCCESSFUL, user_channel_});
    state_ = State::WaitClientInfo;
    return;
  }
  if (const auto* join = std::get_if<wire::ChannelJoinRequest>(&*pdu);
      join && state_ == State::WaitClientInfo) {
    if (join->initiator != user_channel_ || joinable_.count(join->channel_id) == 0) {
      send_domain(wire::ChannelJoinConfirm{RT_NO_SUCH_CHANNEL, join->initiator, join->channel_id,
                                           std::nullopt});
      return;
    }
    send_domain(
        wire::ChannelJoinConfirm{RT_SUCCESSFUL, user_channel_, join->channel_id, join->channel_id});
    return;
  }
  if (const auto* sdr = std::get_if<wire::SendDataRequest>(&*pdu)) {
    if (sdr->channel_id != kIoChannel) return;  // static virtual channel data: not for the lab
    if (state_ == State::WaitAttachUser) {
      close(CloseMode::Graceful, "client sent data before attaching a user");
      return;
    }
    on_io_data(sdr->user_data);
    return;
  }
  close(CloseMode::Graceful, "unexpected MCS " + std::string(wire::domain_pdu_name(*pdu)) +
                                 " in phase " + std::string(host_phase_name(phase())));
}

void SessionHostConnection::on_io_data(wire::Bytes user_data) {
  switch (state_) {
    case State::WaitClientInfo:
      on_client_info(user_data);
      return;
    case State::WaitClientLicense:
    case State::WaitChallengeResponse:
      on_licensing(user_data);
      return;
    case State::WaitConfirmActive:
    case State::Finalization:
    case State::Active:
      on_share(user_data);
      return;
    default:
      close(CloseMode::Graceful, "unexpected data on the I/O channel");
      return;
  }
}

void SessionHostConnection::on_client_info(wire::Bytes user_data) {
  if ((security_flags(user_data) & wire::SEC_EXCHANGE_PKT) != 0) {
    close(CloseMode::Graceful, "client sent a Security Exchange PDU (standard RDP security)");
    return;
  }
  auto info = wire::ClientInfo::decode(user_data);
  if (!info) {
    close(CloseMode::Graceful, "bad Client Info: " + info.error().message());
    return;
  }
  report_.user_name = info->user_name;
  start_licensing();
}

void SessionHostConnection::start_licensing() {
  if (stall_at(StallPoint::Licensing)) return;
  if (!host_.licensing_required()) {
    // A personal terminal server needs no license: valid client at once [MS-RDPELE 3.2.5.2].
    send_licensing(lic::LicenseErrorMessage::valid_client());
    report_.verdict = VerdictKind::ValidClient;
    report_.verdict_reason = "no RDSH role: licensing not required";
    after_licensed();
    return;
  }
  credentials_ = host_.begin_licensing();
  report_.certificate_sent = credentials_->kind;
  config_.random(server_random_);
  lic::LicenseRequest request;
  request.server_random = server_random_;
  request.server_certificate.data = credentials_->server_certificate;
  if (malformed(MalformedPdu::LicenseRequest)) {
    // The License Request cut inside its ProductInfo: the preamble announces more than follows.
    lic::LicensingPdu pdu;
    pdu.preamble.flags = lic::PREAMBLE_VERSION_3_0;
    pdu.message = request;
    auto bytes = wire::encode_to_vector(pdu);
    bytes.resize(wire::BasicSecurityHeader::kSize + lic::Preamble::kSize + lic::RANDOM_SIZE + 10);
    send_io(bytes);
    state_ = State::Stalled;
    return;
  }
  send_licensing(request);
  state_ = State::WaitClientLicense;
  if (fault_is(FaultKind::ResetAfterLicenseRequest)) {
    close(CloseMode::Reset, "fault: reset after the License Request");
  }
}

void SessionHostConnection::on_licensing(wire::Bytes user_data) {
  if ((security_flags(user_data) & wire::SEC_LICENSE_PKT) == 0) {
    close(CloseMode::Graceful, "client sent a non-licensing PDU during licensing");
    return;
  }
  auto pdu = lic::LicensingPdu::decode(user_data);
  if (!pdu) {
    close(CloseMode::Graceful, "bad licensing PDU from the client: " + pdu.error().message());
    return;
  }
  if (const auto* alert = std::get_if<lic::LicenseErrorMessage>(&pdu->message)) {
    close(CloseMode::Graceful,
          "client ended licensing with " + std::string(lic::name_of_error_code(alert->error_code)));
    return;
  }
  if (state_ == State::WaitClientLicense) {
    if (const auto* nlr = std::get_if<lic::NewLicenseRequest>(&pdu->message)) {
      on_new_license_request(*nlr);
      return;
    }
    if (const auto* info = std::get_if<lic::LicenseInfo>(&pdu->message)) {
      on_license_info(*info);
      return;
    }
  } else if (const auto* r = std::get_if<lic::PlatformChallengeResponse>(&pdu->message)) {
    on_challenge_response(*r);
    return;
  }
  close(CloseMode::Graceful,
        "unexpected licensing message " + std::string(lic::name_of_msg_type(pdu->msg_type())));
}

bool SessionHostConnection::accept_premaster(const lic::Random& client_random,
                                             const lic::LicenseBinaryBlob& encrypted_premaster) {
  auto plain = credentials_->key->decrypt_le(encrypted_premaster.data);
  if (!plain || plain->size() < crypto::kPreMasterSecretSize) {
    close(CloseMode::Graceful, "cannot decrypt the premaster secret: " +
                                   (plain ? std::string("too short") : plain.error().message()));
    return false;
  }
  std::array<std::uint8_t, crypto::kPreMasterSecretSize> premaster{};
  std::copy_n(plain->begin(), premaster.size(), premaster.begin());
  keys_ = crypto::derive_licensing_keys(premaster, client_random, server_random_);
  return true;
}

void SessionHostConnection::on_new_license_request(const lic::NewLicenseRequest& request) {
  if (!accept_premaster(request.client_random, request.encrypted_premaster_secret)) return;
  client_.user_name = request.client_user_name;
  client_.machine_name = request.client_machine_name;
  client_.presented_license = false;
  report_.user_name = request.client_user_name;
  report_.machine_name = request.client_machine_name;
  send_platform_challenge();
}

void SessionHostConnection::on_license_info(const lic::LicenseInfo& info) {
  if (!accept_premaster(info.client_random, info.encrypted_premaster_secret)) return;
  // The stored license is checked the way the challenge response is: its hardware id must
  // decrypt under the new keys with a matching MAC [MS-RDPELE 3.2.5.3].
  const auto hwid = crypto::rc4(keys_.licensing_key, info.encrypted_hwid.data);
  if (crypto::licensing_mac(keys_.mac_salt_key, hwid) != info.mac_data) {
    report_.invalid_mac = true;
    const auto codes = invalid_mac_codes();
    fail_licensing(codes.license_error, codes.state_transition, codes.error_info);
    return;
  }
  client_.presented_license = true;
  // CLIENT_LICENSE_INFO names no machine: the CS_CORE client name stands in for it.
  client_.machine_name = report_.client_name;
  report_.machine_name = report_.client_name;
  send_platform_challenge();
}

void SessionHostConnection::send_platform_challenge() {
  if (stall_at(StallPoint::PlatformChallenge)) return;
  challenge_ = wire::utf16le_from_utf8(kPlatformChallenge);
  lic::PlatformChallenge pc;
  pc.encrypted_platform_challenge.data = crypto::rc4(keys_.licensing_key, challenge_);
  pc.mac_data = crypto::licensing_mac(keys_.mac_salt_key, challenge_);
  if (malformed(MalformedPdu::PlatformChallenge)) pc.mac_data[0] ^= 0xFF;
  send_licensing(pc);
  state_ = State::WaitChallengeResponse;
}

void SessionHostConnection::on_challenge_response(const lic::PlatformChallengeResponse& response) {
  const auto data = crypto::rc4(keys_.licensing_key, response.encrypted_challenge_response.data);
  const auto hwid = crypto::rc4(keys_.licensing_key, response.encrypted_hwid.data);
  std::vector<std::uint8_t> both(data);
  both.insert(both.end(), hwid.begin(), hwid.end());
  auto decoded = lic::PlatformChallengeResponseData::decode(data);
  auto hardware_id = lic::ClientHardwareId::decode(hwid);
  // A wrong MAC, or a response that does not echo the challenge, means the client does not hold
  // the licensing keys [MS-RDPELE 3.2.5.5].
  if (crypto::licensing_mac(keys_.mac_salt_key, both) != response.mac_data || !decoded ||
      !hardware_id || decoded->challenge != challenge_) {
    report_.invalid_mac = true;
    const auto codes = invalid_mac_codes();
    fail_licensing(codes.license_error, codes.state_transition, codes.error_info);
    return;
  }
  client_.hardware_id = *hardware_id;
  if (stall_at(StallPoint::LicenseVerdict)) return;
  send_verdict(host_.decide(client_));
}

void SessionHostConnection::send_verdict(const LicensingVerdict& verdict) {
  report_.verdict = verdict.kind;
  report_.verdict_reason = verdict.reason;
  switch (verdict.kind) {
    case VerdictKind::ValidClient:
      send_licensing(lic::LicenseErrorMessage::valid_client());
      after_licensed();
      return;
    case VerdictKind::NewLicense:
    case VerdictKind::UpgradeLicense: {
      lic::NewLicenseInfo info;
      info.license_info = verdict.license;
      const auto plain = wire::encode_to_vector(info);
      lic::NewLicense license;
      license.upgrade = verdict.kind == VerdictKind::UpgradeLicense;
      license.encrypted_license_info.data = crypto::rc4(keys_.licensing_key, plain);
      license.mac_data = crypto::licensing_mac(keys_.mac_salt_key, plain);
      send_licensing(license);
      after_licensed();
      return;
    }
    case VerdictKind::NoLicenseServer:
    case VerdictKind::InvalidClient: {
      const auto codes = failure_codes(verdict.kind);
      fail_licensing(codes.license_error, codes.state_transition, codes.error_info);
      return;
    }
  }
}

void SessionHostConnection::fail_licensing(std::uint32_t license_error, std::uint32_t transition,
                                           std::uint32_t error_info) {
  // Error alert, then Set Error Info, then the disconnect [MS-RDPELE 3.2.5.5; MS-RDPBCGR 2.2.5.1].
  lic::LicenseErrorMessage alert;
  alert.error_code = license_error;
  alert.state_transition = transition;
  if (config_.error_info_before_alert) send_error_info(error_info);
  send_licensing(alert);
  if (!config_.error_info_before_alert) send_error_info(error_info);
  disconnect("licensing failed: " + std::string(lic::name_of_error_code(license_error)));
}

void SessionHostConnection::after_licensed() {
  if (stall_at(StallPoint::DemandActive)) return;
  if (report_.nla_authenticated && !config_.nla.remote_desktop_right) {
    // Only with HYBRID (HYBRID_EX refused it before MCS): the account authenticated, licensing ran
    // as it does before any logon, and the logon itself is refused.
    report_.refused_logon = true;
    send_error_info(wire::ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES);
    disconnect("logon refused: the account may not log on through Remote Desktop Services");
    return;
  }
  const Admission admission = host_.admission();
  if (!admission.allowed) {
    // Licensing ran as it does before any logon; the logon itself is refused.
    report_.refused_logon = true;
    send_error_info(admission.error_info);
    disconnect("logon refused: " + admission.reason);
    return;
  }
  ServerDemandActive demand;
  demand.share_id = config_.share_id;
  demand.desktop_width = desktop_width_;
  demand.desktop_height = desktop_height_;
  send_io(wire::encode_to_vector(demand));
  state_ = State::WaitConfirmActive;
}

void SessionHostConnection::on_share(wire::Bytes user_data) {
  auto pdu = decode_client_share_pdu(user_data);
  if (!pdu) {
    close(CloseMode::Graceful, "bad Share Control PDU: " + pdu.error().message());
    return;
  }
  if (state_ == State::WaitConfirmActive) {
    if (pdu->pdu_type == wire::PDUTYPE_CONFIRMACTIVEPDU) state_ = State::Finalization;
    return;  // anything else before the Confirm Active is ignored
  }
  if (pdu->pdu_type != wire::PDUTYPE_DATAPDU) return;
  const std::uint32_t share = config_.share_id;
  switch (pdu->pdu_type2) {
    case PDUTYPE2_SYNCHRONIZE:
      send_io(encode_server_synchronize(share, user_channel_));
      return;
    case PDUTYPE2_CONTROL:
      if (pdu->control_action == CTRLACTION_COOPERATE) {
        send_io(encode_server_control(share, CTRLACTION_COOPERATE, 0, 0));
      } else if (pdu->control_action == CTRLACTION_REQUEST_CONTROL) {
        send_io(encode_server_control(share, CTRLACTION_GRANTED_CONTROL, user_channel_,
                                      kServerChannelId));
      }
      return;
    case PDUTYPE2_FONTLIST:
      // The Font Map is the last PDU of finalization: the session is active [MS-RDPBCGR 1.3.1.1].
      send_io(encode_server_font_map(share));
      if (state_ == State::Finalization) {
        state_ = State::Active;
        report_.activated = true;
      }
      return;
    case PDUTYPE2_SHUTDOWN_REQUEST:
      disconnect("client asked to shut down the session");
      return;
    default:
      return;  // input, refresh, suppress output, persistent key lists: nothing to do
  }
}

void SessionHostConnection::log_off(std::uint32_t error_info, std::string why) {
  send_error_info(error_info);
  disconnect(std::move(why));
}

void SessionHostConnection::connection_closed() {
  if (state_ == State::Closed) return;
  report_.end = report_.activated ? "client ended the session"
                                  : "client closed the connection in phase " +
                                        std::string(host_phase_name(phase()));
  state_ = State::Closed;
}

void SessionHostConnection::deadline_expired() {
  switch (state_) {
    case State::Closed:
      return;
    case State::Active:
      // The lab's sessions are short: log the user off when the hold time is over.
      log_off(wire::ERRINFO_RPC_INITIATED_DISCONNECT, "session hold time over");
      return;
    case State::Stalled:
      close(CloseMode::Graceful, fault_is(FaultKind::Stall)
                                     ? "stall fault at " +
                                           std::string(stall_point_name(config_.fault->stall)) +
                                           ": deadline reached"
                                     : "malformed-PDU fault: the client did not hang up");
      return;
    default:
      close(CloseMode::Graceful, "client silent in phase " + std::string(host_phase_name(phase())));
      return;
  }
}

bool SessionHostConnection::fault_is(FaultKind kind) const {
  return config_.fault && config_.fault->kind == kind;
}

bool SessionHostConnection::malformed(MalformedPdu pdu) const {
  return fault_is(FaultKind::Malformed) && config_.fault->malformed == pdu;
}

bool SessionHostConnection::stall_at(StallPoint point) {
  if (!fault_is(FaultKind::Stall) || config_.fault->stall != point) return false;
  state_ = State::Stalled;
  return true;
}

void SessionHostConnection::send_frame(const std::vector<std::uint8_t>& frame) {
  output_.insert(output_.end(), frame.begin(), frame.end());
}

void SessionHostConnection::send_domain(const wire::DomainPdu& pdu) {
  send_frame(wire::frame_domain_pdu(pdu));
}

void SessionHostConnection::send_io(std::span<const std::uint8_t> user_data) {
  send_domain(wire::SendDataIndication{kServerInitiator, kIoChannel, user_data});
}

void SessionHostConnection::send_licensing(const lic::LicensingMessage& message) {
  lic::LicensingPdu pdu;
  pdu.security = wire::BasicSecurityHeader{wire::SEC_LICENSE_PKT, 0};
  // Version 3 without EXTENDED_ERROR_MSG_SUPPORTED, as Windows servers send it.
  pdu.preamble.flags = lic::PREAMBLE_VERSION_3_0;
  pdu.message = message;
  send_io(wire::encode_to_vector(pdu));
}

void SessionHostConnection::send_error_info(std::uint32_t error_info) {
  // Only to clients that asked for it with RNS_UD_CS_SUPPORT_ERRINFO_PDU [MS-RDPBCGR 2.2.5.1].
  if (!errinfo_supported_ || error_info == wire::ERRINFO_NONE) return;
  send_io(wire::encode_to_vector(wire::SetErrorInfoPdu{config_.share_id, error_info}));
  report_.error_info_sent = error_info;
}

void SessionHostConnection::disconnect(std::string why) {
  send_domain(wire::DisconnectProviderUltimatum{wire::RN_PROVIDER_INITIATED});
  close(CloseMode::Graceful, std::move(why));
}

void SessionHostConnection::close(CloseMode mode, std::string why) {
  if (state_ == State::Closed) return;
  close_ = mode;
  report_.end = std::move(why);
  state_ = State::Closed;
}

}  // namespace rdwarm::lab
