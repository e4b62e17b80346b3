#include "licensing/crypto/server_certificate.hpp"

#include <algorithm>
#include <string>

#include "licensing/crypto/certificate_blobs.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::crypto {
namespace {

constexpr std::string_view kServerCertificate = "SERVER_CERTIFICATE";
constexpr std::string_view kProprietary = "PROPRIETARYSERVERCERTIFICATE";
constexpr std::string_view kRsaPublicKey = "RSA_PUBLIC_KEY";
constexpr std::string_view kX509Chain = "X.509 certificate chain";

std::string hex32(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 0xF];
  return s;
}

// MS-RDPBCGR 2.2.1.4.3.1.1.1: magic, keylen, bitlen, datalen, pubExp, modulus[keylen] (little
// endian, the last 8 bytes zero padding).
Result<RsaPublicKey> decode_rsa_public_key(wire::Bytes blob) {
  wire::Reader r(blob, kRsaPublicKey);
  const std::uint32_t magic = r.u32le("magic");
  const std::uint32_t keylen = r.u32le("keylen");
  const std::uint32_t bitlen = r.u32le("bitlen");
  (void)r.u32le("datalen");  // bitlen / 8 - 1; redundant
  const std::uint32_t exponent = r.u32le("pubExp");
  if (!r.ok()) return r.error();
  if (magic != kRsaPublicKeyMagic) {
    r.fail("magic", hex32(magic) + " is not RSA1 (0x31415352)");
    return r.error();
  }
  if (keylen > r.remaining()) {
    r.fail("keylen", "length " + std::to_string(keylen) + " exceeds the " +
                         std::to_string(r.remaining()) + " bytes left");
    return r.error();
  }
  if (bitlen == 0 || bitlen > kMaxRsaModulusBits || bitlen / 8 > keylen) {
    r.fail("bitlen", std::to_string(bitlen) + " does not fit keylen " + std::to_string(keylen) +
                         " or the limit of " + std::to_string(kMaxRsaModulusBits) + " bits");
    return r.error();
  }
  if (exponent == 0) {
    r.fail("pubExp", "is zero");
    return r.error();
  }
  const wire::Bytes modulus_le = r.bytes(keylen, "modulus");
  if (!r.ok()) return r.error();
  std::vector<std::uint8_t> modulus_be(modulus_le.rbegin(), modulus_le.rend());
  RsaPublicKey key = make_rsa_public_key(modulus_be, exponent);
  if (key.modulus.empty() || key.bits() > bitlen) {
    r.fail("modulus", key.modulus.empty() ? std::string("is zero")
                                          : std::to_string(key.bits()) + " bits exceed bitlen " +
                                                std::to_string(bitlen));
    return r.error();
  }
  return key;
}

// MS-RDPBCGR 2.2.1.4.3.1.1, after dwVersion.
Status decode_proprietary(wire::Bytes data, ServerCertificate& out) {
  wire::Reader r(data, kProprietary);
  const std::uint32_t sig_alg = r.u32le("dwSigAlgId");
  const std::uint32_t key_alg = r.u32le("dwKeyAlgId");
  const std::uint16_t key_blob_type = r.u16le("wPublicKeyBlobType");
  const std::uint16_t key_blob_len = r.u16le("wPublicKeyBlobLen");
  if (!r.ok()) return r.error();
  if (sig_alg != kSignatureAlgRsa) {
    r.fail("dwSigAlgId", hex32(sig_alg) + " is not SIGNATURE_ALG_RSA");
  } else if (key_alg != kKeyExchangeAlgRsa) {
    r.fail("dwKeyAlgId", hex32(key_alg) + " is not KEY_EXCHANGE_ALG_RSA");
  } else if (key_blob_type != kBbRsaKeyBlob) {
    r.fail("wPublicKeyBlobType", hex32(key_blob_type) + " is not BB_RSA_KEY_BLOB");
  } else if (key_blob_len > r.remaining()) {
    r.fail("wPublicKeyBlobLen", "length " + std::to_string(key_blob_len) + " exceeds the " +
                                    std::to_string(r.remaining()) + " bytes left");
  }
  if (!r.ok()) return r.error();
  auto key = decode_rsa_public_key(r.bytes(key_blob_len, "PublicKeyBlob"));
  if (!key) return key.error();

  const std::uint16_t sig_blob_type = r.u16le("wSignatureBlobType");
  const std::uint16_t sig_blob_len = r.u16le("wSignatureBlobLen");
  if (!r.ok()) return r.error();
  if (sig_blob_type != kBbRsaSignatureBlob) {
    r.fail("wSignatureBlobType", hex32(sig_blob_type) + " is not BB_RSA_SIGNATURE_BLOB");
  } else if (sig_blob_len > r.remaining()) {
    r.fail("wSignatureBlobLen", "length " + std::to_string(sig_blob_len) + " exceeds the " +
                                    std::to_string(r.remaining()) + " bytes left");
  }
  const wire::Bytes signature = r.bytes(sig_blob_len, "SignatureBlob");
  if (!r.ok()) return r.error();
  // Anything after the signature is ignored: the enclosing blob's length bounds the certificate.
  out.key = std::move(key).value();
  out.proprietary_signature.assign(signature.begin(), signature.end());
  return Ok{};
}

