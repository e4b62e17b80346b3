// The lab's server state machine (SessionHostConnection) against a hostile client. Seeds are not
// needed: the target records once, at start, what the probe's client state machine sends through a
// whole session against it (fixed randoms on both sides make that transcript replay exactly), adds
// a scripted finalization, fast-path input and a disconnect, and then lets the fuzzer corrupt it.
//
// Input: control byte, parameter byte, then the body.
//   control bits 0-1: how the session ends: 0 connection_closed(), 1 deadline_expired(),
//                     2 deadline then closed, 3 closed then deadline
//   control bit 2:    the body is the client's byte stream itself; otherwise it is a list of
//                     edits (u16 offset, u8 xor) applied to the recorded transcript
//   control bits 3-5: the scenario's fault: none, reset after the License Request, stall (the
//                     parameter picks the point), malformed (the parameter picks the PDU)
//   control bit 6:    the host refuses the logon (drain)
//   control bit 7:    NLA required
//   parameter:        the verdict (low 3 bits; 5: no RDSH role, licensing not required; bit 0 also
//                     sends Set Error Info before the alert), the stall point / malformed PDU
//                     (bits 3-5), and
//                     the chunking of the client stream (bits 6-7: whole, 1-byte, 7-byte, frames)
// Checked on every run:
//   - the server writes only whole TPKT frames (with NLA also whole TSRequests and the Early
//     User Authorization Result), and every frame decodes: a Connection Confirm
//     first, then MCS Connect-Response and domain PDUs whose Send Data Indications carry
//     licensing PDUs or Share Control PDUs the project's own decoders accept (except the PDU a
//     malformed-PDU fault breaks on purpose);
//   - once the server asked to close, it says nothing more;
//   - after connection_closed() the machine is Closed; a deadline in any phase ends the
//     connection or (once active) logs the session off;
//   - the unedited transcript reaches the active state (so edits explore a real session).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "lab/license_server/proprietary_signing.hpp"
#include "lab/session_host/activation_pdus.hpp"
#include "lab/session_host/host_rsa_key.hpp"
#include "lab/session_host/session_host_connection.hpp"
#include "licensing/connector/connector.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/share.hpp"
#include "licensing/wire/x224.hpp"

namespace {

using namespace rdwarm;
using fuzz::Bytes;
using lab::HostPhase;
using lab::SessionHostConnection;

void fixed(std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(0x33 + 7 * i);
}

class FuzzHost : public lab::HostServices {
 public:
  FuzzHost() {
    static const auto key = lab::HostRsaKey::generate(512);
    auto c = std::make_shared<lab::LicensingCredentials>();
    c->server_certificate = lab::signed_proprietary_certificate(key->public_key());
    c->key = key;
    credentials_ = c;
  }
  lab::VerdictKind verdict = lab::VerdictKind::ValidClient;
  bool rdsh = true;
  bool refuse = false;

  [[nodiscard]] bool licensing_required() const override { return rdsh; }
  std::shared_ptr<const lab::LicensingCredentials> begin_licensing() override {
    return credentials_;
  }
  lab::LicensingVerdict decide(const lab::ClientLicensingFacts&) override {
    return {verdict, {0x30, 0x00}, "fuzz"};
  }
  lab::Admission admission() override {
    if (refuse) return {false, 7, "fuzz"};
    return {};
  }

 private:
  std::shared_ptr<const lab::LicensingCredentials> credentials_;
};

std::vector<std::uint8_t> share_data(std::uint8_t type2,
                                     std::initializer_list<std::uint16_t> body) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u16le(static_cast<std::uint16_t>(18 + 2 * body.size()));
  w.u16le(wire::TS_PROTOCOL_VERSION | wire::PDUTYPE_DATAPDU);
  w.u16le(1007);
  w.u32le(lab::kDefaultShareId);
  w.u8(0);
  w.u8(1);
  w.u16le(static_cast<std::uint16_t>(2 * body.size() + 4));
  w.u8(type2);
  w.u8(0);
  w.u16le(0);
  for (auto v : body) w.u16le(v);
  return wire::frame_domain_pdu(wire::SendDataRequest{1007, 1003, out});
}

