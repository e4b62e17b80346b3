// Licensing crypto micro-benchmarks [MS-RDPELE 5.1]: server certificate parsing, premaster
// encryption, key derivation, RC4 and the licensing MAC.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "bench/bench_data.hpp"
#include "licensing/crypto/licensing_keys.hpp"
#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/licensing_pdu.hpp"

namespace {

using namespace rdwarm;
namespace lic = wire::lic;

// The SERVER_CERTIFICATE carried by the [MS-RDPELE] 4.1 License Request: an X.509 chain of two
// certificates (license server root "RODENT" and the session host's), 2048-bit keys.
std::vector<std::uint8_t> x509_chain_certificate() {
  const auto bytes = bench::load_hex("rdpele/ms-rdpele-4.1-server-license-request.hex");
  const wire::Bytes all(bytes);
  auto message = lic::LicensingPdu::decode_message(bytes.at(0), all.subspan(lic::Preamble::kSize));
  if (!message) std::abort();
  return std::get<lic::LicenseRequest>(*message).server_certificate.data;
}

// The [MS-RDPBCGR] 4.1.4 proprietary certificate (184 bytes, 512-bit RSA key).
std::vector<std::uint8_t> proprietary_certificate() {
  return bench::load_hex("crypto/proprietary_certificate.hex");
}

void decode_certificate(benchmark::State& state, const std::vector<std::uint8_t>& der) {
  for (auto _ : state) {
    auto cert = crypto::decode_server_certificate(der);
    if (!cert) {
      state.SkipWithError(cert.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(cert->key.modulus.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(der.size()));
}

void BM_DecodeServerCertificate_X509Chain(benchmark::State& state) {
  decode_certificate(state, x509_chain_certificate());
}
BENCHMARK(BM_DecodeServerCertificate_X509Chain);

void BM_DecodeServerCertificate_Proprietary(benchmark::State& state) {
  decode_certificate(state, proprietary_certificate());
}
BENCHMARK(BM_DecodeServerCertificate_Proprietary);

// EncryptedPreMasterSecret [MS-RDPELE 5.1.2.1]: raw RSA with the certificate's public key.
void encrypt_premaster(benchmark::State& state, const std::vector<std::uint8_t>& der) {
  auto cert = crypto::decode_server_certificate(der);
  if (!cert) {
    state.SkipWithError(cert.error().message().c_str());
    return;
  }
  std::array<std::uint8_t, crypto::kPreMasterSecretSize> premaster{};
  for (std::size_t i = 0; i < premaster.size(); ++i) premaster[i] = static_cast<std::uint8_t>(i);
  for (auto _ : state) {
    auto encrypted = crypto::encrypt_premaster_secret(cert->key, premaster);
    if (!encrypted) {
      state.SkipWithError(encrypted.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(encrypted->data());
  }
  state.counters["key_bits"] = static_cast<double>(cert->key.bits());
}

void BM_EncryptPremaster_X509Chain(benchmark::State& state) {
  encrypt_premaster(state, x509_chain_certificate());
}
BENCHMARK(BM_EncryptPremaster_X509Chain);

void BM_EncryptPremaster_Proprietary(benchmark::State& state) {
  encrypt_premaster(state, proprietary_certificate());
}
BENCHMARK(BM_EncryptPremaster_Proprietary);

struct KeyInputs {
  std::array<std::uint8_t, crypto::kPreMasterSecretSize> premaster{};
  std::array<std::uint8_t, crypto::kLicensingRandomSize> client_random{}, server_random{};
  KeyInputs() {
    for (std::size_t i = 0; i < premaster.size(); ++i) premaster[i] = static_cast<std::uint8_t>(i);
    for (std::size_t i = 0; i < client_random.size(); ++i) {
      client_random[i] = static_cast<std::uint8_t>(0x40 + i);
      server_random[i] = static_cast<std::uint8_t>(0xA0 + i);
    }
  }
};

// Premaster -> master secret -> session key blob -> MAC salt key + licensing key (6 SaltedHash
// rounds of SHA-1 + MD5, then one more MD5) [MS-RDPELE 5.1.2].
void BM_DeriveLicensingKeys(benchmark::State& state) {
  const KeyInputs in;
  for (auto _ : state) {
    auto keys = crypto::derive_licensing_keys(in.premaster, in.client_random, in.server_random);
    benchmark::DoNotOptimize(keys.licensing_key.data());
  }
}
BENCHMARK(BM_DeriveLicensingKeys);

// RC4 with a fresh key schedule per call, as licensing uses it [MS-RDPELE 5.1.3]. Arg: bytes
// (10 = "TEST\0" challenge in UTF-16LE, 38 = challenge response data + hardware id, 1024).
void BM_Rc4(benchmark::State& state) {
  const auto keys = crypto::derive_licensing_keys(KeyInputs{}.premaster, KeyInputs{}.client_random,
                                                  KeyInputs{}.server_random);
  const std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0x5A);
  for (auto _ : state) {
    auto out = crypto::rc4(keys.licensing_key, data);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Rc4)->Arg(10)->Arg(38)->Arg(1024);

// MD5(salt + pad2 + SHA1(salt + pad1 + len + data)) [MS-RDPELE 5.1.5].
void BM_LicensingMac(benchmark::State& state) {
  const auto keys = crypto::derive_licensing_keys(KeyInputs{}.premaster, KeyInputs{}.client_random,
                                                  KeyInputs{}.server_random);
  const std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0x5A);
  for (auto _ : state) {
    auto mac = crypto::licensing_mac(keys.mac_salt_key, data);
    benchmark::DoNotOptimize(mac.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_LicensingMac)->Arg(10)->Arg(38)->Arg(1024);

// The client's whole symmetric licensing work for one Platform Challenge: derive the keys,
// decrypt and verify the challenge, encrypt the response and hardware id, MAC them.
void BM_LicensingKeysRc4Mac(benchmark::State& state) {
  const KeyInputs in;
  const auto server_keys =
      crypto::derive_licensing_keys(in.premaster, in.client_random, in.server_random);
  const std::vector<std::uint8_t> challenge{'T', 0, 'E', 0, 'S', 0, 'T', 0, 0, 0};
  const auto encrypted_challenge = crypto::rc4(server_keys.licensing_key, challenge);
  const auto challenge_mac = crypto::licensing_mac(server_keys.mac_salt_key, challenge);
  const std::vector<std::uint8_t> response_data(18, 0x11), hwid(20, 0x22);
  for (auto _ : state) {
    const auto keys =
        crypto::derive_licensing_keys(in.premaster, in.client_random, in.server_random);
    const auto plain = crypto::rc4(keys.licensing_key, encrypted_challenge);
    if (crypto::licensing_mac(keys.mac_salt_key, plain) != challenge_mac) {
      state.SkipWithError("challenge MAC mismatch");
      break;
    }
    auto enc_data = crypto::rc4(keys.licensing_key, response_data);
    auto enc_hwid = crypto::rc4(keys.licensing_key, hwid);
    std::vector<std::uint8_t> both(response_data);
    both.insert(both.end(), hwid.begin(), hwid.end());
    auto mac = crypto::licensing_mac(keys.mac_salt_key, both);
    benchmark::DoNotOptimize(enc_data.data());
    benchmark::DoNotOptimize(enc_hwid.data());
    benchmark::DoNotOptimize(mac.data());
  }
}
BENCHMARK(BM_LicensingKeysRc4Mac);

}  // namespace
