// CredSSP messages [MS-CSSP 2.2.1]: the TSRequest that carries the authentication tokens, the
// TLS binding (pubKeyAuth) and the delegated credentials, TSCredentials / TSPasswordCreds, and the
// Early User Authorization Result that follows with HYBRID_EX [MS-RDPBCGR 2.2.10.2]. All DER
// (der.hpp says what the decoders accept). CredSSP messages travel over TLS without TPKT framing:
// ts_request_frame_length() finds where one ends.
//
// Secrets: TsPasswordCreds and TsCredentials hold views, so the password is never copied into a
// structure of this layer; encode_password_credentials() writes into the caller's buffer, which the
// caller wipes. No error message of these decoders contains field contents.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire::credssp {

// TSRequest.version [MS-CSSP 2.2.1]: 2..6. A peer may announce more; both then use the smaller.
inline constexpr std::uint32_t CREDSSP_VERSION_2 = 2;
inline constexpr std::uint32_t CREDSSP_VERSION_3 = 3;  // errorCode
inline constexpr std::uint32_t CREDSSP_VERSION_4 = 4;
inline constexpr std::uint32_t CREDSSP_VERSION_5 = 5;  // clientNonce, SHA-256 binding hash
inline constexpr std::uint32_t CREDSSP_VERSION_6 = 6;
inline constexpr std::uint32_t kHighestVersion = CREDSSP_VERSION_6;

// TSRequest.clientNonce is 32 bytes [MS-CSSP 2.2.1].
inline constexpr std::size_t CLIENT_NONCE_SIZE = 32;
using ClientNonce = std::array<std::uint8_t, CLIENT_NONCE_SIZE>;

// TSCredentials.credType [MS-CSSP 2.2.1.2].
inline constexpr std::uint32_t TS_PASSWORD_CREDS = 1;
inline constexpr std::uint32_t TS_SMARTCARD_CREDS = 2;
inline constexpr std::uint32_t TS_REMOTE_GUARD_CREDS = 6;

// Early User Authorization Result authorizationResult [MS-RDPBCGR 2.2.10.2].
inline constexpr std::uint32_t AUTHZ_SUCCESS = 0x00000000;
inline constexpr std::uint32_t AUTHZ_ACCESS_DENIED = 0x00000005;

// Codes a CredSSP server puts in TSRequest.errorCode: NTSTATUS values [MS-ERREF 2.3.1] and the
// SSPI HRESULTs [MS-ERREF 2.1.1] Windows also sends there.
inline constexpr std::uint32_t STATUS_LOGON_FAILURE = 0xC000006D;
inline constexpr std::uint32_t STATUS_ACCOUNT_RESTRICTION = 0xC000006E;
inline constexpr std::uint32_t STATUS_INVALID_LOGON_HOURS = 0xC000006F;
inline constexpr std::uint32_t STATUS_INVALID_WORKSTATION = 0xC0000070;
inline constexpr std::uint32_t STATUS_PASSWORD_EXPIRED = 0xC0000071;
inline constexpr std::uint32_t STATUS_ACCOUNT_DISABLED = 0xC0000072;
inline constexpr std::uint32_t STATUS_ACCESS_DENIED = 0xC0000022;
inline constexpr std::uint32_t STATUS_WRONG_PASSWORD = 0xC000006A;
inline constexpr std::uint32_t STATUS_NO_SUCH_USER = 0xC0000064;
inline constexpr std::uint32_t STATUS_LOGON_TYPE_NOT_GRANTED = 0xC000015B;
inline constexpr std::uint32_t STATUS_ACCOUNT_EXPIRED = 0xC0000193;
inline constexpr std::uint32_t STATUS_PASSWORD_MUST_CHANGE = 0xC0000224;
inline constexpr std::uint32_t STATUS_ACCOUNT_LOCKED_OUT = 0xC0000234;
// SSPI HRESULTs, named kSecE... because <winerror.h> defines SEC_E_* as macros, which would
// rewrite these declarations in any file that also includes <windows.h>.
inline constexpr std::uint32_t kSecEInvalidToken = 0x80090308;
inline constexpr std::uint32_t kSecELogonDenied = 0x8009030C;
// The symbolic name of a code above ("STATUS_LOGON_FAILURE"), or empty for any other.
std::string_view status_code_name(std::uint32_t code);

