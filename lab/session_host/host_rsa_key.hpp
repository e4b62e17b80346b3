// A session host's RSA key pair for licensing: the client encrypts its premaster secret to it
// (MS-RDPELE 5.1.1.1), raw little-endian RSA. The key is kept whole (with its CRT factors) so the
// decryption, the lab's main cost per connection, runs with OpenSSL's CRT path (about 3x faster
// than c^d mod n with the bare private exponent).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

class HostRsaKey {
 public:
  // A fresh key of `bits` bits, public exponent 65537. Aborts if OpenSSL cannot make one (nothing
  // in the lab can work then).
  static std::shared_ptr<const HostRsaKey> generate(int bits);
  ~HostRsaKey();
  HostRsaKey(const HostRsaKey&) = delete;
  HostRsaKey& operator=(const HostRsaKey&) = delete;

  [[nodiscard]] const crypto::RsaPublicKey& public_key() const { return public_key_; }
  [[nodiscard]] const std::vector<std::uint8_t>& private_exponent() const { return d_; }

  // m = c^d mod n for a little-endian c (trailing zero bytes, such as the 8 bytes of padding after
  // an encrypted premaster secret, allowed); modulusLen bytes, little-endian, like
  // crypto::raw_rsa_decrypt_le.
  [[nodiscard]] Result<std::vector<std::uint8_t>> decrypt_le(
      std::span<const std::uint8_t> ciphertext) const;

  struct Native;

 private:
  HostRsaKey() = default;
  std::unique_ptr<Native> native_;
  crypto::RsaPublicKey public_key_;
  std::vector<std::uint8_t> d_;  // big-endian
};

}  // namespace rdwarm::lab
