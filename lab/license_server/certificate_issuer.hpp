// The lab license server's certificate authority: the X.509 chain a license server issues to a
// session host (MS-RDPELE 2.2.1.4.2, 3.2.1.3), modelled on the MS-RDPELE 4.1 sample chain.
// Field-by-field description: docs/lab-certificates.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

// An RSA key pair in the form the licensing code uses: the public key (big-endian modulus) and the
// big-endian private exponent that crypto::raw_rsa_decrypt_le takes.
struct RsaKeyPair {
  crypto::RsaPublicKey public_key;
  std::vector<std::uint8_t> private_exponent;  // big-endian, as BN_bn2bin gives it
};

// A fresh key pair of `bits` bits, public exponent 65537. Aborts if OpenSSL cannot generate one
// (nothing in the lab can work then).
RsaKeyPair generate_rsa_key_pair(int bits);

// The license server's own RSA key pair and self-signed certificate, generated once per lab
// process.
struct IssuerIdentity;

class CertificateIssuer {
 public:
  // Generates the license server's key (RSA 2048) and its self-signed certificate.
  explicit CertificateIssuer(std::string license_server_name = "LAB-LS");
  ~CertificateIssuer();
  CertificateIssuer(CertificateIssuer&&) noexcept;
  CertificateIssuer& operator=(CertificateIssuer&&) noexcept;
  CertificateIssuer(const CertificateIssuer&) = delete;
  CertificateIssuer& operator=(const CertificateIssuer&) = delete;

  // The session host's chain, root first: [self-signed license server certificate, session host
  // certificate signed by it]. The host certificate carries `host_key` and the Microsoft licensing
  // extensions, and is valid from now for `validity`.
  Result<std::vector<std::vector<std::uint8_t>>> issue_chain(const std::string& host_name,
                                                             const crypto::RsaPublicKey& host_key,
                                                             std::chrono::seconds validity) const;

  const std::string& name() const;
  // The license server's public key (the key that verifies host certificates).
  const crypto::RsaPublicKey& public_key() const;
  // The self-signed license server certificate (DER), element 0 of every issued chain.
  const std::vector<std::uint8_t>& root_certificate() const;

 private:
  std::string name_;
  std::unique_ptr<IssuerIdentity> identity_;
};

}  // namespace rdwarm::lab
