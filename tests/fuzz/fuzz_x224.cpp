// TPKT framing and the X.224 TPDUs: Connection Request/Confirm and Data/Disconnect frames.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "licensing/wire/x224.hpp"

namespace {

using namespace rdwarm;
using fuzz::Bytes;

void check_tpkt_length(Bytes in) {
  auto length = wire::tpkt_frame_length(in);
  if (!length.ok()) return;
  if (!length->has_value()) {
    FUZZ_CHECK(in.size() < wire::TPKT_HEADER_SIZE);
    return;
  }
  FUZZ_CHECK(in.size() >= wire::TPKT_HEADER_SIZE);
  FUZZ_CHECK(**length >= wire::TPKT_HEADER_SIZE + 3 && **length <= 0xFFFF);
}

void check_frame(Bytes in) {
  auto frame = wire::decode_x224_frame(in);
  if (!frame.ok()) return;
  if (frame->kind == wire::X224Frame::Kind::DisconnectRequest) {
    FUZZ_CHECK(frame->payload.empty());
    return;
  }
  // The payload is a view into the frame, after the 7 header bytes.
  FUZZ_CHECK(frame->payload.size() + wire::x224_data_overhead() == in.size());
  FUZZ_CHECK(frame->payload.data() == in.data() + wire::x224_data_overhead());
  const auto wrapped = wire::wrap_x224_data(frame->payload);
  auto again = wire::decode_x224_frame(wrapped);
  FUZZ_CHECK(again.ok() && again->kind == wire::X224Frame::Kind::Data);
  FUZZ_CHECK(fuzz::to_vector(again->payload) == fuzz::to_vector(frame->payload));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  check_tpkt_length(in);
  check_frame(in);
  if (auto cr = wire::ConnectionRequest::decode(in); cr.ok()) {
    fuzz::round_trip(*cr, wire::ConnectionRequest::decode);
  }
  if (auto cc = wire::ConnectionConfirm::decode(in); cc.ok()) {
    if (const auto* fail = std::get_if<wire::NegotiationFailure>(&cc->negotiation)) {
      (void)wire::negotiation_failure_name(fail->code);
    }
    fuzz::round_trip(*cc, wire::ConnectionConfirm::decode);
  }
  return 0;
}
