// Raw little-endian RSA of the premaster secret (MS-RDPELE 5.1.1.1, MS-RDPBCGR 5.3.4.1) and the
// server-side inverse.
#include "licensing/crypto/rsa.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <memory>

#include "licensing/crypto/server_certificate.hpp"
#include "tests/unit/crypto/crypto_vectors.hpp"

namespace rdwarm::crypto {
namespace {

using testing::ByteVector;
using testing::hex;

const ByteVector kPremasterSecret =
    hex("cf7adbcbfb0e1523871c8481ba9d4e15bbd256bdd8f7f316cc353be1934278dd"
        "929ae47ae299d473b1aa6f55943bc9bc");

ByteVector reversed(ByteVector v) {
  std::reverse(v.begin(), v.end());
  return v;
}

// FreeRDP stable-1.0 cunit/test_license.c (test_license_encrypt_premaster_secret): a 512-bit key
// given little-endian, exponent 0x00010001, and the expected ciphertext.
TEST(Rsa, Encrypts512BitKnownAnswer) {
  const ByteVector modulus_le =
      hex("23c9ec0e9f1e0e1a78afa514d4f545e4046ef401e9df45d1c2aef47fd3b9cbf3"
          "1a23a10d4bd4d14ad2d1c97cab248bb15a93ca344417b5e4fef79aaa720d4195");
  const ByteVector expected =
      hex("6bbc779f200c9839c18577c81987d88293bd21695f87e0d64ead5e2313808c63"
          "3ed66e60c940e986088cd5aaa954fe274c1f8757decad4c71e469e007adb4723");
  const RsaPublicKey key = make_rsa_public_key(reversed(modulus_le), 0x00010001);
  EXPECT_EQ(key.bits(), 512u);

  auto c = rsa_public_le(key, kPremasterSecret);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(*c, expected);

  auto blob = encrypt_premaster_secret(key, kPremasterSecret);
  ASSERT_TRUE(blob.ok()) << blob.error().message();
  ASSERT_EQ(blob->size(), 64u + kEncryptedSecretPaddingSize);
  EXPECT_EQ(testing::slice(*blob, 0, 64), expected);
  EXPECT_EQ(testing::slice(*blob, 64, 8), ByteVector(8, 0));
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

ByteVector bn_bytes(const BIGNUM* bn) {
  ByteVector out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  return out;
}

// OpenSSL's own unpadded RSA (big-endian), as an independent reference for ours.
ByteVector openssl_raw_rsa_be(const RsaPublicKey& key, const ByteVector& input_be) {
  BnPtr n(BN_bin2bn(key.modulus.data(), static_cast<int>(key.modulus.size()), nullptr));
  BnPtr e(BN_new());
  BN_set_word(e.get(), key.exponent);
  std::unique_ptr<OSSL_PARAM_BLD, void (*)(OSSL_PARAM_BLD*)> bld(OSSL_PARAM_BLD_new(),
                                                                 OSSL_PARAM_BLD_free);
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  std::unique_ptr<OSSL_PARAM, void (*)(OSSL_PARAM*)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                            OSSL_PARAM_free);
  PkeyCtxPtr fromdata(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(fromdata.get()), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(fromdata.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()), 1);
  PkeyPtr pkey(raw);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr));
  EXPECT_EQ(EVP_PKEY_encrypt_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING), 1);
  std::size_t out_len = key.modulus.size();
  ByteVector out(out_len);
  EXPECT_EQ(EVP_PKEY_encrypt(ctx.get(), out.data(), &out_len, input_be.data(), input_be.size()), 1);
  out.resize(out_len);
  return out;
}

