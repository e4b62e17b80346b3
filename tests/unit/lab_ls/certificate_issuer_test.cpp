// The chain the lab license server issues to a session host: it must read like a Windows license
// server's chain ([MS-RDPELE] 2.2.1.4.2, 2.2.2.9, the 4.1 sample) to our decoders, to the openssl
// command line, and verify with the license server's key.
#include "lab/license_server/certificate_issuer.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "lab/license_server/licensing_extensions.hpp"
#include "licensing/crypto/certificate_summary.hpp"
#include "licensing/crypto/registry_chain.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/unit/lab_ls/lab_ls_support.hpp"

namespace rdwarm::lab {
namespace {

using testing::ByteVector;
using namespace std::chrono_literals;

std::vector<ByteVector> issue(const std::string& host, std::chrono::seconds validity = 86400s) {
  auto chain =
      testing::shared_issuer().issue_chain(host, testing::host_key_pair().public_key, validity);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message());
  return chain.ok() ? chain.value() : std::vector<ByteVector>{};
}

TEST(CertificateIssuer, ChainDecodesWithOurSummaries) {
  const auto before = static_cast<std::int64_t>(std::time(nullptr));
  const auto chain = issue("SH01", 90 * 86400s);
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0], testing::shared_issuer().root_certificate());

  auto root = crypto::summarize_certificate(chain[0], "root");
  auto leaf = crypto::summarize_certificate(chain[1], "leaf");
  ASSERT_TRUE(root.ok()) << root.error().message();
  ASSERT_TRUE(leaf.ok()) << leaf.error().message();

  // Names as in the sample: one multi-valued RDN (RFC 2253 prints it L first).
  EXPECT_EQ(root->subject, "L=WORKGROUP+CN=LAB-LS");
  EXPECT_EQ(root->issuer, root->subject);
  EXPECT_TRUE(root->is_ca);
  EXPECT_FALSE(root->has_microsoft_licensing_extensions);
  EXPECT_EQ(root->key_bits, 2048u);

  EXPECT_EQ(leaf->issuer, root->subject);
  EXPECT_NE(leaf->subject.find("CN=ncalrpc:SH01"), std::string::npos) << leaf->subject;
  EXPECT_NE(leaf->subject.find("L=ncalrpc:SH01"), std::string::npos) << leaf->subject;
  EXPECT_NE(leaf->subject.find("serialNumber="), std::string::npos) << leaf->subject;
  EXPECT_FALSE(leaf->is_ca);
  EXPECT_TRUE(leaf->has_microsoft_licensing_extensions);
  EXPECT_EQ(leaf->key_bits, 2048u);
  EXPECT_NE(leaf->serial_hex, root->serial_hex);

  // Validity as requested, starting now.
  EXPECT_EQ(leaf->not_after_unix - leaf->not_before_unix, 90 * 86400);
  EXPECT_GE(leaf->not_before_unix, before);
  EXPECT_LE(leaf->not_before_unix, static_cast<std::int64_t>(std::time(nullptr)));
  EXPECT_LE(root->not_before_unix, leaf->not_before_unix);
  EXPECT_GE(root->not_after_unix, leaf->not_after_unix);

  auto key = crypto::certificate_rsa_public_key(chain[1]);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, testing::host_key_pair().public_key);
  auto root_key = crypto::certificate_rsa_public_key(chain[0]);
  ASSERT_TRUE(root_key.ok());
  EXPECT_EQ(*root_key, testing::shared_issuer().public_key());
}

TEST(CertificateIssuer, ServerCertificateBlobCarriesTheHostKey) {
  const auto chain = issue("SH02");
  for (const bool temporary : {false, true}) {
    const auto blob = crypto::encode_x509_chain_certificate(chain, temporary);
    auto cert = crypto::decode_server_certificate(blob);
    ASSERT_TRUE(cert.ok()) << cert.error().message();
    EXPECT_EQ(cert->kind, crypto::CertificateKind::X509Chain);
    EXPECT_EQ(cert->temporary_bit, temporary);
    ASSERT_EQ(cert->chain.size(), 2u);
    // The key a client encrypts its premaster secret with (MS-RDPELE 5.1.1.1): the last one's.
    EXPECT_EQ(cert->key, testing::host_key_pair().public_key);
  }
}

