// Helpers for the lab license server tests: OpenSSL views of issued DER certificates, the
// extensions of the [MS-RDPELE] 4.1 sample chain, and a shared host key (RSA generation is slow
// enough to do once).
#pragma once

#include <gtest/gtest.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lab/license_server/certificate_issuer.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "tests/unit/crypto/crypto_vectors.hpp"

namespace rdwarm::lab::testing {

using ByteVector = std::vector<std::uint8_t>;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

inline X509Ptr parse(const ByteVector& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

struct ExtensionValue {
  ByteVector value;
  bool critical = false;
};

// The value (OCTET STRING contents) of the extension with `oid`, if present.
inline std::optional<ExtensionValue> extension(const ByteVector& der, const char* oid) {
  auto x = parse(der);
  if (!x) return std::nullopt;
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  const int at = X509_get_ext_by_OBJ(x.get(), obj, -1);
  ASN1_OBJECT_free(obj);
  if (at < 0) return std::nullopt;
  X509_EXTENSION* ext = X509_get_ext(x.get(), at);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  const unsigned char* bytes = ASN1_STRING_get0_data(data);
  return ExtensionValue{
      ByteVector(bytes, bytes + ASN1_STRING_length(data)),
      X509_EXTENSION_get_critical(ext) == 1,
  };
}

// The two certificates of the [MS-RDPELE] 4.1 Server License Request (root, session host).
inline std::vector<ByteVector> sample_chain() {
  const auto parts = crypto::testing::server_license_request_parts();
  auto cert = crypto::decode_server_certificate(parts.server_certificate);
  EXPECT_TRUE(cert.ok());
  if (!cert) return {};
  std::vector<ByteVector> ders;
  for (const auto& c : cert->chain) ders.push_back(c.der);
  return ders;
}

inline const RsaKeyPair& host_key_pair() {
  static const RsaKeyPair pair = generate_rsa_key_pair(2048);
  return pair;
}

inline const CertificateIssuer& shared_issuer() {
  static const CertificateIssuer issuer("LAB-LS");
  return issuer;
}

}  // namespace rdwarm::lab::testing
