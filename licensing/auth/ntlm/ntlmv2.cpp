#include "licensing/auth/ntlm/ntlmv2.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "licensing/auth/ntlm/unicode.hpp"
#include "licensing/crypto/digest.hpp"
#include "licensing/crypto/hmac.hpp"
#include "licensing/crypto/md4.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/wire/hex.hpp"

namespace rdwarm::auth::ntlm {
namespace {

wire::Bytes magic(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

Key nt_hash(std::string_view password_utf8) {
  std::vector<std::uint8_t> unicode = to_utf16le(password_utf8);
  const Key hash = crypto::md4(unicode);
  if (!unicode.empty()) OPENSSL_cleanse(unicode.data(), unicode.size());
  return hash;
}

Result<Key> nt_hash_from_hex(std::string_view hex) {
  const bool digits_only = std::all_of(hex.begin(), hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (hex.size() != 2 * kKeySize || !digits_only) {
    // The value is a secret: the message says what is wrong with it, never what it is.
    return make_error("NT hash", "",
                      "must be 32 hexadecimal digits (as winpr-hash prints it), got " +
                          std::to_string(hex.size()) + " characters" +
                          (digits_only ? "" : " with non-hex characters"));
  }
  auto bytes = wire::from_hex(hex);
  if (!bytes) return bytes.error();
  Key key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return key;
}

Key ntowfv2(const Key& nt_hash, wire::Bytes user_utf16, wire::Bytes domain_utf16) {
  const std::vector<std::uint8_t> upper_user = upper_utf16le(user_utf16);
  return crypto::hmac_md5(nt_hash, {upper_user, domain_utf16});
}

Key nt_proof_str(const Key& response_key_nt, const Challenge& server_challenge, wire::Bytes temp) {
  return crypto::hmac_md5(response_key_nt, {server_challenge, temp});
}

Key session_base_key(const Key& response_key_nt, const Key& nt_proof_str) {
  return crypto::hmac_md5(response_key_nt, {nt_proof_str});
}

std::array<std::uint8_t, 24> lmv2_response(const Key& response_key_lm,
                                           const Challenge& server_challenge,
                                           const Challenge& client_challenge) {
  const Key mac = crypto::hmac_md5(response_key_lm, {server_challenge, client_challenge});
  std::array<std::uint8_t, 24> out{};
  std::copy(mac.begin(), mac.end(), out.begin());
  std::copy(client_challenge.begin(), client_challenge.end(), out.begin() + kKeySize);
  return out;
}

Key key_exchange_key(const Key& session_base_key) {
  return session_base_key;
}

Key rc4k(const Key& key_exchange_key, const Key& session_key) {
  crypto::Rc4Stream stream(key_exchange_key);
  Key out = session_key;
  stream.apply(out);
  return out;
}

Key message_integrity_code(const Key& exported_session_key, wire::Bytes negotiate,
                           wire::Bytes challenge, wire::Bytes authenticate_with_zero_mic) {
  return crypto::hmac_md5(exported_session_key, {negotiate, challenge, authenticate_with_zero_mic});
}

Key sign_key(const Key& exported_session_key, KeyDirection direction) {
  const std::string_view constant =
      direction == KeyDirection::ClientToServer ? kClientSigningMagic : kServerSigningMagic;
  return crypto::md5({exported_session_key, magic(constant)});
}

Key seal_key(const Key& exported_session_key, std::uint32_t flags, KeyDirection direction) {
  std::size_t len = 5;
  if ((flags & NTLMSSP_NEGOTIATE_128) != 0) {
    len = 16;
  } else if ((flags & NTLMSSP_NEGOTIATE_56) != 0) {
    len = 7;
  }
  const wire::Bytes base = wire::Bytes(exported_session_key).first(len);
  const std::string_view constant =
      direction == KeyDirection::ClientToServer ? kClientSealingMagic : kServerSealingMagic;
  return crypto::md5({base, magic(constant)});
}

}  // namespace rdwarm::auth::ntlm
