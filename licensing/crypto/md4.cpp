#include "licensing/crypto/md4.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace rdwarm::crypto {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int s) {
  return (x << s) | (x >> (32 - s));
}
constexpr std::uint32_t f(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) | (~x & z);
}
constexpr std::uint32_t g(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) | (x & z) | (y & z);
}
constexpr std::uint32_t h(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return x ^ y ^ z;
}

// RFC 1320 3.4: one 64-byte block into the state (a, b, c, d).
void process_block(std::array<std::uint32_t, 4>& state, const std::uint8_t* block) {
  std::uint32_t x[16];
  for (int i = 0; i < 16; ++i) {
    const std::uint8_t* p = block + 4 * i;
    x[i] = static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
  }
  std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];

  // Round 1: [abcd k s] a = (a + F(b,c,d) + X[k]) <<< s, k in order, s = 3, 7, 11, 19.
  constexpr int s1[4] = {3, 7, 11, 19};
  for (int i = 0; i < 16; ++i) {
    const std::uint32_t t = rotl(a + f(b, c, d) + x[i], s1[i % 4]);
    a = d;
    d = c;
    c = b;
    b = t;
  }
  // Round 2: a = (a + G(b,c,d) + X[k] + 5A827999) <<< s, k = 0,4,8,12,1,5,..., s = 3, 5, 9, 13.
  constexpr int s2[4] = {3, 5, 9, 13};
  for (int i = 0; i < 16; ++i) {
    const int k = (i % 4) * 4 + i / 4;
    const std::uint32_t t = rotl(a + g(b, c, d) + x[k] + 0x5A827999u, s2[i % 4]);
    a = d;
    d = c;
    c = b;
    b = t;
  }
  // Round 3: a = (a + H(b,c,d) + X[k] + 6ED9EBA1) <<< s, k = 0,8,4,12,2,10,..., s = 3, 9, 11, 15.
  constexpr int s3[4] = {3, 9, 11, 15};
  constexpr int k3[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
  for (int i = 0; i < 16; ++i) {
    const std::uint32_t t = rotl(a + h(b, c, d) + x[k3[i]] + 0x6ED9EBA1u, s3[i % 4]);
    a = d;
    d = c;
    c = b;
    b = t;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  OPENSSL_cleanse(x, sizeof x);
}

}  // namespace

std::array<std::uint8_t, kMd4Size> md4(std::span<const std::uint8_t> data) {
  std::array<std::uint32_t, 4> state = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u};
  std::size_t done = 0;
  for (; data.size() - done >= 64; done += 64) process_block(state, data.data() + done);

  // RFC 1320 3.1-3.2: a 1 bit, zeros up to 56 mod 64, then the bit length as 64-bit little endian.
  std::uint8_t tail[128] = {};
  const std::size_t rest = data.size() - done;
  if (rest != 0) std::memcpy(tail, data.data() + done, rest);
  tail[rest] = 0x80;
  const std::size_t tail_len = rest < 56 ? 64 : 128;
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) {
    tail[tail_len - 8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bits >> (8 * i));
  }
  for (std::size_t at = 0; at < tail_len; at += 64) process_block(state, tail + at);
  OPENSSL_cleanse(tail, sizeof tail);

  std::array<std::uint8_t, kMd4Size> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j)
      out[4 * i + j] = static_cast<std::uint8_t>(state[i] >> (8 * j));
  }
  return out;
}

}  // namespace rdwarm::crypto
