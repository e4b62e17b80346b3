// Share Control PDUs around licensing (Demand Active, Deactivate All, Set Error Info). The input
// is decoded as a PDU, and its first bytes also build the PDUs the lab sends, which must decode
// back to what was encoded.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/share.hpp"

namespace {

using namespace rdwarm;
using fuzz::Bytes;

void decode(Bytes in) {
  (void)wire::looks_like_share_control(in);
  auto pdu = wire::decode_share_pdu(in);
  if (!pdu.ok()) return;
  FUZZ_CHECK(pdu->header.type() <= 0xF);
  if (pdu->kind == wire::SharePdu::Kind::SetErrorInfo) {
    const auto text = wire::error_info_text(pdu->error_info);
    FUZZ_CHECK(!text.name.empty());
  }
  if (pdu->kind == wire::SharePdu::Kind::DemandActive) {
    FUZZ_CHECK(pdu->demand_active.source_descriptor.find('\0') == std::string::npos);
  }
}

void encode_decode(FuzzedDataProvider& p) {
  wire::SetErrorInfoPdu sei;
  sei.share_id = p.ConsumeIntegral<std::uint32_t>();
  sei.error_info = p.ConsumeIntegral<std::uint32_t>();
  const auto sei_bytes = fuzz::encode_checked(sei);
  FUZZ_CHECK(wire::looks_like_share_control(sei_bytes));
  auto back = wire::decode_share_pdu(sei_bytes);
  FUZZ_CHECK(back.ok() && back->kind == wire::SharePdu::Kind::SetErrorInfo);
  FUZZ_CHECK(back->error_info == sei.error_info);

  wire::DemandActiveHeader da;
  da.share_id = p.ConsumeIntegral<std::uint32_t>();
  da.pdu_source = p.ConsumeIntegral<std::uint16_t>();
  da.source_descriptor = p.ConsumeRandomLengthString(64);
  const auto da_bytes = da.encode_minimal();
  FUZZ_CHECK(wire::looks_like_share_control(da_bytes));
  auto da_back = wire::decode_share_pdu(da_bytes);
  FUZZ_CHECK(da_back.ok() && da_back->kind == wire::SharePdu::Kind::DemandActive);
  FUZZ_CHECK(da_back->demand_active.share_id == da.share_id);
  FUZZ_CHECK(da_back->demand_active.number_capabilities == 1);
  FUZZ_CHECK(da_back->demand_active.pdu_source == (da.pdu_source == 0 ? 0x03EA : da.pdu_source));
  const std::string expected = da.source_descriptor.substr(0, da.source_descriptor.find('\0'));
  FUZZ_CHECK(da_back->demand_active.source_descriptor == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  decode(Bytes(data, size));
  FuzzedDataProvider provider(data, size);
  encode_decode(provider);
  return 0;
}
