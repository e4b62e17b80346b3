#include "licensing/crypto/credssp_binding.hpp"

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <climits>
#include <string>

#include "licensing/crypto/openssl_handles.hpp"

namespace rdwarm::crypto::credssp {
namespace {

ByteView magic(std::string_view m) {
  return {reinterpret_cast<const std::uint8_t*>(m.data()), m.size()};
}

bool same(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status verify(std::string_view who, ByteView expected, ByteView unwrapped) {
  if (same(expected, unwrapped)) return Ok{};
  return make_error("CredSSP", "pubKeyAuth",
                    std::string(who) +
                        " pubKeyAuth does not match the TLS server's public key: the TLS channel "
                        "is not bound to this authentication (a man in the middle, or a proxy "
                        "that ends TLS); refusing to send credentials");
}

}  // namespace

std::uint32_t negotiated_version(std::uint32_t ours, std::uint32_t peers) {
  return ours < peers ? ours : peers;
}

BindingForm binding_form(std::uint32_t negotiated_version) {
  return negotiated_version >= wire::credssp::CREDSSP_VERSION_5 ? BindingForm::Sha256Hash
                                                                : BindingForm::PublicKeyEcho;
}

BindingHash client_server_hash(const ClientNonce& nonce, ByteView subject_public_key) {
  return sha256({magic(CLIENT_SERVER_HASH_MAGIC), nonce, subject_public_key});
}

BindingHash server_client_hash(const ClientNonce& nonce, ByteView subject_public_key) {
  return sha256({magic(SERVER_CLIENT_HASH_MAGIC), nonce, subject_public_key});
}

std::vector<std::uint8_t> incremented_public_key(ByteView subject_public_key) {
  std::vector<std::uint8_t> out(subject_public_key.begin(), subject_public_key.end());
  if (!out.empty()) out[0] = static_cast<std::uint8_t>(out[0] + 1);
  return out;
}

std::vector<std::uint8_t> client_pub_key_auth(std::uint32_t negotiated_version,
                                              const ClientNonce& nonce,
                                              ByteView subject_public_key) {
  if (binding_form(negotiated_version) == BindingForm::PublicKeyEcho) {
    return {subject_public_key.begin(), subject_public_key.end()};
  }
  const auto h = client_server_hash(nonce, subject_public_key);
  return {h.begin(), h.end()};
}

std::vector<std::uint8_t> server_pub_key_auth(std::uint32_t negotiated_version,
                                              const ClientNonce& nonce,
                                              ByteView subject_public_key) {
  if (binding_form(negotiated_version) == BindingForm::PublicKeyEcho) {
    return incremented_public_key(subject_public_key);
  }
  const auto h = server_client_hash(nonce, subject_public_key);
  return {h.begin(), h.end()};
}

Status verify_server_pub_key_auth(std::uint32_t negotiated_version, const ClientNonce& nonce,
                                  ByteView subject_public_key, ByteView unwrapped) {
  return verify("the server's", server_pub_key_auth(negotiated_version, nonce, subject_public_key),
                unwrapped);
}

Status verify_client_pub_key_auth(std::uint32_t negotiated_version, const ClientNonce& nonce,
                                  ByteView subject_public_key, ByteView unwrapped) {
  return verify("the client's", client_pub_key_auth(negotiated_version, nonce, subject_public_key),
                unwrapped);
}

Result<std::vector<std::uint8_t>> subject_public_key(ByteView der_certificate) {
  constexpr std::string_view kWhere = "TLS server certificate";
  if (der_certificate.empty()) return make_error(std::string(kWhere), "", "is empty");
  if (der_certificate.size() > static_cast<std::size_t>(LONG_MAX)) {
    return make_error(std::string(kWhere), "", "is too large");
  }
  detail::ErrorScope scope;
  const unsigned char* p = der_certificate.data();
  detail::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der_certificate.size())));
  if (!cert) {
    return make_error(std::string(kWhere), "",
                      "is not a DER X.509 certificate: " +
                          detail::ErrorScope::last_error("OpenSSL could not parse it"));
  }
  const auto used = static_cast<std::size_t>(p - der_certificate.data());
  if (used != der_certificate.size()) {
    return make_error(
        std::string(kWhere), "",
        std::to_string(der_certificate.size() - used) + " bytes follow the certificate");
  }
  const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(cert.get());
  if (key == nullptr || key->length <= 0) {
    return make_error(std::string(kWhere), "subjectPublicKey", "is missing or empty");
  }
  if ((key->flags & ASN1_STRING_FLAG_BITS_LEFT) != 0 && (key->flags & 0x07) != 0) {
    return make_error(std::string(kWhere), "subjectPublicKey",
                      "has unused bits: not a whole number of bytes");
  }
  return std::vector<std::uint8_t>(key->data, key->data + key->length);
}

}  // namespace rdwarm::crypto::credssp
