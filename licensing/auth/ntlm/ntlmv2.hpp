// The NTLMv2 computations [MS-NLMP 3.3.2] and key derivations [3.4.5]. Pure functions; the client
// and the acceptor compose them. All strings are UTF-16LE, as the protocol hashes them.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "licensing/auth/ntlm/constants.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::auth::ntlm {

using Key = std::array<std::uint8_t, kKeySize>;
using Challenge = std::array<std::uint8_t, kChallengeSize>;

// The NT hash, MD4(UNICODE(Passwd)) [3.3.1 NTOWFv1]: what a SAM file (winpr-hash) stores.
Key nt_hash(std::string_view password_utf8);
// 32 hex digits, as winpr-hash and SAM files write the NT hash.
Result<Key> nt_hash_from_hex(std::string_view hex);

// NTOWFv2 = HMAC_MD5(NT hash, UNICODE(Uppercase(User) + UserDom)); LMOWFv2 is the same [3.3.2].
Key ntowfv2(const Key& nt_hash, wire::Bytes user_utf16, wire::Bytes domain_utf16);

// NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge + temp), temp being the encoded
// NTLMv2_CLIENT_CHALLENGE [3.3.2].
Key nt_proof_str(const Key& response_key_nt, const Challenge& server_challenge, wire::Bytes temp);

// SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr) [3.3.2].
Key session_base_key(const Key& response_key_nt, const Key& nt_proof_str);

// LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge + ClientChallenge) + ClientChallenge.
std::array<std::uint8_t, 24> lmv2_response(const Key& response_key_lm,
                                           const Challenge& server_challenge,
                                           const Challenge& client_challenge);

// KXKEY for NTLMv2 is the session base key [3.4.5.1].
Key key_exchange_key(const Key& session_base_key);

// EncryptedRandomSessionKey = RC4K(KeyExchangeKey, ExportedSessionKey) [3.1.5.1.2]; the same call
// decrypts at the server [3.2.5.1.2].
Key rc4k(const Key& key_exchange_key, const Key& session_key);

// MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE + CHALLENGE + AUTHENTICATE with MIC zeroed)
// [3.1.5.1.2].
Key message_integrity_code(const Key& exported_session_key, wire::Bytes negotiate,
                           wire::Bytes challenge, wire::Bytes authenticate_with_zero_mic);

enum class KeyDirection { ClientToServer, ServerToClient };

// SIGNKEY [3.4.5.2], with extended session security.
Key sign_key(const Key& exported_session_key, KeyDirection direction);
// SEALKEY [3.4.5.3], with extended session security: MD5 of the exported session key (all 16
// bytes with NTLMSSP_NEGOTIATE_128, the first 7 with NTLMSSP_NEGOTIATE_56, else the first 5) and
// the direction's magic constant.
Key seal_key(const Key& exported_session_key, std::uint32_t flags, KeyDirection direction);

}  // namespace rdwarm::auth::ntlm
