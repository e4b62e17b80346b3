// The CredSSP TLS binding [MS-CSSP 3.1.5]: which form a negotiated version uses, the binding hashes
// checked against `openssl dgst -sha256` over the concatenation written by the shell (magic text
// typed here, not taken from our constants), and the SubjectPublicKey of certificates made by
// `openssl req`, checked against what `openssl rsa -RSAPublicKey_out` and `openssl asn1parse` say.
#include "licensing/crypto/credssp_binding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "licensing/crypto/digest.hpp"
#include "licensing/wire/hex.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/vectors.hpp"
#include "tests/unit/credssp/openssl_cli.hpp"

namespace rdwarm::crypto::credssp {
namespace {

using Blob = std::vector<std::uint8_t>;
using testing::quoted;
using testing::run_shell;

ClientNonce nonce_0_to_31() {
  ClientNonce n{};
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i);
  return n;
}

TEST(CredsspVersions, NegotiatedVersionAndBindingForm) {
  EXPECT_EQ(negotiated_version(6, 2), 2u);
  EXPECT_EQ(negotiated_version(6, 6), 6u);
  EXPECT_EQ(negotiated_version(6, 9), 6u);  // a newer peer follows us
  EXPECT_EQ(negotiated_version(3, 6), 3u);
  for (std::uint32_t v : {2u, 3u, 4u}) {
    EXPECT_EQ(binding_form(v), BindingForm::PublicKeyEcho) << v;
    EXPECT_FALSE(uses_client_nonce(v));
  }
  for (std::uint32_t v : {5u, 6u, 7u}) {
    EXPECT_EQ(binding_form(v), BindingForm::Sha256Hash) << v;
    EXPECT_TRUE(uses_client_nonce(v));
  }
}

TEST(CredsspBinding, Sha256MatchesFips180Example) {
  // FIPS 180-2 appendix B.1: SHA-256("abc").
  const Blob abc{'a', 'b', 'c'};
  const auto h = sha256({abc});
  EXPECT_EQ(wire::to_hex(h), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const Blob a{'a'}, bc{'b', 'c'};
  EXPECT_EQ(sha256({a, bc}), h);  // parts hash as their concatenation
}

TEST(CredsspBinding, PublicKeyEchoForVersions2To4) {
  const Blob key{0x30, 0x82, 0x01, 0x0a, 0x02};
  EXPECT_EQ(incremented_public_key(key), (Blob{0x31, 0x82, 0x01, 0x0a, 0x02}));
  EXPECT_EQ(incremented_public_key(Blob{0xFF, 0x01}), (Blob{0x00, 0x01}));  // wraps
  EXPECT_TRUE(incremented_public_key({}).empty());
  const auto nonce = nonce_0_to_31();
  for (std::uint32_t v : {2u, 3u, 4u}) {
    EXPECT_EQ(client_pub_key_auth(v, nonce, key), key);
    EXPECT_EQ(server_pub_key_auth(v, nonce, key), incremented_public_key(key));
    EXPECT_TRUE(verify_server_pub_key_auth(v, nonce, key, incremented_public_key(key)).ok());
    EXPECT_TRUE(verify_client_pub_key_auth(v, nonce, key, key).ok());
    // The server echoing the key unchanged, or the hash form, is refused.
    auto same = verify_server_pub_key_auth(v, nonce, key, key);
    ASSERT_FALSE(same.ok());
    EXPECT_NE(same.error().message().find("not bound"), std::string::npos);
    EXPECT_FALSE(verify_server_pub_key_auth(v, nonce, key, server_client_hash(nonce, key)).ok());
  }
}

TEST(CredsspBinding, HashFormFromVersion5) {
  const Blob key{0x30, 0x82, 0x01, 0x0a, 0x02};
  const auto nonce = nonce_0_to_31();
  for (std::uint32_t v : {5u, 6u}) {
    const auto c = client_server_hash(nonce, key);
    const auto s = server_client_hash(nonce, key);
    EXPECT_NE(c, s);
    EXPECT_EQ(client_pub_key_auth(v, nonce, key), Blob(c.begin(), c.end()));
    EXPECT_EQ(server_pub_key_auth(v, nonce, key), Blob(s.begin(), s.end()));
    EXPECT_TRUE(verify_server_pub_key_auth(v, nonce, key, s).ok());
    EXPECT_TRUE(verify_client_pub_key_auth(v, nonce, key, c).ok());
    EXPECT_FALSE(verify_server_pub_key_auth(v, nonce, key, c).ok());  // the client's, reflected
    EXPECT_FALSE(verify_server_pub_key_auth(v, nonce, key, incremented_public_key(key)).ok());
    auto flipped = s;
    flipped[31] ^= 0x01;
    EXPECT_FALSE(verify_server_pub_key_auth(v, nonce, key, flipped).ok());
    EXPECT_FALSE(verify_server_pub_key_auth(v, nonce, key, ByteView(s).first(31)).ok());
    auto other_nonce = nonce;
    other_nonce[0] ^= 0x80;
    EXPECT_FALSE(verify_server_pub_key_auth(v, other_nonce, key, s).ok());
  }
  EXPECT_EQ(CLIENT_SERVER_HASH_MAGIC.size(), 38u);
  EXPECT_EQ(CLIENT_SERVER_HASH_MAGIC.back(), '\0');
}

// A certificate made by `openssl req`, its SubjectPublicKey as openssl sees it, in `dir`.
struct TestCertificate {
  Blob der;
  Blob subject_public_key;  // from openssl, independently of our code
};

TestCertificate make_rsa_certificate(const std::filesystem::path& dir) {
  const auto key = dir / "rsa.key", cert = dir / "rsa.der", pub = dir / "rsa-pub.pem",
             pkcs1 = dir / "rsa-pkcs1.der";
  auto r = run_shell("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + quoted(key) +
                     " -outform DER -out " + quoted(cert) + " -subj /CN=rdwarm-credssp -days 2");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run_shell("openssl x509 -inform DER -in " + quoted(cert) + " -pubkey -noout > " +
                quoted(pub) + " && openssl rsa -pubin -in " + quoted(pub) +
                " -RSAPublicKey_out -outform DER -out " + quoted(pkcs1));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return {testing::read_file(cert), testing::read_file(pkcs1)};
}

TestCertificate make_ec_certificate(const std::filesystem::path& dir) {
  const auto key = dir / "ec.key", cert = dir / "ec.der", pub = dir / "ec-pub.pem",
             spki = dir / "ec-spki.der";
  auto r = run_shell(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout " +
      quoted(key) + " -outform DER -out " + quoted(cert) + " -subj /CN=rdwarm-credssp-ec -days 2");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run_shell("openssl x509 -inform DER -in " + quoted(cert) + " -pubkey -noout > " +
                quoted(pub) + " && openssl pkey -pubin -in " + quoted(pub) + " -outform DER -out " +
                quoted(spki));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }: take the BIT
  // STRING's contents after its unused-bits octet, at the offsets openssl asn1parse reports.
  const Blob spki_der = testing::read_file(spki);
  Blob bits;
  for (const auto& line : testing::asn1parse(spki_der, dir)) {
    if (line.depth == 1 && line.type == "BIT STRING") {
      const auto begin = spki_der.begin() + static_cast<long>(line.offset + line.header_length);
      EXPECT_EQ(*begin, 0x00);  // no unused bits
      bits.assign(begin + 1, begin + static_cast<long>(line.length));
    }
  }
  return {testing::read_file(cert), bits};
}

// SHA-256 over magic || nonce || key, computed by the shell and openssl.
std::string openssl_binding_hash(const std::filesystem::path& dir, const char* magic_text,
                                 const ClientNonce& nonce, const Blob& key) {
  const auto nonce_file = dir / "nonce.bin", key_file = dir / "key.bin", all = dir / "hashed.bin";
  testing::write_file(nonce_file, Blob(nonce.begin(), nonce.end()));
  testing::write_file(key_file, key);
  const auto r = run_shell(std::string("printf '") + magic_text + "\\000' > " + quoted(all) +
                           " && cat " + quoted(nonce_file) + " " + quoted(key_file) + " >> " +
                           quoted(all) + " && openssl dgst -sha256 -r " + quoted(all));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output.substr(0, 64);
}

TEST(CredsspBindingOpenssl, SubjectPublicKeyOfRsaAndEcCertificates) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-binding");
  for (const auto& cert : {make_rsa_certificate(dir.path()), make_ec_certificate(dir.path())}) {
    ASSERT_FALSE(cert.subject_public_key.empty());
    auto spk = subject_public_key(cert.der);
    ASSERT_TRUE(spk.ok()) << spk.error().message();
    EXPECT_EQ(*spk, cert.subject_public_key);
  }
  // For RSA that is the PKCS#1 RSAPublicKey: SEQUENCE { modulus, publicExponent }.
  const auto rsa = make_rsa_certificate(dir.path());
  auto spk = subject_public_key(rsa.der);
  ASSERT_TRUE(spk.ok());
  EXPECT_EQ(wire::to_hex(ByteView(*spk).first(4), " "), "30 82 01 0a");
}

