// CredSSP's binding of the authentication to the TLS channel [MS-CSSP 3.1.5 steps 3 and 4]: the
// client proves it saw the server's public key by sending pubKeyAuth, and the server answers with
// a value only the holder of the session key and the same public key can produce.
//
//  * versions 2..4: the client wraps the SubjectPublicKey itself; the server wraps it back with its
//    first byte incremented by one;
//  * versions 5 and later: the client wraps SHA-256("CredSSP Client-To-Server Binding Hash\0" ||
//    clientNonce || SubjectPublicKey); the server wraps SHA-256("CredSSP Server-To-Client Binding
//    Hash\0" || clientNonce || SubjectPublicKey).
//
// "SubjectPublicKey" is "the ASN.1-encoded SubjectPublicKey sub-field of SubjectPublicKeyInfo from
// the X.509 certificate" [MS-CSSP 3.1.5]: the contents of that BIT STRING without its unused-bits
// octet (for RSA, the DER RSAPublicKey). Wrapping (SecurityContext::wrap) is the caller's; this
// file computes and checks the plaintexts.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "licensing/crypto/digest.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::crypto::credssp {

using wire::credssp::ClientNonce;
using BindingHash = std::array<std::uint8_t, kSha256Size>;

// The magic strings, terminating NUL included (38 bytes) [MS-CSSP 3.1.5].
inline constexpr std::string_view CLIENT_SERVER_HASH_MAGIC{
    "CredSSP Client-To-Server Binding Hash\0", 38};
inline constexpr std::string_view SERVER_CLIENT_HASH_MAGIC{
    "CredSSP Server-To-Client Binding Hash\0", 38};

// The version both sides follow: the smaller of the two announced [MS-CSSP 2.2.1 version].
std::uint32_t negotiated_version(std::uint32_t ours, std::uint32_t peers);

enum class BindingForm {
  PublicKeyEcho,  // versions 2..4 (and anything older)
  Sha256Hash,     // versions 5 and later: clientNonce and the binding hashes
};
BindingForm binding_form(std::uint32_t negotiated_version);
// Whether the client sends clientNonce (and so the hash form applies).
inline bool uses_client_nonce(std::uint32_t negotiated_version) {
  return binding_form(negotiated_version) == BindingForm::Sha256Hash;
}

BindingHash client_server_hash(const ClientNonce& nonce, ByteView subject_public_key);
BindingHash server_client_hash(const ClientNonce& nonce, ByteView subject_public_key);

// Versions 2..4: the SubjectPublicKey with its first byte incremented by one (mod 256), as the
// server sends it back.
std::vector<std::uint8_t> incremented_public_key(ByteView subject_public_key);

// What the client wraps into pubKeyAuth, and what the server must have wrapped in its reply, for
// the negotiated version. `nonce` is used from version 5 on (ignored before).
std::vector<std::uint8_t> client_pub_key_auth(std::uint32_t negotiated_version,
                                              const ClientNonce& nonce,
                                              ByteView subject_public_key);
std::vector<std::uint8_t> server_pub_key_auth(std::uint32_t negotiated_version,
                                              const ClientNonce& nonce,
                                              ByteView subject_public_key);

// Compares (in constant time) what the peer wrapped, once unwrapped, with what it must be. The
// error says the TLS channel is not bound to this authentication (a man in the middle, or a proxy
// that terminates TLS), which is fatal.
Status verify_server_pub_key_auth(std::uint32_t negotiated_version, const ClientNonce& nonce,
                                  ByteView subject_public_key, ByteView unwrapped);
Status verify_client_pub_key_auth(std::uint32_t negotiated_version, const ClientNonce& nonce,
                                  ByteView subject_public_key, ByteView unwrapped);

// The SubjectPublicKey of a DER X.509 certificate (the TLS server's), as described above. Errors
// when the certificate does not parse, has trailing bytes, or its key BIT STRING has unused bits.
Result<std::vector<std::uint8_t>> subject_public_key(ByteView der_certificate);

}  // namespace rdwarm::crypto::credssp
