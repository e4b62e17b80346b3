// SERVER_CERTIFICATE decoding and encoding (MS-RDPBCGR 2.2.1.4.3.1, MS-RDPELE 2.2.1.4.2) against
// the specifications' samples, and against damaged input.
#include "licensing/crypto/server_certificate.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/unit/crypto/crypto_vectors.hpp"

namespace rdwarm::crypto {
namespace {

using testing::ByteVector;
using testing::hex;

// The session host's modulus in the [MS-RDPELE] 4.1 chain, big-endian (also FreeRDP stable-1.0
// cunit/test_license.c terminal_server_modulus).
const ByteVector kLeafModulus =
    hex("c8906bf0c65881a6891c0ef2f6d9821271a56e51dbe03266aa91770e88ab44b7"
        "d397da788f0e4426467f16d4c663ebca55e54e8b2da66d8395a7a86afad0be26"
        "80aeab0a6490328cdf5cf8f9d07ed16b3a297e7dbd02a3866cfda53571da21b4"
        "eea497f3a8b212dba4275736c908225c54f7997ba32fb85cd516b819276b7197"
        "145be81f23e85cb81b734b6e7a0313ff97e962b94aa05123c36c323e02f26397"
        "231cc578d8fcb7074bb0560f74dfc55628e496fd208e655ae645edc1053eab58"
        "5540afe247a04c49a38d39e3665f93336df85fc554e5fb573ade4512b5c7054b"
        "881fb4350f7cc07517c667dd4880cb0abe9df693606534eb97af656ddfbf6f5b");

ByteVector spec_chain() {
  return testing::server_license_request_parts().server_certificate;
}

void put_u32le(ByteVector& v, std::size_t at, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) v[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

TEST(ServerCertificate, DecodesTheSpecX509Chain) {
  const ByteVector data = spec_chain();
  ASSERT_EQ(data.size(), 0x0812u);
  auto cert = decode_server_certificate(data);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  EXPECT_EQ(cert->kind, CertificateKind::X509Chain);
  EXPECT_EQ(to_string(cert->kind), "x509 chain");
  EXPECT_TRUE(cert->temporary_bit);  // dwVersion 0x80000002 in the sample
  EXPECT_EQ(cert->key.modulus, kLeafModulus);
  EXPECT_EQ(cert->key.exponent, 65537u);
  EXPECT_EQ(cert->key.bits(), 2048u);
  EXPECT_TRUE(cert->proprietary_signature.empty());
  ASSERT_EQ(cert->chain.size(), 2u);

  const CertificateSummary& root = cert->chain[0];
  EXPECT_EQ(root.subject, "L=WORKGROUP+CN=RODENT");
  EXPECT_EQ(root.issuer, "L=WORKGROUP+CN=RODENT");
  EXPECT_EQ(root.serial_hex, "019e24a2f2ae9080");
  EXPECT_EQ(root.not_before, "1970-05-27T01:11:03Z");
  EXPECT_EQ(root.not_before_unix, 12618663);
  EXPECT_EQ(root.not_after, "2049-05-27T01:11:03Z");
  EXPECT_EQ(root.not_after_unix, 2505690663);
  EXPECT_EQ(root.key_bits, 2048u);
  EXPECT_TRUE(root.is_ca);
  EXPECT_FALSE(root.has_microsoft_licensing_extensions);
  EXPECT_EQ(root.der.size(), 757u);

  const CertificateSummary& leaf = cert->chain[1];
  EXPECT_EQ(leaf.issuer, "L=WORKGROUP+CN=RODENT");
  EXPECT_NE(leaf.subject.find("CN=ncalrpc:RODENT"), std::string::npos) << leaf.subject;
  EXPECT_NE(leaf.subject.find("L=ncalrpc:RODENT"), std::string::npos) << leaf.subject;
  EXPECT_EQ(leaf.not_before, "2007-05-26T12:45:53Z");
  EXPECT_EQ(leaf.not_before_unix, 1180183553);
  EXPECT_EQ(leaf.not_after, "2038-01-19T03:14:07Z");
  EXPECT_EQ(leaf.not_after_unix, 2147483647);
  EXPECT_EQ(leaf.key_bits, 2048u);  // OID 1.3.14.3.2.15, read without X509_get0_pubkey
  EXPECT_FALSE(leaf.is_ca);
  EXPECT_TRUE(leaf.has_microsoft_licensing_extensions);
  EXPECT_EQ(leaf.der.size(), 1277u);

  // The leaf alone gives the same key.
  auto key = certificate_rsa_public_key(leaf.der);
  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(*key, cert->key);
}

TEST(ServerCertificate, EncodesTheSpecX509ChainByteForByte) {
  const ByteVector data = spec_chain();
  auto cert = decode_server_certificate(data);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  std::vector<ByteVector> ders;
  for (const auto& c : cert->chain) ders.push_back(c.der);
  // Including the 8 + 4 * 2 = 16 zero bytes of padding the sample ends with.
  EXPECT_EQ(encode_x509_chain_certificate(ders, true), data);
  const ByteVector permanent = encode_x509_chain_certificate(ders, false);
  EXPECT_EQ(testing::slice(permanent, 0, 4), hex("02000000"));
}

TEST(ServerCertificate, ToleratesMissingPadding) {
  ByteVector data = spec_chain();
  data.resize(data.size() - 16);
  auto cert = decode_server_certificate(data);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  EXPECT_EQ(cert->chain.size(), 2u);
}

// [MS-RDPBCGR] 4.1.4: the proprietary certificate of the Server Security Data (512-bit key).
TEST(ServerCertificate, DecodesTheSpecProprietaryCertificate) {
  const ByteVector data = testing::load_hex(testing::kProprietaryCertificate);
  ASSERT_EQ(data.size(), 184u);
  auto cert = decode_server_certificate(data);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  EXPECT_EQ(cert->kind, CertificateKind::Proprietary);
  EXPECT_FALSE(cert->temporary_bit);
  EXPECT_TRUE(cert->chain.empty());
  EXPECT_EQ(cert->key.bits(), 512u);
  EXPECT_EQ(cert->key.exponent, 65537u);
  EXPECT_EQ(cert->key.modulus_size(), 64u);
  EXPECT_EQ(testing::slice(cert->key.modulus, 0, 4), hex("bc125626"));  // modulus[63..60] LE
  ASSERT_EQ(cert->proprietary_signature.size(), 72u);
  EXPECT_EQ(testing::slice(cert->proprietary_signature, 0, 4), hex("e9e1d628"));

  EXPECT_EQ(encode_proprietary_certificate(cert->key, cert->proprietary_signature), data);
}

TEST(ServerCertificate, EveryTruncationOfTheProprietaryCertificateFails) {
  const ByteVector data = testing::load_hex(testing::kProprietaryCertificate);
  for (std::size_t n = 0; n < data.size(); ++n) {
    auto r = decode_server_certificate(std::span(data).first(n));
    EXPECT_FALSE(r.ok()) << "prefix " << n;
  }
}

TEST(ServerCertificate, EveryTruncationOfTheChainFailsUntilThePadding) {
  const ByteVector data = spec_chain();
  const std::size_t end_of_certificates = data.size() - 16;
  for (std::size_t n = 0; n < data.size(); ++n) {
    auto r = decode_server_certificate(std::span(data).first(n));
    EXPECT_EQ(r.ok(), n >= end_of_certificates) << "prefix " << n;
  }
}

TEST(ServerCertificate, TruncationErrorNamesStructureAndField) {
  const ByteVector data = spec_chain();
  auto r = decode_server_certificate(std::span(data).first(10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "X.509 certificate chain");
  EXPECT_EQ(r.error().field, "cbCert[0]");

  r = decode_server_certificate(std::span(data).first(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "SERVER_CERTIFICATE");
  EXPECT_EQ(r.error().field, "dwVersion");
}

TEST(ServerCertificate, CertificateLengthBeyondTheData) {
  ByteVector data = spec_chain();
  // dwVersion(4) NumCertBlobs(4) cbCert[0](4) cert0(757) cbCert[1] at 769.
  const std::size_t at = 4 + 4 + 4 + 757;
  put_u32le(data, at, 9000);
  auto r = decode_server_certificate(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "X.509 certificate chain");
  EXPECT_EQ(r.error().field, "cbCert[1]");
  const std::size_t left = data.size() - (at + 4);
  EXPECT_NE(r.error().what.find("length 9000 exceeds the " + std::to_string(left) + " bytes left"),
            std::string::npos)
      << r.error().message();

  put_u32le(data, at, 0xFFFFFFFF);
  EXPECT_FALSE(decode_server_certificate(data).ok());
  put_u32le(data, at, 0);
  EXPECT_FALSE(decode_server_certificate(data).ok());
}

TEST(ServerCertificate, CertificateCountOutOfRange) {
  ByteVector data = spec_chain();
  for (std::uint32_t count : {0u, 1u, 201u, 0xFFFFFFFFu}) {
    put_u32le(data, 4, count);
    auto r = decode_server_certificate(data);
    ASSERT_FALSE(r.ok()) << count;
    EXPECT_EQ(r.error().field, "NumCertBlobs");
    EXPECT_NE(r.error().what.find(std::to_string(count) + " is outside 2..200"), std::string::npos)
        << r.error().message();
  }
  // 3 announced, 2 present: runs out of bytes in the padding.
  put_u32le(data, 4, 3);
  auto r = decode_server_certificate(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "cbCert[2]");
}

TEST(ServerCertificate, UnknownVersionAndBadDer) {
  ByteVector data = spec_chain();
  put_u32le(data, 0, 3);
  auto r = decode_server_certificate(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "dwVersion");

  data = spec_chain();
  data[12] = 0x31;  // cert0 starts with SEQUENCE (0x30); make it a SET
  r = decode_server_certificate(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "X.509 certificate[0]");
  EXPECT_EQ(r.error().field, "DER");
}

TEST(ServerCertificate, ProprietaryFieldErrors) {
  const ByteVector good = testing::load_hex(testing::kProprietaryCertificate);
  ByteVector data = good;
  data[16] = 'X';  // magic "RSA1" at offset 16
  auto r = decode_server_certificate(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "RSA_PUBLIC_KEY");
  EXPECT_EQ(r.error().field, "magic");

  data = good;
  put_u32le(data, 20, 0x1000);  // keylen far beyond the key blob
  r = decode_server_certificate(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "keylen");

  data = good;
  data[14] = 0xff;  // wPublicKeyBlobLen 0x5cff
  r = decode_server_certificate(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "PROPRIETARYSERVERCERTIFICATE");
  EXPECT_EQ(r.error().field, "wPublicKeyBlobLen");

  data = good;
  data[12] = 0x07;  // wPublicKeyBlobType
  EXPECT_FALSE(decode_server_certificate(data).ok());
}

// Random corruption must only ever produce values, never crashes (run under ASan/UBSan).
TEST(ServerCertificate, SurvivesRandomCorruption) {
  std::mt19937 rng(20240423);
  const ByteVector inputs[] = {spec_chain(), testing::load_hex(testing::kProprietaryCertificate)};
  for (const ByteVector& input : inputs) {
    std::uniform_int_distribution<std::size_t> pos(0, input.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 1500; ++i) {
      ByteVector data = input;
      for (int k = 0; k < 1 + i % 4; ++k) data[pos(rng)] = static_cast<std::uint8_t>(byte(rng));
      auto r = decode_server_certificate(data);
      if (!r.ok()) {
        EXPECT_FALSE(r.error().where.empty());
      }
    }
  }
}

}  // namespace
}  // namespace rdwarm::crypto