TEST(CredsspBindingOpenssl, BindingHashesMatchAnIndependentComputation) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-binding");
  const auto cert = make_rsa_certificate(dir.path());
  auto spk = subject_public_key(cert.der);
  ASSERT_TRUE(spk.ok()) << spk.error().message();
  for (const auto& nonce : {nonce_0_to_31(), ClientNonce{}}) {
    EXPECT_EQ(
        wire::to_hex(client_server_hash(nonce, *spk)),
        openssl_binding_hash(dir.path(), "CredSSP Client-To-Server Binding Hash", nonce, *spk));
    EXPECT_EQ(
        wire::to_hex(server_client_hash(nonce, *spk)),
        openssl_binding_hash(dir.path(), "CredSSP Server-To-Client Binding Hash", nonce, *spk));
  }
}

TEST(CredsspBinding, SubjectPublicKeyRefusesWhatIsNotACertificate) {
  EXPECT_FALSE(subject_public_key({}).ok());
  const Blob garbage{0x30, 0x03, 0x02, 0x01, 0x01};
  auto g = subject_public_key(garbage);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("TLS server certificate: is not a DER X.509 certificate"),
            std::string::npos)
      << g.error().message();
}

TEST(CredsspBindingOpenssl, SubjectPublicKeyRefusesTruncatedAndTrailingBytes) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-binding");
  const auto cert = make_rsa_certificate(dir.path());
  for (std::size_t n : {std::size_t{1}, std::size_t{4}, cert.der.size() / 2, cert.der.size() - 1}) {
    EXPECT_FALSE(subject_public_key(ByteView(cert.der).first(n)).ok()) << n;
  }
  Blob trailing = cert.der;
  trailing.push_back(0x00);
  auto t = subject_public_key(trailing);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("1 bytes follow the certificate"), std::string::npos);
}

}  // namespace
}  // namespace rdwarm::crypto::credssp
