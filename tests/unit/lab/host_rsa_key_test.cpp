// The lab's CRT decryption agrees with the project's plain c^d mod n (crypto::raw_rsa_decrypt_le)
// and undoes the client's encrypt_premaster_secret, padding included.
#include "lab/session_host/host_rsa_key.hpp"

#include <gtest/gtest.h>

#include "licensing/crypto/rsa.hpp"

namespace rdwarm::lab {
namespace {

TEST(HostRsaKey, DecryptsWhatTheClientEncryptsAndMatchesPlainRsa) {
  for (int bits : {512, 2048}) {
    const auto key = HostRsaKey::generate(bits);
    EXPECT_EQ(key->public_key().bits(), static_cast<std::size_t>(bits));
    EXPECT_EQ(key->public_key().exponent, 65537u);
    std::vector<std::uint8_t> premaster(48);
    for (std::size_t i = 0; i < premaster.size(); ++i)
      premaster[i] = static_cast<std::uint8_t>(i * 7 + static_cast<std::size_t>(bits));
    auto blob = crypto::encrypt_premaster_secret(key->public_key(), premaster);
    ASSERT_TRUE(blob.ok());
    ASSERT_EQ(blob->size(), key->public_key().modulus_size() + 8);
    auto fast = key->decrypt_le(*blob);
    ASSERT_TRUE(fast.ok()) << fast.error().message();
    auto plain =
        crypto::raw_rsa_decrypt_le(key->public_key().modulus, key->private_exponent(), *blob);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(*fast, *plain);
    ASSERT_EQ(fast->size(), key->public_key().modulus_size());
    EXPECT_TRUE(std::equal(premaster.begin(), premaster.end(), fast->begin()));
  }
}

TEST(HostRsaKey, RefusesCiphertextNotSmallerThanTheModulus) {
  const auto key = HostRsaKey::generate(512);
  std::vector<std::uint8_t> too_big(64, 0xFF);  // > n
  EXPECT_FALSE(key->decrypt_le(too_big).ok());
  std::vector<std::uint8_t> long_junk(80, 0x01);  // non-zero beyond modulusLen
  EXPECT_FALSE(key->decrypt_le(long_junk).ok());
  auto empty = key->decrypt_le({});
  ASSERT_TRUE(empty.ok());  // zero decrypts to zero
  EXPECT_EQ(*empty, std::vector<std::uint8_t>(64, 0));
}

}  // namespace
}  // namespace rdwarm::lab
