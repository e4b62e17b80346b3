#include "licensing/crypto/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace rdwarm::crypto {
namespace {

TEST(Random, FillsAndDiffers) {
  std::array<std::uint8_t, 48> a{};
  std::array<std::uint8_t, 48> b{};
  random_bytes(a);
  random_bytes(b);
  EXPECT_NE(a, b);  // 2^-384 chance of a false failure
  EXPECT_NE(a, (std::array<std::uint8_t, 48>{}));
  random_bytes(std::span<std::uint8_t>());  // empty is fine
}

}  // namespace
}  // namespace rdwarm::crypto
