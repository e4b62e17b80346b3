#include "licensing/wire/hex.hpp"

#include <gtest/gtest.h>

#include "licensing/wire/reader.hpp"

namespace rdwarm::wire {
namespace {

TEST(Hex, ParsesRegExportStyleText) {
  auto r = from_hex("02,00,00,00,\r\n  0x1f AB");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(to_hex(*r), "020000001fab");
}

TEST(Hex, RejectsOddDigitsAndGarbage) {
  EXPECT_FALSE(from_hex("abc").ok());
  auto r = from_hex("zz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("offset 0"), std::string::npos);
}

TEST(Reader, StickyErrorNamesPduAndField) {
  const std::uint8_t b[] = {1, 2, 3};
  Reader r(b, "Test PDU");
  EXPECT_EQ(r.u16le("first"), 0x0201);
  EXPECT_EQ(r.u32le("second"), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "Test PDU.second: needs 4 bytes, 1 left (at offset 2)");
  EXPECT_EQ(r.u8("third"), 0);  // still failed, first error kept
  EXPECT_EQ(r.error().field, "second");
}

}  // namespace
}  // namespace rdwarm::wire
