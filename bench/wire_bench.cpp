// Wire codec micro-benchmarks: the PDUs the probe encodes and decodes on every connection.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench/bench_data.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/x224.hpp"

namespace {

using namespace rdwarm;
namespace lic = wire::lic;

// The client's MCS Connect-Initial exactly as ClientConnector::tls_established() builds it: the
// GCC Conference Create Request (CS_CORE, CS_SECURITY, CS_NET) inside Connect-Initial, framed in
// TPKT + X.224 Data.
void BM_EncodeConnectInitial(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    wire::ConferenceCreateRequest gcc;
    gcc.blocks.core.client_name = "VDI-HOST-042";
    gcc.blocks.core.server_selected_protocol = wire::PROTOCOL_SSL;
    gcc.blocks.core.early_capability_flags = wire::RNS_UD_CS_SUPPORT_ERRINFO_PDU;
    gcc.blocks.network = wire::ClientNetworkData{};
    wire::ConnectInitial ci;
    ci.user_data = wire::encode_to_vector(gcc);
    auto frame = wire::frame_connect_pdu(ci);
    bytes = frame.size();
    benchmark::DoNotOptimize(frame.data());
    benchmark::ClobberMemory();
  }
  state.counters["frame_bytes"] = static_cast<double>(bytes);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_EncodeConnectInitial);

// [MS-RDPBCGR] 4.1.4 Server MCS Connect-Response (337 bytes, TPKT included): X.224 Data frame,
// BER Connect-Response, GCC Conference Create Response with SC_CORE, SC_NET and SC_SECURITY
// (server random + 184-byte proprietary certificate).
void BM_DecodeConnectResponse(benchmark::State& state) {
  const auto frame = bench::load_hex("rdpbcgr/4.1.4-mcs-connect-response.hex");
  for (auto _ : state) {
    auto x224 = wire::decode_x224_frame(frame);
    if (!x224) {
      state.SkipWithError("X.224 frame does not decode");
      break;
    }
    auto cr = wire::ConnectResponse::decode(x224->payload);
    if (!cr) {
      state.SkipWithError("Connect-Response does not decode");
      break;
    }
    auto gcc = wire::ConferenceCreateResponse::decode(cr->user_data);
    if (!gcc) {
      state.SkipWithError("Conference Create Response does not decode");
      break;
    }
    benchmark::DoNotOptimize(gcc->blocks.network.io_channel);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
}
BENCHMARK(BM_DecodeConnectResponse);

// [MS-RDPELE] 4.1 SERVER_LICENSE_REQUEST (2200 bytes: preamble + message with a 2-certificate
// X.509 chain kept raw). Decodes the message body the way LicensingPdu::decode does after the
// security header and preamble; the certificate is parsed separately (crypto_bench).
void BM_DecodeLicenseRequest_Rdpele41(benchmark::State& state) {
  const auto bytes = bench::load_hex("rdpele/ms-rdpele-4.1-server-license-request.hex");
  const wire::Bytes all(bytes);
  const auto msg_type = bytes.at(0);
  const auto body = all.subspan(lic::Preamble::kSize);
  for (auto _ : state) {
    auto message = lic::LicensingPdu::decode_message(msg_type, body);
    if (!message || !std::holds_alternative<lic::LicenseRequest>(*message)) {
      state.SkipWithError("License Request does not decode");
      break;
    }
    benchmark::DoNotOptimize(
        std::get<lic::LicenseRequest>(*message).server_certificate.data.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_DecodeLicenseRequest_Rdpele41);

// The whole licensing PDU as xrdp 0.9 sends it (322 bytes: security header with junk flagsHi,
// preamble version 2, proprietary 512-bit certificate), through LicensingPdu::decode.
void BM_DecodeLicensingPdu_Xrdp09(benchmark::State& state) {
  const auto bytes = bench::load_hex("rdpele/xrdp-0.9-license-request.hex");
  for (auto _ : state) {
    auto pdu = lic::LicensingPdu::decode(bytes);
    if (!pdu || !std::holds_alternative<lic::LicenseRequest>(pdu->message)) {
      state.SkipWithError("xrdp License Request does not decode");
      break;
    }
    benchmark::DoNotOptimize(pdu->preamble.msg_size);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_DecodeLicensingPdu_Xrdp09);

}  // namespace
