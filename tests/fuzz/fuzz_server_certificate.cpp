// The server's SERVER_CERTIFICATE (proprietary or X.509 chain), the registry's "X509 Certificate2"
// chain, one DER certificate, and a PKCS#1 RSAPublicKey. Decoded keys are used the way the
// connector uses them (encrypting a premaster secret).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "licensing/crypto/registry_chain.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/crypto/server_certificate.hpp"

namespace {

using namespace rdwarm;
using fuzz::Bytes;

void check_key(const crypto::RsaPublicKey& key) {
  FUZZ_CHECK(!key.modulus.empty() && key.modulus.front() != 0);
  FUZZ_CHECK(key.bits() > 0 && key.bits() <= crypto::kMaxRsaModulusBits);
  std::array<std::uint8_t, 48> premaster{};
  for (std::size_t i = 0; i < premaster.size(); ++i)
    premaster[i] = static_cast<std::uint8_t>(i + 1);
  if (auto secret = crypto::encrypt_premaster_secret(key, premaster); secret.ok()) {
    FUZZ_CHECK(secret->size() == key.modulus_size() + crypto::kEncryptedSecretPaddingSize);
  }
}

std::vector<std::vector<std::uint8_t>> ders_of(
    const std::vector<crypto::CertificateSummary>& chain) {
  std::vector<std::vector<std::uint8_t>> ders;
  for (const auto& c : chain) ders.push_back(c.der);
  return ders;
}

void check_server_certificate(Bytes in) {
  auto cert = crypto::decode_server_certificate(in);
  if (!cert.ok()) return;
  (void)crypto::to_string(cert->kind);
  check_key(cert->key);
  std::vector<std::uint8_t> again;
  if (cert->kind == crypto::CertificateKind::X509Chain) {
    FUZZ_CHECK(cert->chain.size() >= crypto::kMinCertBlobs &&
               cert->chain.size() <= crypto::kMaxCertBlobs);
    again = crypto::encode_x509_chain_certificate(ders_of(cert->chain), cert->temporary_bit);
  } else {
    FUZZ_CHECK(cert->chain.empty());
    again = crypto::encode_proprietary_certificate(cert->key, cert->proprietary_signature,
                                                   cert->temporary_bit);
  }
  auto back = crypto::decode_server_certificate(again);
  FUZZ_CHECK_MSG(back.ok(), back.ok() ? std::string() : back.error().message());
  FUZZ_CHECK(back->kind == cert->kind && back->temporary_bit == cert->temporary_bit);
  FUZZ_CHECK(back->key == cert->key);
  FUZZ_CHECK(back->proprietary_signature == cert->proprietary_signature);
  FUZZ_CHECK(ders_of(back->chain) == ders_of(cert->chain));
}

void check_registry_chain(Bytes in) {
  auto chain = crypto::decode_registry_certificate_chain(in);
  if (!chain.ok()) return;
  FUZZ_CHECK(!chain->empty() && chain->size() <= crypto::kRegistryMaxCertificates);
  const auto again = crypto::encode_registry_certificate_chain(ders_of(*chain));
  auto back = crypto::decode_registry_certificate_chain(again);
  FUZZ_CHECK_MSG(back.ok(), back.ok() ? std::string() : back.error().message());
  FUZZ_CHECK(ders_of(*back) == ders_of(*chain));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  check_server_certificate(in);
  check_registry_chain(in);
  if (auto summary = crypto::summarize_certificate(in); summary.ok()) {
    FUZZ_CHECK(summary->der.size() == in.size());
  }
  if (auto key = crypto::certificate_rsa_public_key(in); key.ok()) check_key(*key);
  if (auto key = crypto::decode_pkcs1_rsa_public_key(in); key.ok()) check_key(*key);
  return 0;
}