// TSRequest [MS-CSSP 2.2.1]. Fields other than version are absent on the wire when empty / unset.
struct TsRequest {
  std::uint32_t version = kHighestVersion;             // [0]
  std::vector<std::vector<std::uint8_t>> nego_tokens;  // [1] NegoData: the negoToken of each
  std::vector<std::uint8_t> auth_info;                 // [2] wrapped TSCredentials
  std::vector<std::uint8_t> pub_key_auth;              // [3]
  std::optional<std::uint32_t> error_code;             // [4] NTSTATUS / HRESULT (version 3+)
  std::optional<ClientNonce> client_nonce;             // [5] (version 5+)

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  // Exactly one TSRequest (use ts_request_frame_length() to cut it from a stream). Context tags
  // above [5] are skipped, for a later version's additions.
  static Result<TsRequest> decode(Bytes bytes);

  friend bool operator==(const TsRequest&, const TsRequest&) = default;
};

// A received TSRequest is at most this big: far above Kerberos' largest token (MaxTokenSize
// 65535), small enough to refuse a length that is garbage.
inline constexpr std::size_t kMaxTsRequestSize = 1u << 20;

// How many bytes the TSRequest at the start of `buffered` occupies (outer SEQUENCE tag and
// length included), as soon as its tag and length are buffered, like tpkt_frame_length(): the
// caller then reads until it has that many bytes. nullopt: the tag and length are not all there
// yet. Error: not a TSRequest (another tag, an indefinite or non-minimal length, or larger than
// kMaxTsRequestSize), which is fatal for the connection.
Result<std::optional<std::size_t>> ts_request_frame_length(Bytes buffered);

// TSPasswordCreds [MS-CSSP 2.2.1.2.1]: UTF-16LE strings without terminator. Views: the caller
// owns the bytes (and wipes the password's). All three fields are always encoded, empty or not.
struct TsPasswordCreds {
  Bytes domain_name;  // [0]
  Bytes user_name;    // [1]
  Bytes password;     // [2]

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  // Views into `bytes`.
  static Result<TsPasswordCreds> decode(Bytes bytes);
};

// TSCredentials [MS-CSSP 2.2.1.2]. `credentials` is the encoded TSPasswordCreds (credType 1),
// TSSmartCardCreds (2) or TSRemoteGuardCreds (6), as a view.
struct TsCredentials {
  std::uint32_t cred_type = TS_PASSWORD_CREDS;  // [0]
  Bytes credentials;                            // [1]

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  // `credentials` is a view into `bytes`.
  static Result<TsCredentials> decode(Bytes bytes);
};

// TSCredentials { credType 1, credentials = TSPasswordCreds } in one pass, into `out`, which is
// wiped, then sized with a single allocation so that no reallocation leaves a partial copy of the
// password in freed memory. This is what the client wraps into authInfo; the caller wipes `out`
// afterwards (OPENSSL_cleanse).
void encode_password_credentials(const TsPasswordCreds& creds, std::vector<std::uint8_t>& out);
std::size_t password_credentials_size(const TsPasswordCreds& creds);

// Early User Authorization Result PDU [MS-RDPBCGR 2.2.10.2]: 4 bytes, little-endian, sent by the
// server right after CredSSP when HYBRID_EX was selected.
struct EarlyUserAuthorizationResult {
  static constexpr std::size_t kSize = 4;
  std::uint32_t authorization_result = AUTHZ_SUCCESS;

  [[nodiscard]] bool success() const { return authorization_result == AUTHZ_SUCCESS; }
  [[nodiscard]] std::size_t size() const { return kSize; }
  void encode(Writer& w) const { w.u32le(authorization_result); }
  // Exactly 4 bytes. Values other than the two defined ones are kept (and are not success).
  static Result<EarlyUserAuthorizationResult> decode(Bytes bytes);

  friend bool operator==(const EarlyUserAuthorizationResult&,
                         const EarlyUserAuthorizationResult&) = default;
};
std::string_view authorization_result_name(std::uint32_t result);  // "AUTHZ_ACCESS_DENIED" or ""

}  // namespace rdwarm::wire::credssp
