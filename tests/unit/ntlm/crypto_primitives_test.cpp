// The primitives NTLM adds to licensing/crypto: MD4 (RFC 1320), HMAC-MD5 (RFC 2104) and the RC4
// stream that continues across messages.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <string_view>

#include "licensing/crypto/hmac.hpp"
#include "licensing/crypto/md4.hpp"
#include "licensing/crypto/rc4.hpp"
#include "tests/unit/ntlm/ntlm_test_support.hpp"

namespace rdwarm::crypto {
namespace {

using auth::ntlm::testing::ByteVector;
using auth::ntlm::testing::hex;
using auth::ntlm::testing::to_hex;

ByteVector text(std::string_view s) {
  return ByteVector(s.begin(), s.end());
}

// RFC 1320 A.5 "Test suite".
TEST(Md4, Rfc1320TestSuite) {
  const std::pair<std::string_view, std::string_view> suite[] = {
      {"", "31d6cfe0d16ae931b73c59d7e0c089c0"},
      {"a", "bde52cb31de33e46245e05fbdbd6fb24"},
      {"abc", "a448017aaf21d8525fc10ae87aa6729d"},
      {"message digest", "d9130a8164549fe818874806e1c7014b"},
      {"abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "043f8582f241db351ce627e153e7f0e4"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "e33b4ddc9c38f2199c3e7b164fcc0536"},
  };
  for (const auto& [input, digest] : suite) {
    EXPECT_EQ(to_hex(md4(text(input))), digest) << "MD4(\"" << input << "\")";
  }
}

// Every length around the 56- and 64-byte padding boundaries, against OpenSSL's own MD4 from the
// legacy provider (present in Debian's libcrypto; absent from the static mingw build, which is why
// rdwarm carries its own).
TEST(Md4, MatchesOpenSslLegacyProviderAtEveryLength) {
  OSSL_PROVIDER* legacy = OSSL_PROVIDER_try_load(nullptr, "legacy", 1);
  if (legacy == nullptr) GTEST_SKIP() << "OpenSSL's legacy provider is not available here";
  EVP_MD* md = EVP_MD_fetch(nullptr, "MD4", "provider=legacy");
  ASSERT_NE(md, nullptr);
  ByteVector data;
  for (std::size_t n = 0; n <= 300; ++n) {
    std::array<std::uint8_t, 16> expected{};
    unsigned int len = 0;
    ASSERT_EQ(EVP_Digest(data.data(), data.size(), expected.data(), &len, md, nullptr), 1);
    ASSERT_EQ(len, 16u);
    EXPECT_EQ(md4(data), expected) << "length " << n;
    data.push_back(static_cast<std::uint8_t>(n * 7 + 3));
  }
  EVP_MD_free(md);
  OSSL_PROVIDER_unload(legacy);
}

// RFC 2202 section 2 (HMAC-MD5 test cases 1, 2, 3 and 6).
TEST(HmacMd5, Rfc2202TestCases) {
  EXPECT_EQ(to_hex(hmac_md5(ByteVector(16, 0x0b), {text("Hi There")})),
            "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(to_hex(hmac_md5(text("Jefe"), {text("what do ya want for nothing?")})),
            "750c783e6ab0b503eaa86e310a5db738");
  EXPECT_EQ(to_hex(hmac_md5(ByteVector(16, 0xaa), {ByteVector(50, 0xdd)})),
            "56be34521d144c88dbb8c733f0e8b3f6");
  EXPECT_EQ(to_hex(hmac_md5(ByteVector(80, 0xaa),
                            {text("Test Using Larger Than Block-Size Key - Hash Key First")})),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

TEST(HmacMd5, PartsAreConcatenated) {
  const ByteVector key = text("Jefe");
  EXPECT_EQ(hmac_md5(key, {text("what do ya "), ByteVector{}, text("want for nothing?")}),
            hmac_md5(key, {text("what do ya want for nothing?")}));
  EXPECT_NE(hmac_md5(key, {text("a")}), hmac_md5(key, {text("b")}));
  // An empty key is a valid HMAC key (RFC 2104 pads it with zeros).
  EXPECT_EQ(hmac_md5(ByteVector{}, {text("x")}), hmac_md5(ByteVector(16, 0), {text("x")}));
}

// The stream continues where the previous call stopped: any split of the input gives the bytes
// one call over the whole input gives.
TEST(Rc4Stream, ContinuesAcrossCalls) {
  const ByteVector key = hex("0102030405");
  const ByteVector zeros(32, 0);
  Rc4Stream stream(key);
  ByteVector out = stream.process(std::span(zeros).first(5));
  const ByteVector rest = stream.process(std::span(zeros).subspan(5));
  out.insert(out.end(), rest.begin(), rest.end());
  // RFC 6229, 40-bit key 0x0102030405, keystream bytes 0..31.
  EXPECT_EQ(to_hex(out), "b2396305f03dc027ccc3524a0a1118a86982944f18fc82d589c403a47a0d0919");
  EXPECT_EQ(out, rc4(key, zeros));
}

TEST(Rc4Stream, CopyKeepsThePosition) {
  const ByteVector key = hex("f3b1e03bfeb4f2c528a948cd90f193e5");
  Rc4Stream a(key);
  (void)a.process(ByteVector(7, 0));
  Rc4Stream b = a;
  EXPECT_EQ(a.process(ByteVector(9, 0)), b.process(ByteVector(9, 0)));
  ByteVector data = text("in place");
  Rc4Stream c(key);
  c.apply(data);
  EXPECT_EQ(data, rc4(key, text("in place")));
}

}  // namespace
}  // namespace rdwarm::crypto