// A client encrypts its premaster secret with the key it reads from the chain; the session host
// decrypts it with the private half of the key pair the chain was issued for.
TEST(CertificateIssuer, PremasterEncryptedToTheChainKeyDecryptsWithTheHostKeyPair) {
  const auto chain = issue("SH02");
  auto cert = crypto::decode_server_certificate(crypto::encode_x509_chain_certificate(chain, true));
  ASSERT_TRUE(cert.ok());
  std::vector<std::uint8_t> premaster(48);
  for (std::size_t i = 0; i < premaster.size(); ++i) {
    premaster[i] = static_cast<std::uint8_t>(0x30 + i);
  }
  auto encrypted = crypto::encrypt_premaster_secret(cert->key, premaster);
  ASSERT_TRUE(encrypted.ok());
  EXPECT_EQ(encrypted->size(), 256u + 8u);
  const auto& pair = testing::host_key_pair();
  auto plain =
      crypto::raw_rsa_decrypt_le(pair.public_key.modulus, pair.private_exponent, *encrypted);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(std::equal(premaster.begin(), premaster.end(), plain->begin()));
}

TEST(CertificateIssuer, RegistryEncodingRoundTrips) {
  const auto chain = issue("SH03", 3600s);
  auto decoded =
      crypto::decode_registry_certificate_chain(crypto::encode_registry_certificate_chain(chain));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  ASSERT_EQ(decoded->size(), 2u);
  EXPECT_EQ((*decoded)[0].der, chain[0]);
  EXPECT_EQ((*decoded)[1].der, chain[1]);
  EXPECT_EQ((*decoded)[1].not_after_unix - (*decoded)[1].not_before_unix, 3600);
}

TEST(CertificateIssuer, HostCertificateVerifiesWithTheLicenseServerKey) {
  const auto chain = issue("SH04");
  auto root = testing::parse(chain[0]);
  auto leaf = testing::parse(chain[1]);
  ASSERT_TRUE(root && leaf);
  EVP_PKEY* ls_key = X509_get0_pubkey(root.get());
  ASSERT_NE(ls_key, nullptr);
  EXPECT_EQ(X509_verify(root.get(), ls_key), 1);  // self-signed
  EXPECT_EQ(X509_verify(leaf.get(), ls_key), 1);
  // 1.3.14.3.2.29 (OIW sha1WithRSA) in both places, as MS-RDPELE 2.2.2.9 says.
  EXPECT_EQ(X509_get_signature_nid(leaf.get()), NID_sha1WithRSA);
  EXPECT_EQ(X509_get_signature_nid(root.get()), NID_sha1WithRSA);

  // Another issuer's key does not verify it, and neither does a modified certificate.
  const CertificateIssuer other("OTHER-LS");
  auto other_root = testing::parse(other.root_certificate());
  ASSERT_TRUE(other_root);
  EXPECT_NE(X509_verify(leaf.get(), X509_get0_pubkey(other_root.get())), 1);
  ByteVector tampered = chain[1];
  tampered[tampered.size() / 2] ^= 0x01;
  auto bad = testing::parse(tampered);
  if (bad) {
    EXPECT_NE(X509_verify(bad.get(), ls_key), 1);
  }
}

TEST(CertificateIssuer, LicensingExtensionsAreCriticalAndReadable) {
  const auto chain = issue("SH05");
  for (const char* oid :
       {kOidHydraCertVersion, kOidManufacturer, kOidLicensedProductInfo, kOidLicenseServerInfo}) {
    auto ext = testing::extension(chain[1], oid);
    ASSERT_TRUE(ext.has_value()) << oid;
    EXPECT_TRUE(ext->critical) << oid;
    EXPECT_FALSE(testing::extension(chain[0], oid).has_value()) << oid;
  }
  auto info = testing::extension(chain[1], kOidLicenseServerInfo);
  auto decoded = decode_license_server_info(info->value);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded->issuer_name, "LAB-LS");
  EXPECT_EQ(decoded->issuer_id, kLabLicenseServerProductId);
  EXPECT_EQ(decoded->scope, "WORKGROUP");
  const ByteVector version = {0x01, 0x00, 0x05, 0x00};
  EXPECT_EQ(testing::extension(chain[1], kOidHydraCertVersion)->value, version);
}

// Our encodings of the four extensions reproduce the [MS-RDPELE] 4.1 sample's session host
// certificate byte for byte (given the sample's license server name, id and scope).
TEST(CertificateIssuer, ExtensionEncodingsMatchTheSpecSample) {
  const auto sample = testing::sample_chain();
  ASSERT_EQ(sample.size(), 2u);
  const auto& leaf = sample[1];
  EXPECT_EQ(testing::extension(leaf, kOidHydraCertVersion)->value, encode_hydra_cert_version());
  EXPECT_EQ(testing::extension(leaf, kOidManufacturer)->value, encode_manufacturer());
  EXPECT_EQ(testing::extension(leaf, kOidLicensedProductInfo)->value,
            encode_licensed_product_info());
  const auto ls_info = testing::extension(leaf, kOidLicenseServerInfo)->value;
  auto decoded = decode_license_server_info(ls_info);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(*decoded, (LicenseServerInfo{"RODENT", "78440-006-5867045-70347", "WORKGROUP"}));
  EXPECT_EQ(encode_license_server_info(*decoded), ls_info);
}

