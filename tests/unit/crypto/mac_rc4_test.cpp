// MS-RDPELE 5.1.5 MAC and 5.1.3 RC4.
#include <gtest/gtest.h>

#include "licensing/crypto/licensing_keys.hpp"
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

// IronRDP crates/ironrdp-pdu/src/rdp/server_license/tests.rs, mac_data_computes_correctly: the
// MAC of the decrypted "TEST\0" platform challenge.
TEST(LicensingMac, KnownAnswer) {
  const ByteVector mac_salt_key = hex("681f7b267e760a242d9807d66b56c501");
  EXPECT_EQ(vec(licensing_mac(mac_salt_key, testing::kTestChallengeUtf16)),
            hex("58af1f30d64ee806fcf9e6682164253d"));
}

TEST(LicensingMac, CoversTheLengthAndEveryByte) {
  const ByteVector key = hex("074fa02eeec45a46218cae01450226e4");
  const ByteVector data = testing::kTestChallengeUtf16;
  const auto mac = licensing_mac(key, data);
  ByteVector changed = data;
  changed[3] ^= 1;
  EXPECT_NE(licensing_mac(key, changed), mac);
  ByteVector longer = data;
  longer.push_back(0);
  EXPECT_NE(licensing_mac(key, longer), mac);
  EXPECT_EQ(licensing_mac(key, data), mac);
}

// RFC 6229, 40-bit key 0x0102030405, keystream bytes 0..31.
TEST(Rc4, Rfc6229KeyStream) {
  const ByteVector key = hex("0102030405");
  EXPECT_EQ(rc4(key, ByteVector(32, 0)),
            hex("b2396305f03dc027ccc3524a0a1118a86982944f18fc82d589c403a47a0d0919"));
}

TEST(Rc4, FreshKeyStreamPerCallSoDecryptIsEncrypt) {
  const ByteVector key = hex("f3b1e03bfeb4f2c528a948cd90f193e5");
  const ByteVector plain = testing::kTestChallengeUtf16;
  const ByteVector c1 = rc4(key, plain);
  EXPECT_EQ(rc4(key, plain), c1);  // no state carried between calls
  EXPECT_EQ(rc4(key, c1), plain);
  EXPECT_TRUE(rc4(key, ByteVector{}).empty());
}

// The exchange a session host and the probe perform (RDPELE 3.2.5.4, 3.3.5.5): the server
// encrypts and MACs its challenge; the client decrypts, checks the MAC, and answers.
TEST(LicensingMac, ServerChallengeRoundTrip) {
  const ByteVector premaster(48, 0x11), client_random(32, 0x22), server_random(32, 0x33);
  const LicensingKeys k =
      derive_licensing_keys(std::span<const std::uint8_t, 48>(premaster.data(), 48),
                            std::span<const std::uint8_t, 32>(client_random.data(), 32),
                            std::span<const std::uint8_t, 32>(server_random.data(), 32));
  const ByteVector encrypted = rc4(k.licensing_key, testing::kTestChallengeUtf16);
  const auto server_mac = licensing_mac(k.mac_salt_key, testing::kTestChallengeUtf16);
  const ByteVector decrypted = rc4(k.licensing_key, encrypted);
  EXPECT_EQ(decrypted, testing::kTestChallengeUtf16);
  EXPECT_EQ(licensing_mac(k.mac_salt_key, decrypted), server_mac);
}

}  // namespace
}  // namespace rdwarm::crypto
