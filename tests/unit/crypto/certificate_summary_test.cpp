// Certificate summaries of certificates built here: non-ASCII BMPString names, dates before 1970,
// non-RSA keys, and OpenSSL's error queue left clean.
#include "licensing/crypto/certificate_summary.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "licensing/crypto/server_certificate.hpp"
#include "tests/unit/crypto/crypto_vectors.hpp"

namespace rdwarm::crypto {
namespace {

using testing::ByteVector;

struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

// A self-signed certificate whose CN is a BMPString (UTF-16BE), as license servers write names.
ByteVector make_certificate(EVP_PKEY* key, const ByteVector& cn_utf16be, const char* not_before,
                            const char* not_after) {
  std::unique_ptr<X509, X509Deleter> x(X509_new());
  EXPECT_EQ(X509_set_version(x.get(), 2), 1);
  EXPECT_EQ(ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 0x1234), 1);
  EXPECT_EQ(ASN1_TIME_set_string(X509_getm_notBefore(x.get()), not_before), 1);
  EXPECT_EQ(ASN1_TIME_set_string(X509_getm_notAfter(x.get()), not_after), 1);
  X509_NAME* name = X509_get_subject_name(x.get());
  EXPECT_EQ(X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_BMPSTRING, cn_utf16be.data(),
                                       static_cast<int>(cn_utf16be.size()), -1, 0),
            1);
  EXPECT_EQ(X509_set_issuer_name(x.get(), name), 1);
  EXPECT_EQ(X509_set_pubkey(x.get(), key), 1);
  EXPECT_GT(X509_sign(x.get(), key, EVP_sha256()), 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509(x.get(), &der);
  EXPECT_GT(len, 0);
  ByteVector out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// "Zürich" in UTF-16BE.
const ByteVector kZurichUtf16be = {0x00, 'Z', 0x00, 0xfc, 0x00, 'r',
                                   0x00, 'i', 0x00, 'c',  0x00, 'h'};

TEST(CertificateSummary, BmpStringNamesPrintAsUtf8AndOldDatesAreNegative) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024)));
  ASSERT_TRUE(key);
  const ByteVector der =
      make_certificate(key.get(), kZurichUtf16be, "600101000000Z", "20500101000000Z");
  auto s = summarize_certificate(der);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->subject, "CN=Z\xc3\xbcrich");
  EXPECT_EQ(s->issuer, s->subject);
  EXPECT_EQ(s->serial_hex, "1234");
  EXPECT_EQ(s->not_before, "1960-01-01T00:00:00Z");
  EXPECT_EQ(s->not_before_unix, -315619200);
  EXPECT_EQ(s->not_after, "2050-01-01T00:00:00Z");
  EXPECT_EQ(s->not_after_unix, 2524608000);
  EXPECT_EQ(s->key_bits, 1024u);
  EXPECT_FALSE(s->is_ca);
  EXPECT_FALSE(s->has_microsoft_licensing_extensions);

  auto rsa = certificate_rsa_public_key(der);
  ASSERT_TRUE(rsa.ok()) << rsa.error().message();
  EXPECT_EQ(rsa->bits(), 1024u);
  EXPECT_EQ(rsa->exponent, 65537u);
}

TEST(CertificateSummary, NonRsaKeyIsSummarisedButRefusedForLicensing) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_TRUE(key);
  const ByteVector der =
      make_certificate(key.get(), kZurichUtf16be, "20200101000000Z", "20300101000000Z");
  auto s = summarize_certificate(der);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->key_bits, 256u);

  auto rsa = certificate_rsa_public_key(der, "X.509 certificate[1]");
  ASSERT_FALSE(rsa.ok());
  EXPECT_EQ(rsa.error().where, "X.509 certificate[1]");
  EXPECT_EQ(rsa.error().field, "subjectPublicKeyInfo.algorithm");

  // A chain whose session host certificate has no RSA key cannot be used for licensing.
  const auto spec =
      decode_server_certificate(testing::server_license_request_parts().server_certificate);
  ASSERT_TRUE(spec.ok());
  const auto chain = encode_x509_chain_certificate({spec->chain[0].der, der}, false);
  auto cert = decode_server_certificate(chain);
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.error().where, "X.509 certificate[1]");
}

TEST(CertificateSummary, TrailingBytesAndGarbageAreErrors) {
  const auto spec =
      decode_server_certificate(testing::server_license_request_parts().server_certificate);
  ASSERT_TRUE(spec.ok());
  ByteVector der = spec->chain[0].der;
  der.push_back(0);
  auto s = summarize_certificate(der);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "DER");
  EXPECT_FALSE(summarize_certificate(ByteVector{}).ok());
  EXPECT_FALSE(summarize_certificate(ByteVector(100, 0x30)).ok());
}

TEST(CertificateSummary, Pkcs1Errors) {
  EXPECT_FALSE(decode_pkcs1_rsa_public_key(testing::hex("3003020101")).ok());        // one INTEGER
  EXPECT_FALSE(decode_pkcs1_rsa_public_key(testing::hex("3006020100020103")).ok());  // n = 0
  EXPECT_FALSE(decode_pkcs1_rsa_public_key(testing::hex("30060201ff020103")).ok());  // n < 0
  // e wider than 32 bits.
  EXPECT_FALSE(decode_pkcs1_rsa_public_key(testing::hex("300b020205c10205010000000001")).ok());
  auto k = decode_pkcs1_rsa_public_key(testing::hex("3008020300c1ff020103"));
  ASSERT_TRUE(k.ok()) << k.error().message();
  EXPECT_EQ(k->modulus, testing::hex("c1ff"));
  EXPECT_EQ(k->exponent, 3u);
}

// Failures on untrusted DER must not leave errors on OpenSSL's thread-local queue, where the TLS
// code would later find them.
TEST(CertificateSummary, LeavesTheOpenSslErrorQueueEmpty) {
  ERR_clear_error();
  EXPECT_FALSE(summarize_certificate(ByteVector(100, 0x30)).ok());
  EXPECT_FALSE(decode_pkcs1_rsa_public_key(ByteVector(10, 0x02)).ok());
  ByteVector chain = testing::server_license_request_parts().server_certificate;
  chain[12] = 0x31;
  EXPECT_FALSE(decode_server_certificate(chain).ok());
  // And the leaf's 1.3.14.3.2.15 key, which OpenSSL cannot decode itself, leaves nothing either.
  EXPECT_TRUE(
      decode_server_certificate(testing::server_license_request_parts().server_certificate).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace rdwarm::crypto
