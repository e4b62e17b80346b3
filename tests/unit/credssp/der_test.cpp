// The strict DER reader and writer under CredSSP and SPNEGO: encodings checked against X.690's own
// examples and against `openssl asn1parse`, and every kind of malformed input refused with an error
// that names the structure, the field and the offset.
#include "licensing/wire/der.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/vectors.hpp"
#include "tests/unit/credssp/openssl_cli.hpp"

namespace rdwarm::wire::der {
namespace {

using testing::hex;

template <class Fn>
std::vector<std::uint8_t> written(Fn&& fn) {
  std::vector<std::uint8_t> out;
  Writer w(out);
  fn(w);
  return out;
}

std::string error_of(const Reader& r) {
  return r.ok() ? std::string("(no error)") : r.error().message();
}

TEST(DerWriter, LengthsUseTheShortestForm) {
  struct Case {
    std::size_t length;
    const char* header;  // after the tag
  };
  for (const Case& c : {Case{0, "00"}, Case{127, "7f"}, Case{128, "81 80"}, Case{255, "81 ff"},
                        Case{256, "82 01 00"}, Case{65535, "82 ff ff"}, Case{65536, "83 01 00 00"},
                        Case{0x1000000, "84 01 00 00 00"}}) {
    const auto bytes = written([&](Writer& w) { write_header(w, TAG_OCTET_STRING, c.length); });
    EXPECT_EQ(to_hex(bytes, " "), std::string("04 ") + c.header) << c.length;
    EXPECT_EQ(bytes.size(), 1 + length_size(c.length));
    EXPECT_EQ(tlv_size(c.length), bytes.size() + c.length);
  }
}

TEST(DerWriter, IntegersAreMinimalTwosComplement) {
  struct Case {
    std::int64_t value;
    const char* der;
  };
  // X.690 8.3.2: no leading octet that only repeats the sign of the next.
  for (const Case& c :
       {Case{0, "02 01 00"}, Case{127, "02 01 7f"}, Case{128, "02 02 00 80"},
        Case{255, "02 02 00 ff"}, Case{256, "02 02 01 00"}, Case{-1, "02 01 ff"},
        Case{-128, "02 01 80"}, Case{-129, "02 02 ff 7f"},
        Case{static_cast<std::int32_t>(0xC000006Du), "02 04 c0 00 00 6d"},
        Case{0xC000006D, "02 05 00 c0 00 00 6d"},
        Case{std::numeric_limits<std::int64_t>::max(), "02 08 7f ff ff ff ff ff ff ff"},
        Case{std::numeric_limits<std::int64_t>::min(), "02 08 80 00 00 00 00 00 00 00"}}) {
    const auto bytes = written([&](Writer& w) { write_integer(w, c.value); });
    EXPECT_EQ(to_hex(bytes, " "), c.der) << c.value;
    EXPECT_EQ(integer_size(c.value), bytes.size());
    Reader r(bytes, "test");
    EXPECT_EQ(read_integer(r, "value"), c.value);
    EXPECT_TRUE(r.ok() && r.empty()) << error_of(r);
  }
}

TEST(DerWriter, OidsEncodeAsX690Says) {
  // X.690 8.19.5's example: { 2 999 3 } is 06 03 88 37 03.
  EXPECT_EQ(to_hex(written([](Writer& w) {
                     write_oid(w, Oid{2, 999, 3});
                   }),
                   " "),
            "06 03 88 37 03");
  // The SPNEGO OID as every initial token carries it [RFC 4178 3].
  EXPECT_EQ(to_hex(written([](Writer& w) {
                     write_oid(w, Oid{1, 3, 6, 1, 5, 5, 2});
                   }),
                   " "),
            "06 06 2b 06 01 05 05 02");
  EXPECT_EQ(to_hex(written([](Writer& w) {
                     write_oid(w, Oid{1, 2, 840, 113554, 1, 2, 2});
                   }),
                   " "),
            "06 09 2a 86 48 86 f7 12 01 02 02");
  EXPECT_EQ((Oid{1, 2, 840, 48018, 1, 2, 2}.to_string()), "1.2.840.48018.1.2.2");
  EXPECT_EQ(oid_size(Oid{2, 999, 3}), 5u);
}

TEST(DerReader, OidsRoundTripIncludingLargeArcs) {
  for (const Oid& oid :
       {Oid{0, 0}, Oid{0, 39}, Oid{1, 39, 0}, Oid{2, 40}, Oid{2, 999, 3}, Oid{2, 4294967215u},
        Oid{1, 3, 6, 1, 4, 1, 311, 2, 2, 30}, Oid{1, 2, 4294967295u, 0, 127, 128, 16383, 16384}}) {
    const auto bytes = written([&](Writer& w) { write_oid(w, oid); });
    Reader r(bytes, "test");
    EXPECT_EQ(read_oid(r, "oid"), oid) << oid.to_string();
    EXPECT_TRUE(r.ok() && r.empty()) << error_of(r);
  }
}

// Decodes `hex_bytes` with `read` and returns the error message (empty when it succeeded).
template <class Read>
std::string failure(const std::string& hex_bytes, Read&& read) {
  const auto bytes = hex(hex_bytes);
  Reader r(bytes, "Test PDU");
  read(r);
  return r.ok() ? std::string() : r.error().message();
}

TEST(DerReader, RefusesMalformedHeadersNamingTheField) {
  const auto header = [](Reader& r) { (void)read_header(r, TAG_SEQUENCE, "body"); };
  struct Case {
    const char* bytes;
    const char* says;
  };
  for (const Case& c : {
           Case{"", "Test PDU.body: needs 1 bytes, 0 left (at offset 0)"},
           Case{"30", "Test PDU.body: needs 1 bytes, 0 left (at offset 1)"},
           Case{"31 00", "Test PDU.body: tag is 0x31, expected 0x30"},
           Case{"30 80 00 00", "indefinite length is not allowed in DER"},
           Case{"30 81 05 00 00 00 00 00", "length 5 in the long form (not minimal DER)"},
           Case{"30 82 00 80", "leading zero octet (not minimal DER)"},
           Case{"30 85 01 00 00 00 00", "5 length octets is too large"},
           Case{"30 82 01", "needs 1 bytes, 0 left (at offset 3)"},
           Case{"30 03 00 00", "length 3 is beyond the buffer (2 bytes left)"},
           Case{"30 81 80", "length 128 is beyond the buffer (0 bytes left)"},
           Case{"30 84 ff ff ff ff", "length 4294967295 is beyond the buffer (0 bytes left)"},
       }) {
    const std::string message = failure(c.bytes, header);
    EXPECT_NE(message.find(c.says), std::string::npos) << c.bytes << " -> " << message;
    EXPECT_NE(message.find("Test PDU.body"), std::string::npos) << message;
  }
  EXPECT_EQ(failure("30 00", header), "");
}

TEST(DerReader, RefusesBadIntegers) {
  const auto integer = [](Reader& r) { (void)read_integer(r, "n"); };
  EXPECT_NE(failure("02 00", integer).find("INTEGER has no content octets"), std::string::npos);
  EXPECT_NE(failure("02 02 00 05", integer).find("not minimally encoded"), std::string::npos);
  EXPECT_NE(failure("02 02 ff 80", integer).find("not minimally encoded"), std::string::npos);
  EXPECT_NE(failure("02 09 01 00 00 00 00 00 00 00 00", integer).find("does not fit 64 bits"),
            std::string::npos);
  EXPECT_NE(failure("04 01 05", integer).find("tag is 0x04, expected 0x02"), std::string::npos);
  EXPECT_EQ(failure("02 02 00 80", integer), "");

  const auto unsigned32 = [](Reader& r) { (void)read_unsigned(r, "version"); };
  EXPECT_NE(failure("02 01 ff", unsigned32).find("Test PDU.version: INTEGER -1 is outside"),
            std::string::npos);
  EXPECT_NE(failure("02 05 01 00 00 00 00", unsigned32).find("INTEGER 4294967296 is outside"),
            std::string::npos);
  EXPECT_EQ(failure("02 05 00 ff ff ff ff", unsigned32), "");

  const auto status = [](Reader& r) { (void)read_status_code(r, "errorCode"); };
  EXPECT_NE(failure("02 05 01 00 00 00 00", status).find("does not fit a 32-bit status code"),
            std::string::npos);
  EXPECT_NE(failure("02 05 ff 7f ff ff ff", status).find("does not fit a 32-bit status code"),
            std::string::npos);
  for (const char* both : {"02 04 c0 00 00 6d", "02 05 00 c0 00 00 6d"}) {
    const auto bytes = hex(both);
    Reader r(bytes, "test");
    EXPECT_EQ(read_status_code(r, "errorCode"), 0xC000006Du) << both;
    EXPECT_TRUE(r.ok());
  }
}

TEST(DerReader, RefusesBadOids) {
  const auto oid = [](Reader& r) { (void)read_oid(r, "mechType"); };
  EXPECT_NE(failure("06 00", oid).find("Test PDU.mechType: OBJECT IDENTIFIER has no content"),
            std::string::npos);
  EXPECT_NE(failure("06 02 2b 86", oid).find("ends inside a sub-identifier"), std::string::npos);
  EXPECT_NE(failure("06 03 2b 80 01", oid).find("not minimally encoded"), std::string::npos);
  // 1.3.4294967296: one more than 32 bits.
  EXPECT_NE(failure("06 06 2b 90 80 80 80 00", oid).find("arc overflows 32 bits"),
            std::string::npos);
  // A sub-identifier longer than any 64-bit value: refused before it can wrap.
  EXPECT_NE(failure("06 0c 2b ff ff ff ff ff ff ff ff ff ff 7f", oid).find("overflows 32 bits"),
            std::string::npos);
  // 2.(2^32 - 1) is the largest second arc: 80 + 4294967295 = 0x10000004F.
  EXPECT_EQ(failure("06 05 90 80 80 80 4f", oid), "");
  EXPECT_NE(failure("06 05 90 80 80 81 00", oid).find("overflows 32 bits"), std::string::npos);
  std::string many = "06 14";
  for (int i = 0; i < 20; ++i) many += " 01";  // 21 arcs
  EXPECT_NE(failure(many, oid).find("more than 20 arcs"), std::string::npos);
}

TEST(DerReader, RefusesBadBitStrings) {
  const auto bits = [](Reader& r) { (void)read_bit_string(r, "reqFlags"); };
  EXPECT_NE(failure("03 00", bits).find("no unused-bits octet"), std::string::npos);
  EXPECT_NE(failure("03 02 08 00", bits).find("unused-bits octet 8"), std::string::npos);
  EXPECT_NE(failure("03 01 01", bits).find("unused-bits octet 1"), std::string::npos);
  EXPECT_EQ(failure("03 02 05 60", bits), "");
}

TEST(DerReader, NestedReadersReportOffsetsInTheWholeMessage) {
  // SEQUENCE { [0] { INTEGER 2 } , [1] { INTEGER with a non-minimal encoding at offset 11 } }
  const auto bytes = hex("30 0c a0 03 02 01 02 a1 05 02 03 00 00 01");
  Reader top(bytes, "Test PDU");
  Status s = with_contents(bytes, top, TAG_SEQUENCE, "body", [&](Reader& r) -> Status {
    Status f = with_contents(bytes, r, context_tag(0), "first", [&](Reader& c) -> Status {
      EXPECT_EQ(read_integer(c, "first"), 2);
      return Ok{};
    });
    if (!f.ok()) return f;
    return with_contents(bytes, r, context_tag(1), "second", [&](Reader& c) -> Status {
      (void)read_integer(c, "second");
      return Ok{};
    });
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(),
            "Test PDU.second: INTEGER is not minimally encoded (at offset 14)");

  // Contents longer than what the body reads: the leftover is named.
  const auto extra = hex("30 04 02 01 02 00");
  Reader top2(extra, "Test PDU");
  Status s2 = with_contents(extra, top2, TAG_SEQUENCE, "body", [&](Reader& r) -> Status {
    (void)read_integer(r, "n");
    return Ok{};
  });
  ASSERT_FALSE(s2.ok());
  EXPECT_EQ(s2.error().message(), "Test PDU.body: 1 unexpected bytes after the end (at offset 5)");
}

// --- independent cross-checks --------------------------------------------------------------------

TEST(DerOpenssl, AsnParseReadsOurIntegersAndOids) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-der");
  const std::vector<std::int64_t> values{0,  1,    127,  128,   255,        256,
                                         -1, -128, -129, 65535, 0x7FFFFFFF, -2147483648LL};
  const std::vector<Oid> oids{Oid{2, 999, 3}, Oid{1, 3, 6, 1, 5, 5, 2},
                              Oid{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}, Oid{1, 2, 840, 48018, 1, 2, 2},
                              Oid{1, 2, 840, 113554, 1, 2, 2}};
  std::vector<std::uint8_t> content;
  Writer w(content);
  for (auto v : values) write_integer(w, v);
  for (const auto& o : oids) write_oid(w, o);
  std::vector<std::uint8_t> der;
  Writer outer(der);
  write_header(outer, TAG_SEQUENCE, content.size());
  outer.bytes(content);

  const auto lines = testing::asn1parse(der, dir.path());
  ASSERT_EQ(lines.size(), 1 + values.size() + oids.size());
  EXPECT_EQ(lines[0].type, "SEQUENCE");
  EXPECT_EQ(lines[0].length, content.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& line = lines[1 + i];
    EXPECT_EQ(line.type, "INTEGER");
    const std::int64_t v = values[i];
    // asn1parse prints the value in hex, with a '-' for negatives.
    std::string expected = v < 0 ? "-" : "";
    const std::uint64_t magnitude =
        v < 0 ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
    std::string digits = hex_code(static_cast<std::uint32_t>(magnitude), 8).substr(2);
    while (digits.size() > 2 && digits.starts_with("00")) digits.erase(0, 2);
    for (char& ch : digits) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    expected += digits;
    EXPECT_EQ(line.value, expected) << v;
  }
  for (std::size_t i = 0; i < oids.size(); ++i) {
    const auto& line = lines[1 + values.size() + i];
    EXPECT_EQ(line.type, "OBJECT");
    EXPECT_EQ(line.value, oids[i].to_string());
  }
}

TEST(DerOpenssl, WeReadWhatGenconfWrites) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-der");
  const auto der = testing::genconf(
      "asn1 = SEQUENCE:body\n"
      "[body]\n"
      "a = INTEGER:-129\n"
      "b = INTEGER:0x0100000000\n"
      "c = OID:2.999.3\n"
      "d = OID:1.3.6.1.4.1.311.2.2.30\n"
      "e = FORMAT:HEX,OCTETSTRING:" +
          std::string(600, 'a') +
          "\n"
          "f = EXPLICIT:4,ENUMERATED:3\n"
          "g = FORMAT:BITLIST,BITSTRING:1,2\n",
      dir.path());
  ASSERT_FALSE(der.empty());
  Reader top(der, "genconf");
  Status s = with_contents(der, top, TAG_SEQUENCE, "body", [&](Reader& r) -> Status {
    EXPECT_EQ(read_integer(r, "a"), -129);
    EXPECT_EQ(read_integer(r, "b"), 0x0100000000LL);
    EXPECT_EQ(read_oid(r, "c"), (Oid{2, 999, 3}));
    EXPECT_EQ(read_oid(r, "d"), (Oid{1, 3, 6, 1, 4, 1, 311, 2, 2, 30}));
    const Bytes e = read_octet_string(r, "e");
    EXPECT_EQ(e.size(), 300u);
    EXPECT_EQ(e[0], 0xAA);
    Status f = with_contents(der, r, context_tag(4), "f", [&](Reader& c) -> Status {
      EXPECT_EQ(read_integer(c, "f", TAG_ENUMERATED), 3);
      return Ok{};
    });
    EXPECT_TRUE(f.ok());
    EXPECT_EQ(to_hex(read_bit_string(r, "g"), " "), "05 60");  // bits 1 and 2, 5 unused
    return Ok{};
  });
  EXPECT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(top.ok() && top.empty());
}

}  // namespace
}  // namespace rdwarm::wire::der