// The 2048-bit session host key of the [MS-RDPELE] 4.1 chain. The spec's Client New License
// Request carries a 264-byte EncryptedPreMasterSecret for this key, but its premaster secret is not
// published (FreeRDP's premaster does not reproduce it), so the result is checked against
// OpenSSL's unpadded RSA instead, and the blob size against the sample.
TEST(Rsa, Encrypts2048BitWithTheSpecLeafKeyLikeOpenSsl) {
  auto cert = decode_server_certificate(testing::server_license_request_parts().server_certificate);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  const RsaPublicKey& key = cert->key;
  ASSERT_EQ(key.bits(), 2048u);

  auto blob = encrypt_premaster_secret(key, kPremasterSecret);
  ASSERT_TRUE(blob.ok()) << blob.error().message();
  ASSERT_EQ(blob->size(), 256u + 8u);

  // Premaster as a little-endian integer == its reversal as a big-endian one, padded to 256.
  ByteVector input_be(256 - kPremasterSecret.size(), 0);
  const ByteVector rev = reversed(kPremasterSecret);
  input_be.insert(input_be.end(), rev.begin(), rev.end());
  EXPECT_EQ(testing::slice(*blob, 0, 256), reversed(openssl_raw_rsa_be(key, input_be)));
  EXPECT_EQ(testing::slice(*blob, 256, 8), ByteVector(8, 0));

  // Same size as the sample's EncryptedPreMasterSecret blob: preamble(4) + 4 + 4 + random(32),
  // then wBlobType(2) wBlobLen(2).
  const ByteVector request = testing::load_hex(testing::kClientNewLicenseRequest);
  const auto blob_len = static_cast<std::size_t>(request[46] | (request[47] << 8));
  EXPECT_EQ(blob_len, blob->size());
}

TEST(Rsa, ServerSideDecryptRoundTrip) {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024)));
  ASSERT_TRUE(pkey);
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  BIGNUM* d_raw = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n_raw), 1);
  ASSERT_EQ(EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e_raw), 1);
  ASSERT_EQ(EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_D, &d_raw), 1);
  BnPtr n(n_raw), e(e_raw), d(d_raw);

  const RsaPublicKey key =
      make_rsa_public_key(bn_bytes(n.get()), static_cast<std::uint32_t>(BN_get_word(e.get())));
  auto blob = encrypt_premaster_secret(key, kPremasterSecret);
  ASSERT_TRUE(blob.ok()) << blob.error().message();
  ASSERT_EQ(blob->size(), 128u + 8u);

  // The whole blob, padding included, decrypts.
  auto plain = raw_rsa_decrypt_le(bn_bytes(n.get()), bn_bytes(d.get()), *blob);
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  ASSERT_EQ(plain->size(), 128u);
  EXPECT_EQ(testing::slice(*plain, 0, 48), kPremasterSecret);
  EXPECT_EQ(testing::slice(*plain, 48, 80), ByteVector(80, 0));
}

TEST(Rsa, RejectsBadKeysAndInputs) {
  const RsaPublicKey empty{};
  auto r = encrypt_premaster_secret(empty, kPremasterSecret);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "EncryptedPreMasterSecret");
  EXPECT_EQ(r.error().field, "modulus");

  // A 256-bit modulus is smaller than a 384-bit premaster secret.
  const RsaPublicKey small = make_rsa_public_key(ByteVector(32, 0xff), 65537);
  r = encrypt_premaster_secret(small, kPremasterSecret);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "input");

  const RsaPublicKey zero_exp = make_rsa_public_key(ByteVector(64, 0xff), 0);
  EXPECT_FALSE(encrypt_premaster_secret(zero_exp, kPremasterSecret).ok());

  const RsaPublicKey huge = make_rsa_public_key(ByteVector(kMaxRsaModulusBits / 8 + 1, 0xff), 3);
  EXPECT_FALSE(rsa_public_le(huge, kPremasterSecret).ok());

  EXPECT_FALSE(raw_rsa_decrypt_le(ByteVector(64, 0xfe), ByteVector(64, 1), kPremasterSecret).ok());
  EXPECT_FALSE(raw_rsa_decrypt_le(ByteVector(64, 0xff), ByteVector{}, kPremasterSecret).ok());
}

TEST(Rsa, KeyNormalisesLeadingZeros) {
  const RsaPublicKey key = make_rsa_public_key(hex("0000c1ff"), 3);
  EXPECT_EQ(key.modulus, hex("c1ff"));
  EXPECT_EQ(key.bits(), 16u);
  EXPECT_EQ(key.modulus_size(), 2u);
}

}  // namespace
}  // namespace rdwarm::crypto
