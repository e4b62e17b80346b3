// The whole client state machine (ClientConnector, sans IO) against canned server byte scripts:
// everything rdwarm computes per probe except the socket, TLS and process start-up.
//   Xrdp09:            what xrdp 0.9 sends: License Request (proprietary 512-bit certificate) ->
//                      New License Request -> STATUS_VALID_CLIENT -> Demand Active.
//   WindowsNewLicense: the full MS-RDPELE exchange with the spec's 4.1 License Request (X.509
//                      chain, 2048-bit key) -> New License Request -> Platform Challenge ->
//                      Challenge Response -> New License -> Demand Active.
// The client's randomness is a fixed counter, so the server's encrypted frames can be canned.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bench/bench_data.hpp"
#include "licensing/connector/connector.hpp"
#include "licensing/crypto/licensing_keys.hpp"
#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/share.hpp"
#include "licensing/wire/text.hpp"
#include "licensing/wire/x224.hpp"

namespace {

using namespace rdwarm;
namespace lic = wire::lic;
using Frame = std::vector<std::uint8_t>;

constexpr std::uint16_t kIoChannel = 1003;
constexpr std::uint16_t kUserChannel = 1007;

// The counter the connector draws its client random (32 bytes) and premaster (48 bytes) from.
void counter_random(std::uint8_t& next, std::span<std::uint8_t> out) {
  for (auto& b : out) b = next++;
}

Frame io(const std::vector<std::uint8_t>& user_data) {
  return wire::frame_domain_pdu(wire::SendDataIndication{1002, kIoChannel, user_data});
}

Frame licensing(const lic::LicensingMessage& m) {
  lic::LicensingPdu pdu;
  pdu.preamble.flags = lic::PREAMBLE_VERSION_3_0;
  pdu.message = m;
  return io(wire::encode_to_vector(pdu));
}

// Server frames up to and including the channel joins (user channel, then I/O channel).
std::vector<Frame> connection_frames() {
  std::vector<Frame> frames;
  frames.push_back(wire::encode_to_vector(wire::ConnectionConfirm{
      wire::NegotiationResponse{wire::EXTENDED_CLIENT_DATA_SUPPORTED, wire::PROTOCOL_SSL}}));
  wire::ConferenceCreateResponse gcc;
  gcc.blocks.core.client_requested_protocols = wire::PROTOCOL_SSL;
  gcc.blocks.network.io_channel = kIoChannel;
  wire::ConnectResponse cr;
  cr.user_data = wire::encode_to_vector(gcc);
  frames.push_back(wire::frame_connect_pdu(cr));
  frames.push_back(wire::frame_domain_pdu(wire::AttachUserConfirm{0, kUserChannel}));
  frames.push_back(wire::frame_domain_pdu(
      wire::ChannelJoinConfirm{0, kUserChannel, kUserChannel, kUserChannel}));
  frames.push_back(
      wire::frame_domain_pdu(wire::ChannelJoinConfirm{0, kUserChannel, kIoChannel, kIoChannel}));
  return frames;
}

Frame demand_active() {
  return io(wire::DemandActiveHeader{0x103EA, "RDP", 1, 0x3EA}.encode_minimal());
}

std::vector<Frame> xrdp_script() {
  auto frames = connection_frames();
  frames.push_back(io(bench::load_hex("rdpele/xrdp-0.9-license-request.hex")));
  frames.push_back(io(bench::load_hex("rdpele/xrdp-0.9-valid-client.hex")));
  frames.push_back(demand_active());
  return frames;
}

std::vector<Frame> windows_script() {
  auto frames = connection_frames();
  // The 4.1 vector is preamble + message; on the wire (TLS) a security header comes first.
  auto request = bench::load_hex("rdpele/ms-rdpele-4.1-server-license-request.hex");
  std::vector<std::uint8_t> user_data{0x80, 0x00, 0x00, 0x00};  // SEC_LICENSE_PKT, flagsHi 0
  user_data.insert(user_data.end(), request.begin(), request.end());
  frames.push_back(io(user_data));

  // The keys the connector will derive: client random = counter 0..31, premaster = 32..79.
  std::array<std::uint8_t, 32> client_random{}, server_random{};
  std::array<std::uint8_t, 48> premaster{};
  std::uint8_t next = 0;
  counter_random(next, client_random);
  counter_random(next, premaster);
  std::copy_n(request.begin() + lic::Preamble::kSize, server_random.size(), server_random.begin());
  const auto keys = crypto::derive_licensing_keys(premaster, client_random, server_random);

  const auto challenge = wire::utf16le_from_utf8(std::string("TEST") + '\0');
  lic::PlatformChallenge pc;
  pc.encrypted_platform_challenge.data = crypto::rc4(keys.licensing_key, challenge);
  pc.mac_data = crypto::licensing_mac(keys.mac_salt_key, challenge);
  frames.push_back(licensing(pc));

  lic::NewLicenseInfo info;
  info.license_info = {0x30, 0x03, 0x02, 0x01, 0x01};
  const auto plain = wire::encode_to_vector(info);
  lic::NewLicense nl;
  nl.encrypted_license_info.data = crypto::rc4(keys.licensing_key, plain);
  nl.mac_data = crypto::licensing_mac(keys.mac_salt_key, plain);
  frames.push_back(licensing(nl));
  frames.push_back(demand_active());
  return frames;
}

// One probe's worth of client work: start, feed every server frame (TLS is "established" as soon
// as the connector asks), collect every client byte.
void run_script(benchmark::State& state, const std::vector<Frame>& script) {
  const auto identity = connector::ClientIdentity::for_machine("VDI-HOST-042");
  std::size_t sent = 0, received = 0;
  for (const auto& f : script) received += f.size();
  for (auto _ : state) {
    connector::ConnectorConfig config;
    config.identity = identity;
    config.random = [next = std::uint8_t{0}](std::span<std::uint8_t> out) mutable {
      counter_random(next, out);
    };
    connector::ClientConnector c(std::move(config));
    c.start();
    sent = c.take_output().size();
    for (const auto& frame : script) {
      c.receive(frame);
      if (c.wants_tls()) c.tls_established();
      sent += c.take_output().size();
    }
    if (!c.done() || c.outcome().kind != connector::OutcomeKind::Licensed) {
      state.SkipWithError(("script did not end Licensed: " +
                           std::string(connector::outcome_kind_name(c.outcome().kind)) + " " +
                           c.outcome().detail)
                              .c_str());
      break;
    }
    benchmark::DoNotOptimize(c.outcome().licensed);
  }
  state.counters["client_bytes"] = static_cast<double>(sent);
  state.counters["server_bytes"] = static_cast<double>(received);
}

void BM_ConnectorScript_Xrdp09(benchmark::State& state) {
  run_script(state, xrdp_script());
}
BENCHMARK(BM_ConnectorScript_Xrdp09);

void BM_ConnectorScript_WindowsNewLicense(benchmark::State& state) {
  run_script(state, windows_script());
}
BENCHMARK(BM_ConnectorScript_WindowsNewLicense);

}  // namespace
