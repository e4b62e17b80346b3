// The CPU an NLA logon costs rdwarm, sockets and TLS aside: one whole CredSSP exchange (SPNEGO +
// NTLMv2, pubKeyAuth both ways, authInfo) between the client (credssp_client.hpp) and the server
// side the lab uses (credssp_server.hpp), in one thread. Both sides' work is counted, so the
// client's share is at most this.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "licensing/auth/ntlm/acceptor.hpp"
#include "licensing/auth/ntlm/client.hpp"
#include "licensing/auth/spnego/acceptor.hpp"
#include "licensing/auth/spnego/client.hpp"
#include "licensing/connector/credssp_client.hpp"
#include "licensing/connector/credssp_server.hpp"
#include "licensing/wire/spnego.hpp"

namespace {

using namespace rdwarm;

// A stand-in for the TLS key: CredSSP only hashes or echoes it. 270 bytes, an RSA-2048 key's size.
std::vector<std::uint8_t> public_key() {
  std::vector<std::uint8_t> key(270);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 7);
  return key;
}

auth::Credentials credentials() {
  auth::Credentials c;
  c.user = "probe";
  c.domain = "LAB";
  c.password = auth::Secret("Correct-Horse-9");
  return c;
}

std::unique_ptr<connector::CredsspServer> make_server(const std::vector<std::uint8_t>& key) {
  auto account =
      auth::ntlm::Account::with_password("probe", "LAB", auth::Secret("Correct-Horse-9"));
  auto ntlm = std::make_unique<auth::ntlm::Acceptor>(
      auth::ntlm::AcceptorConfig{account, "LAB-SH01", "LAB", "", "", {}, {}});
  connector::CredsspServerConfig sc;
  sc.acceptor = std::make_unique<auth::spnego::Acceptor>(
      std::move(ntlm), wire::spnego::OID_NTLMSSP,
      std::vector<std::uint8_t>{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0});
  sc.server_public_key = key;
  return std::make_unique<connector::CredsspServer>(std::move(sc));
}

std::unique_ptr<connector::CredsspClient> make_client(const std::vector<std::uint8_t>& key) {
  auth::ntlm::ClientConfig cc;
  cc.credentials = credentials();
  cc.workstation = "VDI-HOST-042";
  cc.target_spn = "TERMSRV/lab-sh01";
  auto spnego = std::make_unique<auth::spnego::Client>(
      std::make_unique<auth::ntlm::Client>(std::move(cc)), wire::spnego::OID_NTLMSSP);
  wire::credssp::ClientNonce nonce{};
  nonce.fill(0x5A);
  return std::make_unique<connector::CredsspClient>(std::move(spnego), credentials(), key, nonce);
}

// Client and server, the whole exchange: 3 client messages, 2 server answers.
void NlaWholeExchange(benchmark::State& state) {
  const auto key = public_key();
  for (auto _ : state) {
    auto client = make_client(key);
    auto server = make_server(key);
    auto out = client->start();
    while (out && !server->finished()) {
      auto reply = server->receive(*out);
      if (!reply) {
        state.SkipWithError("server refused");
        break;
      }
      if (server->finished()) break;
      out = client->receive(*reply);
    }
    if (!client->finished()) state.SkipWithError("exchange did not finish");
    benchmark::DoNotOptimize(server->delegated_user());
  }
}
BENCHMARK(NlaWholeExchange)->Unit(benchmark::kMicrosecond);

}  // namespace
