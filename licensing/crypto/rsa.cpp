#include "licensing/crypto/rsa.hpp"

#include <openssl/bn.h>

#include <bit>
#include <string>

#include "licensing/crypto/openssl_handles.hpp"

namespace rdwarm::crypto {
namespace {

using detail::BignumPtr;
using detail::BnCtxPtr;

constexpr std::size_t kMaxModulusBytes = kMaxRsaModulusBits / 8;

Error rsa_error(std::string field, std::string what) {
  return make_error("RSA", std::move(field), std::move(what));
}

BignumPtr bn_from_be(std::span<const std::uint8_t> b) {
  return BignumPtr(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
}
BignumPtr bn_from_le(std::span<const std::uint8_t> b) {
  return BignumPtr(BN_lebin2bn(b.data(), static_cast<int>(b.size()), nullptr));
}

// base^exp mod n, written little-endian into out_len bytes. `secret_exponent` selects the
// constant-time path (private key operations on the lab side).
Result<std::vector<std::uint8_t>> mod_exp_le(const BIGNUM* n, BIGNUM* exp,
                                             std::span<const std::uint8_t> input_le,
                                             std::size_t out_len, bool secret_exponent) {
  detail::ErrorScope errors;
  if (input_le.size() > kMaxModulusBytes + kEncryptedSecretPaddingSize) {
    return rsa_error("input",
                     std::to_string(input_le.size()) + " bytes is longer than any modulus");
  }
  BignumPtr m = bn_from_le(input_le);
  BignumPtr r(BN_new());
  BnCtxPtr ctx(BN_CTX_new());
  if (!m || !r || !ctx) return rsa_error("", "out of memory");
  if (BN_cmp(m.get(), n) >= 0) {
    return rsa_error("input", "the value is not smaller than the modulus");
  }
  if (secret_exponent) BN_set_flags(exp, BN_FLG_CONSTTIME);
  if (BN_mod_exp(r.get(), m.get(), exp, n, ctx.get()) != 1) {
    return rsa_error("", "BN_mod_exp failed: " + detail::ErrorScope::last_error("unknown error"));
  }
  std::vector<std::uint8_t> out(out_len);
  if (BN_bn2lebinpad(r.get(), out.data(), static_cast<int>(out.size())) < 0) {
    return rsa_error("", "the result does not fit in " + std::to_string(out_len) + " bytes");
  }
  return out;
}

// Strips leading zero bytes of a big-endian integer.
std::span<const std::uint8_t> trim_be(std::span<const std::uint8_t> b) {
  while (!b.empty() && b.front() == 0) b = b.subspan(1);
  return b;
}

Result<Ok> check_modulus(std::span<const std::uint8_t> modulus_be) {
  if (modulus_be.empty()) return rsa_error("modulus", "is zero");
  if (modulus_be.size() > kMaxModulusBytes) {
    return rsa_error("modulus", std::to_string(modulus_be.size() * 8) +
                                    " bits exceeds the limit of " +
                                    std::to_string(kMaxRsaModulusBits));
  }
  return Ok{};
}

}  // namespace

std::size_t RsaPublicKey::bits() const {
  const auto m = trim_be(modulus);
  if (m.empty()) return 0;
  return (m.size() - 1) * 8 + static_cast<std::size_t>(std::bit_width(m.front()));
}

RsaPublicKey make_rsa_public_key(std::span<const std::uint8_t> modulus_be, std::uint32_t exponent) {
  const auto m = trim_be(modulus_be);
  return RsaPublicKey{std::vector<std::uint8_t>(m.begin(), m.end()), exponent};
}

Result<std::vector<std::uint8_t>> rsa_public_le(const RsaPublicKey& key,
                                                std::span<const std::uint8_t> input) {
  const auto modulus = trim_be(key.modulus);
  if (auto ok = check_modulus(modulus); !ok) return ok.error();
  if (key.exponent == 0) return rsa_error("exponent", "is zero");
  BignumPtr n = bn_from_be(modulus);
  BignumPtr e(BN_new());
  if (!n || !e || BN_set_word(e.get(), key.exponent) != 1) return rsa_error("", "out of memory");
  return mod_exp_le(n.get(), e.get(), input, modulus.size(), false);
}

Result<std::vector<std::uint8_t>> encrypt_premaster_secret(
    const RsaPublicKey& key, std::span<const std::uint8_t> premaster) {
  auto c = rsa_public_le(key, premaster);
  if (!c) {
    Error e = c.error();
    e.where = "EncryptedPreMasterSecret";
    return e;
  }
  c->resize(c->size() + kEncryptedSecretPaddingSize, 0);
  return c;
}

Result<std::vector<std::uint8_t>> raw_rsa_decrypt_le(
    std::span<const std::uint8_t> modulus_be, std::span<const std::uint8_t> private_exponent_be,
    std::span<const std::uint8_t> ciphertext) {
  const auto modulus = trim_be(modulus_be);
  if (auto ok = check_modulus(modulus); !ok) return ok.error();
  // Montgomery multiplication, which the constant-time path uses, needs an odd modulus; every RSA
  // modulus is odd.
  if ((modulus.back() & 1U) == 0) return rsa_error("modulus", "is even");
  if (trim_be(private_exponent_be).empty()) return rsa_error("private exponent", "is zero");
  BignumPtr n = bn_from_be(modulus);
  BignumPtr d = bn_from_be(private_exponent_be);
  if (!n || !d) return rsa_error("", "out of memory");
  auto m = mod_exp_le(n.get(), d.get(), ciphertext, modulus.size(), true);
  BN_clear(d.get());
  return m;
}

}  // namespace rdwarm::crypto