// MS-RDPELE 2.2.1.4.2, after dwVersion.
Status decode_x509_chain(wire::Bytes data, ServerCertificate& out) {
  wire::Reader r(data, kX509Chain);
  const auto ders = detail::read_certificate_blobs(r, "NumCertBlobs", kMinCertBlobs, kMaxCertBlobs);
  if (!r.ok()) return r.error();
  // The Padding (8 + 4 * NumCertBlobs bytes) that follows is not checked: some servers omit it.
  auto chain = detail::summarize_certificates(ders);
  if (!chain) return chain.error();
  // The session host's certificate is the last one; its key is the licensing key.
  const std::string leaf = "X.509 certificate[" + std::to_string(ders.size() - 1) + "]";
  auto key = certificate_rsa_public_key(ders.back(), leaf);
  if (!key) return key.error();
  out.key = std::move(key).value();
  out.chain = std::move(chain).value();
  return Ok{};
}

}  // namespace

std::string_view to_string(CertificateKind kind) {
  switch (kind) {
    case CertificateKind::Proprietary:
      return "proprietary";
    case CertificateKind::X509Chain:
      return "x509 chain";
  }
  return "unknown";
}

Result<ServerCertificate> decode_server_certificate(std::span<const std::uint8_t> data) {
  wire::Reader r(data, kServerCertificate);
  const std::uint32_t dw_version = r.u32le("dwVersion");
  if (!r.ok()) return r.error();
  ServerCertificate out;
  out.temporary_bit = (dw_version & kCertTemporaryBit) != 0;
  const std::uint32_t version = dw_version & kCertChainVersionMask;
  Status status = Ok{};
  if (version == kCertChainVersion1) {
    out.kind = CertificateKind::Proprietary;
    status = decode_proprietary(r.rest(), out);
  } else if (version == kCertChainVersion2) {
    out.kind = CertificateKind::X509Chain;
    status = decode_x509_chain(r.rest(), out);
  } else {
    r.fail("dwVersion", "certChainVersion " + std::to_string(version) +
                            " is neither 1 (proprietary) nor 2 (X.509)");
    return r.error();
  }
  if (!status) return status.error();
  return out;
}

std::vector<std::uint8_t> encode_x509_chain_certificate(
    const std::vector<std::vector<std::uint8_t>>& ders, bool temporary) {
  std::size_t size = 4 + 4 + 8 + 4 * ders.size();
  for (const auto& der : ders) size += 4 + der.size();
  std::vector<std::uint8_t> out;
  out.reserve(size);
  wire::Writer w(out);
  w.u32le(kCertChainVersion2 | (temporary ? kCertTemporaryBit : 0));
  detail::write_certificate_blobs(w, ders);
  w.zeros(8 + 4 * ders.size());  // Padding, MS-RDPELE 2.2.1.4.2
  return out;
}

std::vector<std::uint8_t> encode_proprietary_certificate(const RsaPublicKey& key,
                                                         std::span<const std::uint8_t> signature,
                                                         bool temporary) {
  const RsaPublicKey k = make_rsa_public_key(key.modulus, key.exponent);
  const std::size_t modulus_len = k.modulus.size();
  const std::size_t keylen = modulus_len + kRsaModulusPaddingSize;
  std::vector<std::uint8_t> out;
  out.reserve(4 + 12 + kRsaPublicKeyHeaderSize + keylen + 4 + signature.size());
  wire::Writer w(out);
  w.u32le(kCertChainVersion1 | (temporary ? kCertTemporaryBit : 0));
  w.u32le(kSignatureAlgRsa);
  w.u32le(kKeyExchangeAlgRsa);
  w.u16le(kBbRsaKeyBlob);
  w.u16le(static_cast<std::uint16_t>(kRsaPublicKeyHeaderSize + keylen));
  w.u32le(kRsaPublicKeyMagic);
  w.u32le(static_cast<std::uint32_t>(keylen));
  w.u32le(static_cast<std::uint32_t>(modulus_len * 8));                         // bitlen
  w.u32le(static_cast<std::uint32_t>(modulus_len == 0 ? 0 : modulus_len - 1));  // datalen
  w.u32le(k.exponent);
  w.bytes(std::vector<std::uint8_t>(k.modulus.rbegin(), k.modulus.rend()));
  w.zeros(kRsaModulusPaddingSize);
  w.u16le(kBbRsaSignatureBlob);
  w.u16le(static_cast<std::uint16_t>(signature.size()));
  w.bytes(signature);
  return out;
}

}  // namespace rdwarm::crypto
