// The registry value "X509 Certificate2": {version, count, count x (cb, DER)}.
#include "licensing/crypto/registry_chain.hpp"

#include <gtest/gtest.h>

#include "licensing/crypto/server_certificate.hpp"
#include "tests/unit/crypto/crypto_vectors.hpp"

namespace rdwarm::crypto {
namespace {

using testing::ByteVector;
using testing::hex;

// The DER certificates of the [MS-RDPELE] 4.1 chain, root first.
std::vector<ByteVector> spec_ders() {
  auto cert = decode_server_certificate(testing::server_license_request_parts().server_certificate);
  EXPECT_TRUE(cert.ok());
  std::vector<ByteVector> ders;
  if (cert.ok()) {
    for (const auto& c : cert->chain) ders.push_back(c.der);
  }
  return ders;
}

TEST(RegistryChain, EncodesTheDocumentedLayout) {
  const auto ders = spec_ders();
  ASSERT_EQ(ders.size(), 2u);
  const ByteVector value = encode_registry_certificate_chain(ders, 2);
  ASSERT_EQ(value.size(), 4 + 4 + 4 + 757 + 4 + 1277u);
  EXPECT_EQ(testing::slice(value, 0, 12), hex("02000000 02000000 f5020000"));
  EXPECT_EQ(testing::slice(value, 12, 757), ders[0]);
  EXPECT_EQ(testing::slice(value, 12 + 757, 4), hex("fd040000"));
  EXPECT_EQ(testing::slice(value, 12 + 757 + 4, 1277), ders[1]);
}

TEST(RegistryChain, DecodesRootFirstLeafLast) {
  const auto ders = spec_ders();
  auto chain = decode_registry_certificate_chain(encode_registry_certificate_chain(ders));
  ASSERT_TRUE(chain.ok()) << chain.error().message();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0].subject, "L=WORKGROUP+CN=RODENT");
  EXPECT_TRUE((*chain)[0].is_ca);
  EXPECT_EQ((*chain)[1].issuer, "L=WORKGROUP+CN=RODENT");
  EXPECT_EQ((*chain)[1].not_after, "2038-01-19T03:14:07Z");
  EXPECT_TRUE((*chain)[1].has_microsoft_licensing_extensions);
  EXPECT_EQ((*chain)[1].der, ders[1]);
}

TEST(RegistryChain, SameShapeAsTheX509ServerCertificate) {
  // The SERVER_CERTIFICATE of the sample, padding and all, reads as a registry value too.
  auto chain =
      decode_registry_certificate_chain(testing::server_license_request_parts().server_certificate);
  ASSERT_TRUE(chain.ok()) << chain.error().message();
  EXPECT_EQ(chain->size(), 2u);
}

TEST(RegistryChain, AcceptsASingleCertificate) {
  const auto ders = spec_ders();
  auto chain = decode_registry_certificate_chain(encode_registry_certificate_chain({ders[1]}));
  ASSERT_TRUE(chain.ok()) << chain.error().message();
  EXPECT_EQ(chain->size(), 1u);
}

TEST(RegistryChain, EveryTruncationFails) {
  const ByteVector value = encode_registry_certificate_chain(spec_ders());
  for (std::size_t n = 0; n < value.size(); ++n) {
    auto r = decode_registry_certificate_chain(std::span(value).first(n));
    ASSERT_FALSE(r.ok()) << "prefix " << n;
  }
}

TEST(RegistryChain, CountAndLengthErrors) {
  ByteVector value = encode_registry_certificate_chain(spec_ders());
  for (std::uint8_t count : {std::uint8_t{0}, std::uint8_t{201}}) {
    ByteVector v = value;
    v[4] = count;
    auto r = decode_registry_certificate_chain(v);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().where, "X509 Certificate2");
    EXPECT_EQ(r.error().field, "count");
  }
  value[8] = 0xff;  // cbCert[0] = 0x2ff
  value[9] = 0xff;  // cbCert[0] = 0xffff: beyond the value
  auto r = decode_registry_certificate_chain(value);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "cbCert[0]");
  EXPECT_NE(r.error().what.find("length 65535 exceeds the"), std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace rdwarm::crypto
