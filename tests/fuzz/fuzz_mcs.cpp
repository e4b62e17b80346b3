// MCS: Connect-Initial / Connect-Response (BER) and the domain PDUs (PER), raw or inside an X.224
// Data frame. The tail of the input also builds domain PDUs that are encoded and decoded back.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/x224.hpp"

namespace {

using namespace rdwarm;
using fuzz::Bytes;

std::vector<std::uint8_t> encode_domain(const wire::DomainPdu& pdu) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  wire::encode_domain_pdu(w, pdu);
  FUZZ_CHECK_MSG(out.size() == wire::domain_pdu_size(pdu), std::string(wire::domain_pdu_name(pdu)));
  return out;
}

void check_domain_round_trip(const wire::DomainPdu& pdu) {
  const auto e1 = encode_domain(pdu);
  auto second = wire::decode_domain_pdu(e1);
  FUZZ_CHECK_MSG(second.ok(), second.ok() ? std::string() : second.error().message());
  FUZZ_CHECK(second->index() == pdu.index());
  FUZZ_CHECK(encode_domain(*second) == e1);
  // A framed PDU is an X.224 Data frame around the same bytes.
  const auto framed = wire::frame_domain_pdu(pdu);
  auto frame = wire::decode_x224_frame(framed);
  FUZZ_CHECK(frame.ok() && fuzz::to_vector(frame->payload) == e1);
}

void decode_mcs(Bytes mcs) {
  if (auto ci = wire::ConnectInitial::decode(mcs); ci.ok()) {
    fuzz::round_trip(*ci, wire::ConnectInitial::decode);
  }
  if (auto cr = wire::ConnectResponse::decode(mcs); cr.ok()) {
    (void)wire::mcs_result_name(cr->result);
    fuzz::round_trip(*cr, wire::ConnectResponse::decode);
  }
  if (auto pdu = wire::decode_domain_pdu(mcs); pdu.ok()) {
    (void)wire::domain_pdu_name(*pdu);
    if (const auto* dpum = std::get_if<wire::DisconnectProviderUltimatum>(&*pdu)) {
      (void)wire::dpum_reason_name(dpum->reason);
    }
    check_domain_round_trip(*pdu);
  }
}

// Every value a sender can put in a domain PDU must come back from the decoder unchanged.
void encode_decode(FuzzedDataProvider& p) {
  wire::DomainPdu pdu;
  std::vector<std::uint8_t> user_data;
  switch (p.ConsumeIntegralInRange<int>(0, 6)) {
    case 0: {
      wire::AttachUserConfirm m;
      m.result = p.ConsumeIntegral<std::uint8_t>();
      if (p.ConsumeBool()) m.initiator = p.ConsumeIntegral<std::uint16_t>();
      pdu = m;
      break;
    }
    case 1:
      pdu = wire::ChannelJoinRequest{p.ConsumeIntegral<std::uint16_t>(),
                                     p.ConsumeIntegral<std::uint16_t>()};
      break;
    case 2: {
      wire::ChannelJoinConfirm m;
      m.result = p.ConsumeIntegral<std::uint8_t>();
      m.initiator = p.ConsumeIntegral<std::uint16_t>();
      m.requested = p.ConsumeIntegral<std::uint16_t>();
      if (p.ConsumeBool()) m.channel_id = p.ConsumeIntegral<std::uint16_t>();
      pdu = m;
      break;
    }
    case 3:
    case 4: {
      const auto initiator = p.ConsumeIntegral<std::uint16_t>();
      const auto channel = p.ConsumeIntegral<std::uint16_t>();
      user_data = p.ConsumeBytes<std::uint8_t>(p.ConsumeIntegralInRange<std::size_t>(0, 0x3FFF));
      if (p.ConsumeBool()) {
        pdu = wire::SendDataRequest{initiator, channel, user_data};
      } else {
        pdu = wire::SendDataIndication{initiator, channel, user_data};
      }
      break;
    }
    case 5:
      // T.125 Reason is an ENUMERATED of five values (rn-domain-disconnected .. rn-channel-purged).
      pdu = wire::DisconnectProviderUltimatum{p.ConsumeIntegralInRange<std::uint8_t>(
          wire::RN_DOMAIN_DISCONNECTED, wire::RN_CHANNEL_PURGED)};
      break;
    default:
      pdu = wire::AttachUserRequest{};
      break;
  }
  const auto bytes = encode_domain(pdu);
  auto back = wire::decode_domain_pdu(bytes);
  FUZZ_CHECK_MSG(back.ok(), back.ok() ? std::string() : back.error().message());
  FUZZ_CHECK(back->index() == pdu.index());
  std::visit(
      [&](const auto& sent) {
        using T = std::decay_t<decltype(sent)>;
        const auto& got = std::get<T>(*back);
        if constexpr (std::is_same_v<T, wire::AttachUserConfirm>) {
          FUZZ_CHECK(got.result == sent.result && got.initiator == sent.initiator);
        } else if constexpr (std::is_same_v<T, wire::ChannelJoinRequest>) {
          FUZZ_CHECK(got.initiator == sent.initiator && got.channel_id == sent.channel_id);
        } else if constexpr (std::is_same_v<T, wire::ChannelJoinConfirm>) {
          FUZZ_CHECK(got.result == sent.result && got.initiator == sent.initiator &&
                     got.requested == sent.requested && got.channel_id == sent.channel_id);
        } else if constexpr (std::is_same_v<T, wire::SendDataRequest> ||
                             std::is_same_v<T, wire::SendDataIndication>) {
          FUZZ_CHECK(got.initiator == sent.initiator && got.channel_id == sent.channel_id);
          FUZZ_CHECK(fuzz::to_vector(got.user_data) == fuzz::to_vector(sent.user_data));
        } else if constexpr (std::is_same_v<T, wire::DisconnectProviderUltimatum>) {
          FUZZ_CHECK_MSG(got.reason == sent.reason, "sent reason " + std::to_string(sent.reason) +
                                                        ", decoded " + std::to_string(got.reason));
        }
      },
      pdu);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  decode_mcs(in);
  if (auto frame = wire::decode_x224_frame(in); frame.ok()) decode_mcs(frame->payload);
  FuzzedDataProvider provider(data, size);
  encode_decode(provider);
  return 0;
}
