#include "licensing/auth/ntlm/session_security.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>

#include "licensing/crypto/hmac.hpp"

namespace rdwarm::auth::ntlm {
namespace {

std::array<std::uint8_t, 4> le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
}

std::uint32_t read_le32(wire::Bytes b) {
  return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
         (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
}

KeyDirection outgoing(SessionSecurity::Role role) {
  return role == SessionSecurity::Role::Client ? KeyDirection::ClientToServer
                                               : KeyDirection::ServerToClient;
}
KeyDirection incoming(SessionSecurity::Role role) {
  return role == SessionSecurity::Role::Client ? KeyDirection::ServerToClient
                                               : KeyDirection::ClientToServer;
}

}  // namespace

SessionSecurity::SessionSecurity(Role role, const Key& exported_session_key,
                                 std::uint32_t negotiated_flags)
    : key_exchange_((negotiated_flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0),
      send_(sign_key(exported_session_key, outgoing(role)),
            seal_key(exported_session_key, negotiated_flags, outgoing(role))),
      receive_(sign_key(exported_session_key, incoming(role)),
               seal_key(exported_session_key, negotiated_flags, incoming(role))) {}

SessionSecurity::~SessionSecurity() {
  for (Key* key :
       {&send_.signing_key, &send_.sealing_key, &receive_.signing_key, &receive_.sealing_key}) {
    OPENSSL_cleanse(key->data(), key->size());
  }
}

MessageSignature SessionSecurity::mac(crypto::Rc4Stream& handle, const Key& signing_key,
                                      std::uint32_t sequence, wire::Bytes message) const {
  const auto seq = le32(sequence);
  const Key digest = crypto::hmac_md5(signing_key, {seq, message});
  MessageSignature signature{};
  const auto version = le32(kMessageSignatureVersion);
  std::copy(version.begin(), version.end(), signature.begin());
  const std::span<std::uint8_t> checksum(signature.data() + 4, 8);
  std::copy(digest.begin(), digest.begin() + 8, checksum.begin());
  if (key_exchange_) handle.apply(checksum);
  std::copy(seq.begin(), seq.end(), signature.begin() + 12);
  return signature;
}

Status SessionSecurity::check(crypto::Rc4Stream& handle, wire::Bytes signature,
                              wire::Bytes plaintext, std::string_view where) const {
  const MessageSignature expected = mac(handle, receive_.signing_key, receive_.sequence, plaintext);
  if (CRYPTO_memcmp(expected.data() + 4, signature.data() + 4, 8) != 0) {
    return make_error(std::string(where), "Checksum",
                      "does not match: the message was altered on the way or the peer uses other "
                      "session keys");
  }
  return Ok{};
}

namespace {

// Version and SeqNum of a received NTLMSSP_MESSAGE_SIGNATURE [2.2.2.9.2].
Status check_header(wire::Bytes signature, std::uint32_t expected_sequence,
                    std::string_view where) {
  const std::uint32_t version = read_le32(signature.first(4));
  if (version != kMessageSignatureVersion) {
    return make_error(std::string(where), "Version",
                      "is " + std::to_string(version) + ", must be 1");
  }
  const std::uint32_t sequence = read_le32(signature.subspan(12, 4));
  if (sequence != expected_sequence) {
    return make_error(std::string(where), "SeqNum",
                      "is " + std::to_string(sequence) + ", expected " +
                          std::to_string(expected_sequence) +
                          ": the message was replayed, reordered or lost");
  }
  return Ok{};
}

}  // namespace

std::vector<std::uint8_t> SessionSecurity::wrap(wire::Bytes plaintext) {
  std::vector<std::uint8_t> out(kMessageSignatureSize + plaintext.size());
  std::copy(plaintext.begin(), plaintext.end(), out.begin() + kMessageSignatureSize);
  // SEAL [3.4.3]: the message is encrypted first, then the checksum, from the same stream.
  send_.handle.apply(std::span(out).subspan(kMessageSignatureSize));
  const MessageSignature signature =
      mac(send_.handle, send_.signing_key, send_.sequence, plaintext);
  std::copy(signature.begin(), signature.end(), out.begin());
  ++send_.sequence;
  return out;
}

Result<std::vector<std::uint8_t>> SessionSecurity::unwrap(wire::Bytes message) {
  constexpr std::string_view kWhere = "NTLM sealed message";
  if (message.size() < kMessageSignatureSize) {
    return make_error(std::string(kWhere), "Signature",
                      "needs 16 bytes, the message has " + std::to_string(message.size()));
  }
  const wire::Bytes signature = message.first(kMessageSignatureSize);
  if (auto ok = check_header(signature, receive_.sequence, kWhere); !ok) return ok.error();
  crypto::Rc4Stream handle = receive_.handle;
  std::vector<std::uint8_t> plaintext(message.begin() + kMessageSignatureSize, message.end());
  handle.apply(plaintext);
  if (auto ok = check(handle, signature, plaintext, kWhere); !ok) return ok.error();
  receive_.handle = handle;
  ++receive_.sequence;
  return plaintext;
}

MessageSignature SessionSecurity::get_mic(wire::Bytes message) {
  const MessageSignature signature = mac(send_.handle, send_.signing_key, send_.sequence, message);
  ++send_.sequence;
  return signature;
}

Status SessionSecurity::verify_mic(wire::Bytes message, wire::Bytes signature) {
  constexpr std::string_view kWhere = "NTLM message signature";
  if (signature.size() != kMessageSignatureSize) {
    return make_error(std::string(kWhere), "",
                      "has " + std::to_string(signature.size()) + " bytes, must be 16");
  }
  if (auto ok = check_header(signature, receive_.sequence, kWhere); !ok) return ok.error();
  crypto::Rc4Stream handle = receive_.handle;
  if (auto ok = check(handle, signature, message, kWhere); !ok) return ok.error();
  receive_.handle = handle;
  ++receive_.sequence;
  return Ok{};
}

void SessionSecurity::reset_outgoing() {
  send_.handle = crypto::Rc4Stream(send_.sealing_key);
  send_.sequence = 0;
}

void SessionSecurity::reset_incoming() {
  receive_.handle = crypto::Rc4Stream(receive_.sealing_key);
  receive_.sequence = 0;
}

void SessionSecurity::reset() {
  reset_outgoing();
  reset_incoming();
}

}  // namespace rdwarm::auth::ntlm
