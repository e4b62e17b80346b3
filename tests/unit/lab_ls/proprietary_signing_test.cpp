// Proprietary certificate signing with the Terminal Services signing key ([MS-RDPBCGR] 5.3.3.1),
// checked against the certificate of the [MS-RDPBCGR] 4.1.4 Server MCS Connect Response.
#include "lab/license_server/proprietary_signing.hpp"

#include <gtest/gtest.h>

#include "lab/license_server/certificate_issuer.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "tests/unit/crypto/crypto_vectors.hpp"
#include "tests/unit/lab_ls/lab_ls_support.hpp"

namespace rdwarm::lab {
namespace {

using testing::ByteVector;

constexpr std::size_t kSampleCertificateSize = 184;
constexpr std::size_t kSampleSignatureBlobSize = 72;
// dwVersion .. PublicKeyBlob: everything before wSignatureBlobType / wSignatureBlobLen.
constexpr std::size_t kSampleSignedSize = kSampleCertificateSize - kSampleSignatureBlobSize - 4;

ByteVector sample_certificate() {
  auto cert = crypto::testing::load_hex(crypto::testing::kProprietaryCertificate);
  EXPECT_EQ(cert.size(), kSampleCertificateSize);
  return cert;
}

// The same 184 bytes sit in the 4.1.4 Connect Response, so the vector file is what the spec
// example carries.
TEST(ProprietarySigning, VectorIsTheConnectResponseCertificate) {
  const auto pdu = rdwarm::testing::load_hex_vector("rdpbcgr/4.1.4-mcs-connect-response.hex");
  const auto cert = sample_certificate();
  ASSERT_EQ(pdu.size(), 337u);
  EXPECT_TRUE(std::equal(cert.begin(), cert.end(), pdu.end() - 184));
}

TEST(ProprietarySigning, SpecExampleSignatureVerifiesWithThePublicSigningKey) {
  const auto cert = sample_certificate();
  const ByteVector fields(cert.begin(), cert.begin() + kSampleSignedSize);
  const ByteVector signature(cert.end() - kSampleSignatureBlobSize, cert.end());
  EXPECT_TRUE(verify_proprietary_signature(fields, signature));
  // A changed field or signature does not verify.
  ByteVector other_fields = fields;
  other_fields[40] ^= 0x80;
  EXPECT_FALSE(verify_proprietary_signature(other_fields, signature));
  ByteVector other_signature = signature;
  other_signature[3] ^= 0x01;
  EXPECT_FALSE(verify_proprietary_signature(fields, other_signature));
  ByteVector padded_wrong = signature;
  padded_wrong.back() = 0x01;
  EXPECT_FALSE(verify_proprietary_signature(fields, padded_wrong));
}

TEST(ProprietarySigning, ReproducesTheSpecExampleExactly) {
  const auto cert = sample_certificate();
  auto decoded = crypto::decode_server_certificate(cert);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  ASSERT_EQ(decoded->kind, crypto::CertificateKind::Proprietary);
  // Our encoding of the example's key gives the example's signed fields...
  const auto fields = proprietary_signed_fields(decoded->key);
  EXPECT_EQ(fields, ByteVector(cert.begin(), cert.begin() + kSampleSignedSize));
  // ...signing them gives the example's signature (raw RSA is deterministic)...
  EXPECT_EQ(sign_proprietary_fields(fields), ByteVector(cert.end() - 72, cert.end()));
  // ...and the whole certificate is the example.
  EXPECT_EQ(signed_proprietary_certificate(decoded->key), cert);
}

TEST(ProprietarySigning, SignatureBlockLayout) {
  const ByteVector fields = {1, 2, 3};
  const auto block = proprietary_signature_block(fields);
  EXPECT_EQ(block[16], 0x00);
  for (std::size_t i = 17; i < 62; ++i) EXPECT_EQ(block[i], 0xFF) << i;
  EXPECT_EQ(block[62], 0x01);
}

TEST(ProprietarySigning, SignsAFreshKeyThatDecodes) {
  const auto pair = generate_rsa_key_pair(512);
  const auto cert = signed_proprietary_certificate(pair.public_key);
  auto decoded = crypto::decode_server_certificate(cert);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded->key, pair.public_key);
  EXPECT_EQ(decoded->proprietary_signature.size(), 72u);
  EXPECT_TRUE(verify_proprietary_signature(proprietary_signed_fields(pair.public_key),
                                           decoded->proprietary_signature));
  // The temporary bit is part of the signed dwVersion.
  const auto temporary = signed_proprietary_certificate(pair.public_key, true);
  auto t = crypto::decode_server_certificate(temporary);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->temporary_bit);
  EXPECT_TRUE(verify_proprietary_signature(proprietary_signed_fields(pair.public_key, true),
                                           t->proprietary_signature));
  EXPECT_FALSE(verify_proprietary_signature(proprietary_signed_fields(pair.public_key, false),
                                            t->proprietary_signature));
}

}  // namespace
}  // namespace rdwarm::lab