TEST(CertificateIssuer, LicenseServerInfoDecoderRejectsBadOffsets) {
  auto ok = encode_license_server_info({"LS", "ID", "SCOPE"});
  ByteVector truncated(ok.begin(), ok.begin() + 8);
  EXPECT_FALSE(decode_license_server_info(truncated).ok());
  ByteVector bad = ok;
  bad[8] = 0xF0;  // LsScopeOffset far past the end
  EXPECT_FALSE(decode_license_server_info(bad).ok());
  ByteVector unterminated = ok;
  unterminated.resize(unterminated.size() - 4);  // cut the scope's NUL and the trailing zero
  EXPECT_FALSE(decode_license_server_info(unterminated).ok());
}

TEST(CertificateIssuer, RefusesBadRequests) {
  const auto& issuer = testing::shared_issuer();
  const auto& key = testing::host_key_pair().public_key;
  EXPECT_FALSE(issuer.issue_chain("", key, 60s).ok());
  EXPECT_FALSE(issuer.issue_chain(std::string(300, 'H'), key, 60s).ok());
  EXPECT_FALSE(issuer.issue_chain("SH", key, 0s).ok());
  EXPECT_FALSE(issuer.issue_chain("SH", crypto::RsaPublicKey{}, 60s).ok());
  auto error = issuer.issue_chain("", key, 60s);
  EXPECT_NE(error.error().message().find("host name"), std::string::npos);
}

// The openssl command line reads both certificates and shows the licensing extension OIDs, the
// BMPString names and the OIW signature algorithm.
using rdwarm::testing::run_shell;

TEST(CertificateIssuer, OpensslCommandLineReadsTheChain) {
  const auto chain = issue("SH06");
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rdwarm-lab-ls-" + std::to_string(static_cast<long>(::getpid())));
  std::filesystem::create_directories(dir);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const auto path = dir / ("cert" + std::to_string(i) + ".der");
    {
      std::ofstream f(path, std::ios::binary);
      f.write(reinterpret_cast<const char*>(chain[i].data()),
              static_cast<std::streamsize>(chain[i].size()));
    }
    const auto text =
        run_shell("openssl x509 -inform DER -noout -text -in '" + path.string() + "'");
    EXPECT_EQ(text.exit_code, 0) << text.output;
    EXPECT_NE(text.output.find("Signature Algorithm: sha1WithRSA"), std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("Public Key Algorithm: rsaEncryption"), std::string::npos);
    EXPECT_EQ(text.output.find("rror"), std::string::npos) << text.output;
    const auto asn1 = run_shell("openssl asn1parse -inform DER -in '" + path.string() + "'");
    EXPECT_EQ(asn1.exit_code, 0) << asn1.output;
    EXPECT_NE(asn1.output.find("BMPSTRING"), std::string::npos);
    EXPECT_EQ(asn1.output.find("UTF8STRING"), std::string::npos);
    if (i == 1) {
      for (const char* oid : {"1.3.6.1.4.1.311.18.4: critical", "1.3.6.1.4.1.311.18.2: critical",
                              "1.3.6.1.4.1.311.18.5: critical", "1.3.6.1.4.1.311.18.6: critical",
                              "X509v3 Authority Key Identifier"}) {
        EXPECT_NE(text.output.find(oid), std::string::npos) << oid << "\n" << text.output;
      }
      EXPECT_NE(text.output.find("CN = ncalrpc:SH06 + L = ncalrpc:SH06"), std::string::npos)
          << text.output;
    } else {
      EXPECT_NE(text.output.find("CA:TRUE, pathlen:0"), std::string::npos) << text.output;
    }
  }
  // And openssl's own chain verification accepts the pair (partial chain: the root is not in a
  // trust store; -ignore_critical: it does not know the licensing extensions).
  const auto pem0 = dir / "root.pem";
  const auto pem1 = dir / "leaf.pem";
  run_shell("openssl x509 -inform DER -in '" + (dir / "cert0.der").string() + "' -out '" +
            pem0.string() + "'");
  run_shell("openssl x509 -inform DER -in '" + (dir / "cert1.der").string() + "' -out '" +
            pem1.string() + "'");
  const auto verify = run_shell("openssl verify -auth_level 0 -ignore_critical -CAfile '" +
                                pem0.string() + "' '" + pem1.string() + "'");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rdwarm::lab