// What a client sends in a whole session against the lab: the probe up to its Demand Active,
// then Confirm Active, finalization, fast-path input, and a goodbye.
const std::vector<std::uint8_t>& transcript() {
  static const std::vector<std::uint8_t> bytes = [] {
    FuzzHost host;
    lab::ConnectionConfig config;
    config.random = fixed;
    SessionHostConnection server(config, host);
    connector::ConnectorConfig cc;
    cc.identity = connector::ClientIdentity::for_machine("FUZZ");
    cc.random = fixed;
    connector::ClientConnector client(cc);
    client.start();
    std::vector<std::uint8_t> sent;
    for (int round = 0; round < 100; ++round) {
      auto out = client.take_output();
      if (out.size() == 9 && out[7] == 0x21) break;  // the probe's goodbye DPUM: stop before it
      sent.insert(sent.end(), out.begin(), out.end());
      server.receive(out);
      if (client.wants_tls() && server.wants_tls()) {
        server.tls_established();
        client.tls_established();
      }
      client.receive(server.take_output());
      if (client.done() && !client.has_output()) break;
    }
    std::vector<std::uint8_t> confirm;
    wire::Writer w(confirm);
    w.u16le(20);
    w.u16le(wire::TS_PROTOCOL_VERSION | wire::PDUTYPE_CONFIRMACTIVEPDU);
    w.u16le(1007);
    w.u32le(lab::kDefaultShareId);
    w.u16le(0x03EA);
    w.u16le(0);
    w.u16le(4);
    w.u16le(0);
    w.u16le(0);
    for (const auto& frame :
         {wire::frame_domain_pdu(wire::SendDataRequest{1007, 1003, confirm}),
          share_data(lab::PDUTYPE2_SYNCHRONIZE, {1, 0x03EA}),
          share_data(lab::PDUTYPE2_CONTROL, {lab::CTRLACTION_COOPERATE, 0, 0, 0}),
          share_data(lab::PDUTYPE2_CONTROL, {lab::CTRLACTION_REQUEST_CONTROL, 0, 0, 0}),
          share_data(lab::PDUTYPE2_FONTLIST, {0, 0, 3, 0x32}),
          std::vector<std::uint8_t>{0x04, 0x06, 0x01, 0x00, 0x00, 0x1e},
          std::vector<std::uint8_t>{0x04, 0x80, 0x08, 0x01, 0x00, 0x00, 0x1e, 0x00},
          share_data(lab::PDUTYPE2_SHUTDOWN_REQUEST, {}),
          wire::frame_domain_pdu(wire::DisconnectProviderUltimatum{wire::RN_USER_REQUESTED})}) {
      sent.insert(sent.end(), frame.begin(), frame.end());
    }
    return sent;
  }();
  return bytes;
}

struct OutputChecker {
  std::size_t frames = 0;
  bool malformed_connect_response = false;
  bool malformed_license_request = false;
  bool nla_selected = false;  // the Confirm chose HYBRID or HYBRID_EX: CredSSP follows TLS
  bool credssp_seen = false;
  bool authorization_seen = false;

