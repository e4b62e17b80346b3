// MS-RDPELE 5.1.2 key derivation, end to end: premaster secret + randoms -> master secret ->
// session key blob -> MAC salt key + licensing key -> RC4 decryption of a platform challenge.
#include "licensing/crypto/licensing_keys.hpp"

#include <gtest/gtest.h>

#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/rc4.hpp"
#include "tests/unit/crypto/crypto_vectors.hpp"

namespace rdwarm::crypto {
namespace {

using testing::ByteVector;
using testing::hex;

template <std::size_t N>
ByteVector vec(const std::array<std::uint8_t, N>& a) {
  return ByteVector(a.begin(), a.end());
}

// Vectors published with FreeRDP's licensing unit test (branch stable-1.0,
// cunit/test_license.c: test_license_generate_keys, test_license_decrypt_platform_challenge). The
// premaster secret and client random are those of the [MS-RDPELE] section 4 Client New License
// Request sample; the server random is a separate one (the spec's samples do not publish a
// premaster secret for their own session, so their encrypted fields cannot be decrypted).
const ByteVector kPremasterSecret =
    hex("cf7adbcbfb0e1523871c8481ba9d4e15bbd256bdd8f7f316cc353be1934278dd"
        "929ae47ae299d473b1aa6f55943bc9bc");
const ByteVector kClientRandom =
    hex("dc73a0c869256b18af0b947aa9a520af8bbc0dcca395b7b9eb815dbe0a109cd8");
const ByteVector kServerRandom =
    hex("167ef87148161a4fa52ccd736360a6c3b9191b4b6bb20ab8ecf18d954ea821c5");
const ByteVector kMasterSecret =
    hex("be51ee632390d0f43ace3a3765c3ddcfedf0c819ed77334efd2b7d5ae2caf30a"
        "f116e50c78597ed44b57ce17603a5ab3");
const ByteVector kSessionKeyBlob =
    hex("074fa02eeec45a46218cae01450226e4546b5910cc5bd196d05cebc2969b447b"
        "1cd966b19e24aa604f89d14ef8b9553b");
const ByteVector kMacSaltKey = hex("074fa02eeec45a46218cae01450226e4");
const ByteVector kLicensingKey = hex("f3b1e03bfeb4f2c528a948cd90f193e5");
const ByteVector kEncryptedPlatformChallenge = hex("840a4250ad5ec12930bd");

LicensingKeys derive(const ByteVector& premaster, const ByteVector& client_random,
                     const ByteVector& server_random) {
  return derive_licensing_keys(std::span<const std::uint8_t, 48>(premaster.data(), 48),
                               std::span<const std::uint8_t, 32>(client_random.data(), 32),
                               std::span<const std::uint8_t, 32>(server_random.data(), 32));
}

TEST(LicensingKeys, ClientRandomIsTheSpecSampleOne) {
  // CLIENT_NEW_LICENSE_REQUEST: preamble(4) PreferredKeyExchangeAlg(4) PlatformId(4) ClientRandom.
  const ByteVector request = testing::load_hex(testing::kClientNewLicenseRequest);
  EXPECT_EQ(testing::slice(request, 12, 32), kClientRandom);
}

TEST(LicensingKeys, DerivesTheWholeChainAndDecryptsThePlatformChallenge) {
  const LicensingKeys k = derive(kPremasterSecret, kClientRandom, kServerRandom);
  EXPECT_EQ(vec(k.master_secret), kMasterSecret);
  EXPECT_EQ(vec(k.session_key_blob), kSessionKeyBlob);
  EXPECT_EQ(vec(k.mac_salt_key), kMacSaltKey);
  EXPECT_EQ(vec(k.licensing_key), kLicensingKey);

  // RDPELE 5.1.3: the server's challenge is RC4 under the licensing key; "TEST\0" in UTF-16.
  EXPECT_EQ(rc4(k.licensing_key, kEncryptedPlatformChallenge), testing::kTestChallengeUtf16);
}

TEST(LicensingKeys, FirstSaltedHashIsTheFirstThirdOfTheMasterSecret) {
  const std::uint8_t a[] = {'A'};
  const auto h = salted_hash(kPremasterSecret, a, kClientRandom, kServerRandom);
  EXPECT_EQ(vec(h), testing::slice(kMasterSecret, 0, 16));
}

// A second, independent set: IronRDP's client_new_license_request tests
// (crates/ironrdp-pdu/src/rdp/server_license/client_new_license_request/tests.rs).
TEST(LicensingKeys, IronRdpVectors) {
  const ByteVector premaster =
      hex("1428dafbb9ea38ab5ea2f904f7899c983d504577bf17811c3787c24813e8c920"
          "4ddff327bdb6987e64dafe1d312f62ca");
  const ByteVector client_random =
      hex("4b5b7b43638a08fed17abaf5918577fe3936f6d778ec6acc894a90412cac5a49");
  const ByteVector server_random =
      hex("5c81f011ebcfd10eb41fb3ba93a2d73909aa99e910d4d795ddad916905266b6a");
  const LicensingKeys k = derive(premaster, client_random, server_random);
  EXPECT_EQ(vec(k.master_secret),
            hex("fedc519adb3ac961040724945d0c43a770e3f30050d7a8723eab7e1be464e5c5"
                "74aeed1072962a4c65094f6012a912a1"));
  EXPECT_EQ(vec(k.session_key_blob),
            hex("f70375b95fdad0beb42af5c13d98857ad6c5394ce3cb7661aa4ab6157e89213d"
                "df5b2532ee05060d5baa6314afa5460f"));
  EXPECT_EQ(vec(k.licensing_key), hex("fa44e878d82b3f1d4d00a0a655ce8ab7"));
}

TEST(LicensingKeys, ServerAndClientDeriveTheSameKeys) {
  const LicensingKeys client = derive(kPremasterSecret, kClientRandom, kServerRandom);
  const LicensingKeys server = derive(kPremasterSecret, kClientRandom, kServerRandom);
  EXPECT_EQ(client.licensing_key, server.licensing_key);
  // Swapping the randoms gives different keys: the order matters (5.1.2.1 vs 5.1.2.2).
  const LicensingKeys swapped = derive(kPremasterSecret, kServerRandom, kClientRandom);
  EXPECT_NE(client.licensing_key, swapped.licensing_key);
}

}  // namespace
}  // namespace rdwarm::crypto
