#include "lab/license_server/proprietary_signing.hpp"

#include <algorithm>
#include <cstdlib>

#include "licensing/crypto/digest.hpp"
#include "licensing/crypto/server_certificate.hpp"

namespace rdwarm::lab {
namespace {

// The Terminal Services signing key, MS-RDPBCGR 5.3.3.1.1, as the specification prints it:
// little-endian. Microsoft published the private exponent so that any server can sign its
// proprietary certificate; the signature therefore authenticates nothing.
constexpr std::array<std::uint8_t, 64> kModulusLe = {
    0x3d, 0x3a, 0x5e, 0xbd, 0x72, 0x43, 0x3e, 0xc9, 0x4d, 0xbb, 0xc1, 0x1e, 0x4a, 0xba, 0x5f, 0xcb,
    0x3e, 0x88, 0x20, 0x87, 0xef, 0xf5, 0xc1, 0xe2, 0xd7, 0xb7, 0x6b, 0x9a, 0xf2, 0x52, 0x45, 0x95,
    0xce, 0x63, 0x65, 0x6b, 0x58, 0x3a, 0xfe, 0xef, 0x7c, 0xe7, 0xbf, 0xfe, 0x3d, 0xf6, 0x5c, 0x7d,
    0x6c, 0x5e, 0x06, 0x09, 0x1a, 0xf5, 0x61, 0xbb, 0x20, 0x93, 0x09, 0x5f, 0x05, 0x6d, 0xea, 0x87};
constexpr std::array<std::uint8_t, 64> kPrivateExponentLe = {
    0x87, 0xa7, 0x19, 0x32, 0xda, 0x11, 0x87, 0x55, 0x58, 0x00, 0x16, 0x16, 0x25, 0x65, 0x68, 0xf8,
    0x24, 0x3e, 0xe6, 0xfa, 0xe9, 0x67, 0x49, 0x94, 0xcf, 0x92, 0xcc, 0x33, 0x99, 0xe8, 0x08, 0x60,
    0x17, 0x9a, 0x12, 0x9f, 0x24, 0xdd, 0xb1, 0x24, 0x99, 0xc7, 0x3a, 0xb8, 0x0a, 0x7b, 0x0d, 0xdd,
    0x35, 0x07, 0x79, 0x17, 0x0b, 0x51, 0x9b, 0xb3, 0xc7, 0x10, 0x01, 0x13, 0xe7, 0x3f, 0xf3, 0x5f};
constexpr std::array<std::uint8_t, 4> kPublicExponentLe = {0x5b, 0x7b, 0x88, 0xc0};

constexpr std::size_t kMd5Size = crypto::kMd5Size;
constexpr std::size_t kSignatureSize = kModulusLe.size();  // RSA output, before the padding
// wSignatureBlobType u16 | wSignatureBlobLen u16 precede the signature (MS-RDPBCGR 2.2.1.4.3.1.1).
constexpr std::size_t kSignatureBlobHeaderSize = 4;

template <std::size_t N>
std::vector<std::uint8_t> reversed(const std::array<std::uint8_t, N>& le) {
  return std::vector<std::uint8_t>(le.rbegin(), le.rend());
}

}  // namespace

const crypto::RsaPublicKey& terminal_services_signing_public_key() {
  static const crypto::RsaPublicKey key = crypto::make_rsa_public_key(
      reversed(kModulusLe), static_cast<std::uint32_t>(kPublicExponentLe[0]) |
                                (static_cast<std::uint32_t>(kPublicExponentLe[1]) << 8) |
                                (static_cast<std::uint32_t>(kPublicExponentLe[2]) << 16) |
                                (static_cast<std::uint32_t>(kPublicExponentLe[3]) << 24));
  return key;
}

std::vector<std::uint8_t> proprietary_signed_fields(const crypto::RsaPublicKey& key,
                                                    bool temporary) {
  auto fields = crypto::encode_proprietary_certificate(key, {}, temporary);
  fields.resize(fields.size() - kSignatureBlobHeaderSize);
  return fields;
}

std::array<std::uint8_t, kProprietarySignatureBlockSize> proprietary_signature_block(
    std::span<const std::uint8_t> fields) {
  std::array<std::uint8_t, kProprietarySignatureBlockSize> block{};
  const auto hash = crypto::md5({fields});
  std::copy(hash.begin(), hash.end(), block.begin());
  block[kMd5Size] = 0x00;
  std::fill(block.begin() + kMd5Size + 1, block.end() - 1, 0xFF);
  block.back() = 0x01;
  return block;
}

std::vector<std::uint8_t> sign_proprietary_fields(std::span<const std::uint8_t> fields) {
  static const std::vector<std::uint8_t> modulus_be = reversed(kModulusLe);
  static const std::vector<std::uint8_t> d_be = reversed(kPrivateExponentLe);
  const auto block = proprietary_signature_block(fields);
  // s = m^d mod n over little-endian integers: the same operation as the server-side RSA decrypt.
  auto s = crypto::raw_rsa_decrypt_le(modulus_be, d_be, block);
  // The key and the block are constants of the specification and the block is below the modulus
  // (its top byte is 0x01): this cannot fail.
  if (!s || s->size() != kSignatureSize) std::abort();
  std::vector<std::uint8_t> signature = std::move(s).value();
  signature.resize(kSignatureSize + crypto::kRsaModulusPaddingSize, 0);
  return signature;
}

bool verify_proprietary_signature(std::span<const std::uint8_t> fields,
                                  std::span<const std::uint8_t> signature) {
  if (signature.size() != kSignatureSize &&
      signature.size() != kSignatureSize + crypto::kRsaModulusPaddingSize) {
    return false;
  }
  if (!std::all_of(signature.begin() + kSignatureSize, signature.end(),
                   [](std::uint8_t b) { return b == 0; })) {
    return false;
  }
  auto m = crypto::rsa_public_le(terminal_services_signing_public_key(),
                                 signature.first(kSignatureSize));
  if (!m || m->size() != kSignatureSize) return false;
  const auto expected = proprietary_signature_block(fields);
  // MS-RDPBCGR 5.3.3.1.3: the decrypted value is the 63-byte block (the 64th byte is zero).
  return std::equal(expected.begin(), expected.end(), m->begin()) && m->back() == 0;
}

std::vector<std::uint8_t> signed_proprietary_certificate(const crypto::RsaPublicKey& key,
                                                         bool temporary) {
  const auto fields = proprietary_signed_fields(key, temporary);
  return crypto::encode_proprietary_certificate(key, sign_proprietary_fields(fields), temporary);
}

}  // namespace rdwarm::lab
