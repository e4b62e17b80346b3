// The client state machine against a hostile server: the input (after two control bytes, see
// connector_harness.hpp) is everything the server sends, cut into chunks. The fuzzer plays the
// server after TLS too (wants_tls() is answered at once). Checked on every run:
//   - the connector always ends (done()) after connection_closed() / deadline_expired();
//   - done() <=> phase() == Done; a finished connector never asks for TLS again;
//   - outcome().kind and outcome().phase are valid enum values, and phase is where it ended;
//   - everything the client sends is well-formed: the Connection Request, then X.224 Data frames
//     with the Connect-Initial (and its GCC request) and domain PDUs whose Send Data Requests
//     carry the Client Info and then licensing PDUs;
//   - every licensing message the client sends is recorded in outcome().licensing_messages;
//   - the only Disconnect Provider Ultimatum is the goodbye of a Licensed outcome, sent last;
//   - once done() and drained, no call produces output or changes the outcome.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "connector_harness.hpp"
#include "fuzz_common.hpp"
#include "licensing/connector/connector.hpp"
#include "licensing/wire/client_info.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/x224.hpp"

namespace {

using namespace rdwarm;
using connector::ClientConnector;
using connector::OutcomeKind;
using connector::Phase;
using fuzz::Bytes;

void check_state(const ClientConnector& c) {
  FUZZ_CHECK(c.done() == (c.phase() == Phase::Done));
  FUZZ_CHECK(static_cast<int>(c.phase()) >= 0 &&
             static_cast<int>(c.phase()) < connector::kPhaseCount);
  if (c.done()) {
    FUZZ_CHECK(!c.wants_tls());
    FUZZ_CHECK(!c.verdict_known());
    const auto& o = c.outcome();
    const int kind = static_cast<int>(o.kind);
    FUZZ_CHECK(kind >= static_cast<int>(OutcomeKind::Refused) &&
               kind <= static_cast<int>(OutcomeKind::ProtocolError));
    FUZZ_CHECK(connector::outcome_kind_name(o.kind) != "Unknown");
    FUZZ_CHECK(o.phase != Phase::Done && o.phase != Phase::TcpConnect);
    if (o.kind == OutcomeKind::Licensed) FUZZ_CHECK(o.licensed.has_value());
    if (o.demand_active) FUZZ_CHECK(o.kind == OutcomeKind::Licensed);
  }
}

// Checks everything the client sent, frame by frame.
void check_client_stream(const std::vector<std::uint8_t>& out, const connector::Outcome& outcome,
                         bool done) {
  std::size_t pos = 0;
  std::size_t index = 0;
  std::size_t send_data = 0;
  std::size_t licensing_seen = 0;  // position in outcome.licensing_messages
  bool goodbye = false;
  while (pos < out.size()) {
    FUZZ_CHECK_MSG(!goodbye, "output after the goodbye DPUM");
    const Bytes rest(out.data() + pos, out.size() - pos);
    auto length = wire::tpkt_frame_length(rest);
    FUZZ_CHECK(length.ok() && length->has_value() && **length <= rest.size());
    const Bytes frame = rest.first(**length);
    pos += **length;
    if (index++ == 0) {
      auto cr = wire::ConnectionRequest::decode(frame);
      FUZZ_CHECK(cr.ok() && cr->negotiation.has_value());
      FUZZ_CHECK(cr->negotiation->requested_protocols == wire::PROTOCOL_SSL);
      continue;
    }
    auto x224 = wire::decode_x224_frame(frame);
    FUZZ_CHECK(x224.ok() && x224->kind == wire::X224Frame::Kind::Data);
    if (index == 2) {
      auto ci = wire::ConnectInitial::decode(x224->payload);
      FUZZ_CHECK_MSG(ci.ok(), ci.ok() ? std::string() : ci.error().message());
      auto gcc = wire::ConferenceCreateRequest::decode(ci->user_data);
      FUZZ_CHECK_MSG(gcc.ok(), gcc.ok() ? std::string() : gcc.error().message());
      continue;
    }
    auto pdu = wire::decode_domain_pdu(x224->payload);
    FUZZ_CHECK_MSG(pdu.ok(), pdu.ok() ? std::string() : pdu.error().message());
    if (const auto* dpum = std::get_if<wire::DisconnectProviderUltimatum>(&*pdu)) {
      FUZZ_CHECK(outcome.kind == OutcomeKind::Licensed && done);
      FUZZ_CHECK(dpum->reason == wire::RN_USER_REQUESTED);
      goodbye = true;
      continue;
    }
    if (const auto* sdr = std::get_if<wire::SendDataRequest>(&*pdu)) {
      if (send_data++ == 0) {
        auto info = wire::ClientInfo::decode(sdr->user_data);
        FUZZ_CHECK_MSG(info.ok(), info.ok() ? std::string() : info.error().message());
        FUZZ_CHECK(info->password.empty() && (info->flags & wire::INFO_AUTOLOGON) == 0);
        continue;
      }
      auto lic = wire::lic::LicensingPdu::decode(sdr->user_data);
      FUZZ_CHECK_MSG(lic.ok(), lic.ok() ? std::string() : lic.error().message());
      // Client messages appear in outcome.licensing_messages in the order they were sent.
      const auto& seen = outcome.licensing_messages;
      while (licensing_seen < seen.size() && seen[licensing_seen] != lic->msg_type())
        ++licensing_seen;
      FUZZ_CHECK_MSG(licensing_seen < seen.size(), "sent licensing message not in the outcome");
      ++licensing_seen;
      continue;
    }
    FUZZ_CHECK(std::holds_alternative<wire::ErectDomainRequest>(*pdu) ||
               std::holds_alternative<wire::AttachUserRequest>(*pdu) ||
               std::holds_alternative<wire::ChannelJoinRequest>(*pdu));
  }
  if (done && outcome.kind == OutcomeKind::Licensed) FUZZ_CHECK_MSG(goodbye, "no goodbye DPUM");
}

class Session {
 public:
  explicit Session(std::uint8_t control) : control_(control), c_(make_config()) {}