  void check(const std::vector<std::uint8_t>& out) {
    std::size_t at = 0;
    while (at < out.size()) {
      const Bytes rest(out.data() + at, out.size() - at);
      // With NLA the server also writes DER TSRequests and, with HYBRID_EX, the 4-byte Early User
      // Authorization Result: neither is TPKT-framed.
      if (nla_selected && rest[0] == 0x30) {
        auto n = wire::credssp::ts_request_frame_length(rest);
        FUZZ_CHECK(n.ok() && n->has_value());
        FUZZ_CHECK(wire::credssp::TsRequest::decode(rest.first(**n)).ok());
        credssp_seen = true;
        at += **n;
        continue;
      }
      if (nla_selected && credssp_seen && !authorization_seen && rest[0] != 0x03) {
        FUZZ_CHECK(rest.size() >= 4);
        FUZZ_CHECK(wire::credssp::EarlyUserAuthorizationResult::decode(rest.first(4)).ok());
        authorization_seen = true;
        at += 4;
        continue;
      }
      auto length = wire::tpkt_frame_length(rest);
      FUZZ_CHECK(length.ok() && length->has_value() && **length <= rest.size());
      const Bytes frame = rest.first(**length);
      at += **length;
      if (frames++ == 0) {
        auto cc = wire::ConnectionConfirm::decode(frame);
        FUZZ_CHECK(cc.ok());
        if (const auto* rsp = std::get_if<wire::NegotiationResponse>(&cc->negotiation)) {
          nla_selected = rsp->selected_protocol == wire::PROTOCOL_HYBRID ||
                         rsp->selected_protocol == wire::PROTOCOL_HYBRID_EX;
        }
        continue;
      }
      auto x224 = wire::decode_x224_frame(frame);
      FUZZ_CHECK(x224.ok() && x224->kind == wire::X224Frame::Kind::Data);
      if (frames == 2) {
        if (malformed_connect_response) continue;
        auto cr = wire::ConnectResponse::decode(x224->payload);
        FUZZ_CHECK_MSG(cr.ok(), cr.ok() ? std::string() : cr.error().message());
        FUZZ_CHECK(wire::ConferenceCreateResponse::decode(cr->user_data).ok());
        continue;
      }
      auto pdu = wire::decode_domain_pdu(x224->payload);
      FUZZ_CHECK_MSG(pdu.ok(), pdu.ok() ? std::string() : pdu.error().message());
      const auto* sdi = std::get_if<wire::SendDataIndication>(&*pdu);
      if (sdi == nullptr) continue;  // Attach User / Channel Join Confirm, DPUM
      const auto flags =
          sdi->user_data.size() >= 2 ? (sdi->user_data[0] | (sdi->user_data[1] << 8)) : 0;
      if (!wire::looks_like_share_control(sdi->user_data) && (flags & wire::SEC_LICENSE_PKT) != 0) {
        if (malformed_license_request) continue;
        auto lic = wire::lic::LicensingPdu::decode(sdi->user_data);
        FUZZ_CHECK_MSG(lic.ok(), lic.ok() ? std::string() : lic.error().message());
      } else {
        auto share = wire::decode_share_pdu(sdi->user_data);
        FUZZ_CHECK_MSG(share.ok(), share.ok() ? std::string() : share.error().message());
      }
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t control = data[0];
  const std::uint8_t param = data[1];
  const Bytes body(data + 2, size - 2);

  std::vector<std::uint8_t> stream;
  if ((control & 0x04) != 0) {
    stream.assign(body.begin(), body.end());
  } else {
    stream = transcript();
    for (std::size_t i = 0; i + 3 <= body.size(); i += 3) {
      const std::size_t offset = static_cast<std::size_t>(body[i] | (body[i + 1] << 8));
      if (offset < stream.size()) stream[offset] ^= body[i + 2];
    }
  }

  FuzzHost host;
  static constexpr lab::VerdictKind kVerdicts[] = {
      lab::VerdictKind::ValidClient, lab::VerdictKind::NewLicense, lab::VerdictKind::UpgradeLicense,
      lab::VerdictKind::NoLicenseServer, lab::VerdictKind::InvalidClient};
  host.verdict = kVerdicts[(param & 0x07) % 5];
  host.rdsh = (param & 0x07) != 5;
  host.refuse = (control & 0x40) != 0;
  lab::ConnectionConfig config;
  config.random = fixed;
  config.nla_required = (control & 0x80) != 0;
  config.error_info_before_alert = (param & 0x01) != 0;
  OutputChecker checker;
  const int fault = (control >> 3) & 0x07;
  const int choice = (param >> 3) & 0x07;
  if (fault >= 1 && fault <= 3) {
    lab::FaultScenario f;
    f.kind = fault == 1   ? lab::FaultKind::ResetAfterLicenseRequest
             : fault == 2 ? lab::FaultKind::Stall
                          : lab::FaultKind::Malformed;
    f.stall = static_cast<lab::StallPoint>(choice);
    f.malformed = static_cast<lab::MalformedPdu>(choice % 3);
    config.fault = f;
    checker.malformed_connect_response =
        fault == 3 && f.malformed == lab::MalformedPdu::ConnectResponse;
    checker.malformed_license_request =
        fault == 3 && f.malformed == lab::MalformedPdu::LicenseRequest;
  }
  SessionHostConnection server(config, host);

  std::vector<std::uint8_t> all;
  auto drain = [&] {
    const bool closing = server.wants_close() != SessionHostConnection::CloseMode::None;
    auto out = server.take_output();
    all.insert(all.end(), out.begin(), out.end());
    return closing;
  };
  bool closed_before = false;
  const int chunking = param >> 6;
  std::size_t at = 0;
  while (at < stream.size()) {
    std::size_t n = stream.size() - at;
    if (chunking == 1) n = 1;
    if (chunking == 2) n = std::min<std::size_t>(7, n);
    server.receive(Bytes(stream.data() + at, n));
    at += n;
    if (server.wants_tls()) server.tls_established();
    const bool closing = drain();
    if (closed_before)
      FUZZ_CHECK_MSG(all.size() == 0 || !server.has_output(), "output after close");
    if (closing && !closed_before) {
      closed_before = true;
      const std::size_t before = all.size();
      server.receive(Bytes(stream.data(), std::min<std::size_t>(stream.size(), 64)));
      server.deadline_expired();
      drain();
      FUZZ_CHECK_MSG(all.size() == before, "the server spoke after asking to close");
      break;
    }
  }
  switch (control & 0x03) {
    case 0:
      server.connection_closed();
      break;
    case 1:
      server.deadline_expired();
      break;
    case 2:
      server.deadline_expired();
      server.connection_closed();
      break;
    default:
      server.connection_closed();
      server.deadline_expired();
      break;
  }
  drain();
  const auto phase = server.phase();
  if ((control & 0x03) != 1) FUZZ_CHECK(phase == HostPhase::Closed);
  if ((control & 0x03) == 1)
    FUZZ_CHECK(phase == HostPhase::Closed ||
               server.wants_close() != SessionHostConnection::CloseMode::None);
  checker.check(all);
  // The unedited transcript is a whole session: it must get all the way to the active state.
  const bool clean = (control & 0x04) == 0 && body.size() < 3 && fault == 0 &&
                     host.verdict == lab::VerdictKind::ValidClient && host.rdsh && !host.refuse &&
                     !config.nla_required;
  if (clean) FUZZ_CHECK_MSG(server.report().activated, server.report().end);
  FUZZ_CHECK(!server.report().end.empty() || phase != HostPhase::Closed);
  return 0;
}