  static connector::ConnectorConfig make_config() {
    connector::ConnectorConfig config;
    config.identity = connector::ClientIdentity::for_machine("FUZZ");
    config.random = fuzz::fixed_random;
    return config;
  }

  // Runs after every call into the connector.
  void after_call() {
    check_state(c_);
    if (c_.wants_tls()) {
      if ((control_ & fuzz::kTlsFails) != 0) {
        c_.tls_failed("fuzz: handshake failed");
      } else {
        c_.tls_established();
      }
      check_state(c_);
    }
    if ((control_ & fuzz::kGraceDeadline) != 0 && c_.verdict_known()) {
      c_.deadline_expired();
      check_state(c_);
      FUZZ_CHECK(c_.done());
    }
    if ((control_ & fuzz::kOutputAtEnd) == 0) drain();
    if (c_.done()) {
      if (!done_seen_) {
        done_seen_ = true;
        final_kind_ = c_.outcome().kind;
        final_detail_ = c_.outcome().detail;
      }
      FUZZ_CHECK(c_.outcome().kind == final_kind_ && c_.outcome().detail == final_detail_);
    }
  }

  void drain() {
    const bool had_output = c_.has_output();
    auto out = c_.take_output();
    FUZZ_CHECK(out.empty() != had_output);
    FUZZ_CHECK(!c_.has_output());
    if (!out.empty()) {
      // Nothing after done() except what the finishing call itself queued (the goodbye).
      FUZZ_CHECK_MSG(!drained_after_done_, "output after done() was drained");
      sent_.insert(sent_.end(), out.begin(), out.end());
    }
    if (c_.done()) drained_after_done_ = true;
  }

  void run(Bytes server, std::uint8_t split) {
    c_.start();
    after_call();
    c_.start();  // a second start() is a no-op
    FUZZ_CHECK(!c_.has_output() || (control_ & fuzz::kOutputAtEnd) != 0);
    after_call();

    std::uint32_t state = 0x9E3779B9u ^ split;
    std::size_t pos = 0;
    while (pos < server.size()) {
      std::size_t n = server.size() - pos;
      if (split != 0) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        n = std::min<std::size_t>(n, 1 + state % (8u * split));
      }
      c_.receive(server.subspan(pos, n));
      pos += n;
      after_call();
    }
    // The server is silent now: the driver's timer fires or the peer hangs up.
    switch (control_ & fuzz::kEndMask) {
      case 0:
        c_.connection_closed();
        break;
      case 1:
        c_.deadline_expired();
        break;
      case 2:
        c_.deadline_expired();
        after_call();
        c_.connection_closed();
        break;
      default:
        c_.connection_closed();
        after_call();
        c_.deadline_expired();
        break;
    }
    after_call();
    FUZZ_CHECK(c_.done());
    drain();

    // A finished connector ignores everything.
    const std::uint8_t late[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00};
    c_.receive(late);
    c_.tls_established();
    c_.tls_failed("late");
    c_.connection_closed();
    c_.deadline_expired();
    c_.start();
    after_call();
    FUZZ_CHECK(!c_.has_output());
    check_client_stream(sent_, c_.outcome(), c_.done());
    if (std::getenv("RDWARM_FUZZ_VERBOSE") != nullptr) {
      const auto& o = c_.outcome();
      std::fprintf(stderr, "outcome %s in %s: %s (licensing messages: %zu, client bytes: %zu)\n",
                   std::string(connector::outcome_kind_name(o.kind)).c_str(),
                   std::string(connector::phase_name(o.phase)).c_str(), o.detail.c_str(),
                   o.licensing_messages.size(), sent_.size());
    }
  }

 private:
  std::uint8_t control_;
  ClientConnector c_;
  std::vector<std::uint8_t> sent_;
  bool done_seen_ = false;
  bool drained_after_done_ = false;
  OutcomeKind final_kind_ = OutcomeKind::ProtocolError;
  std::string final_detail_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < fuzz::kConnectorHeaderSize) return 0;
  Session session(data[0]);
  session.run(Bytes(data + fuzz::kConnectorHeaderSize, size - fuzz::kConnectorHeaderSize), data[1]);
  return 0;
}
