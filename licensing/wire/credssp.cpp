#include "licensing/wire/credssp.hpp"

#include <algorithm>
#include <string>

#include "licensing/wire/der.hpp"
#include "licensing/wire/hex.hpp"

namespace rdwarm::wire::credssp {
namespace {

using der::context_tag;
using der::TAG_SEQUENCE;
using der::tlv_size;

constexpr std::string_view kTsRequest = "TSRequest";
constexpr std::string_view kTsCredentials = "TSCredentials";
constexpr std::string_view kTsPasswordCreds = "TSPasswordCreds";

// [n] EXPLICIT around an element of `inner` bytes.
std::size_t explicit_size(std::size_t inner) {
  return tlv_size(inner);
}

std::size_t nego_token_size(const std::vector<std::uint8_t>& token) {
  // SEQUENCE { negoToken [0] OCTET STRING }
  return tlv_size(explicit_size(der::octet_string_size(token.size())));
}

std::size_t nego_data_content_size(const std::vector<std::vector<std::uint8_t>>& tokens) {
  std::size_t n = 0;
  for (const auto& t : tokens) n += nego_token_size(t);
  return n;
}

std::size_t ts_request_content_size(const TsRequest& q) {
  std::size_t n = explicit_size(der::integer_size(q.version));
  if (!q.nego_tokens.empty()) n += explicit_size(tlv_size(nego_data_content_size(q.nego_tokens)));
  if (!q.auth_info.empty()) n += explicit_size(der::octet_string_size(q.auth_info.size()));
  if (!q.pub_key_auth.empty()) n += explicit_size(der::octet_string_size(q.pub_key_auth.size()));
  if (q.error_code) {
    n += explicit_size(der::integer_size(static_cast<std::int32_t>(*q.error_code)));
  }
  if (q.client_nonce) n += explicit_size(der::octet_string_size(CLIENT_NONCE_SIZE));
  return n;
}

void write_explicit_octet_string(Writer& w, unsigned number, Bytes contents) {
  der::write_header(w, context_tag(number), der::octet_string_size(contents.size()));
  der::write_octet_string(w, contents);
}

// An OCTET STRING inside [n], read into `out` (a view).
Status read_explicit_octet_string(Bytes message, Reader& r, unsigned number, std::string_view field,
                                  Bytes& out) {
  return der::with_contents(message, r, context_tag(number), field, [&](Reader& c) -> Status {
    out = der::read_octet_string(c, field);
    return Ok{};
  });
}

Bytes view(const std::vector<std::uint8_t>& v) {
  return {v.data(), v.size()};
}

std::size_t password_creds_content_size(const TsPasswordCreds& c) {
  return explicit_size(der::octet_string_size(c.domain_name.size())) +
         explicit_size(der::octet_string_size(c.user_name.size())) +
         explicit_size(der::octet_string_size(c.password.size()));
}

std::size_t ts_credentials_content_size(std::uint32_t cred_type, std::size_t credentials) {
  return explicit_size(der::integer_size(cred_type)) +
         explicit_size(der::octet_string_size(credentials));
}

void write_ts_credentials_header(Writer& w, std::uint32_t cred_type, std::size_t credentials) {
  der::write_header(w, TAG_SEQUENCE, ts_credentials_content_size(cred_type, credentials));
  der::write_header(w, context_tag(0), der::integer_size(cred_type));
  der::write_integer(w, cred_type);
  der::write_header(w, context_tag(1), der::octet_string_size(credentials));
  der::write_header(w, der::TAG_OCTET_STRING, credentials);
}

// Overwrites the bytes with zeros in a way the optimiser keeps (the wire layer has no OpenSSL).
void wipe(std::vector<std::uint8_t>& v) {
  volatile std::uint8_t* p = v.data();
  for (std::size_t i = 0; i < v.size(); ++i) p[i] = 0;
}

}  // namespace

std::string_view status_code_name(std::uint32_t code) {
  switch (code) {
    case STATUS_LOGON_FAILURE:
      return "STATUS_LOGON_FAILURE";
    case STATUS_ACCOUNT_RESTRICTION:
      return "STATUS_ACCOUNT_RESTRICTION";
    case STATUS_INVALID_LOGON_HOURS:
      return "STATUS_INVALID_LOGON_HOURS";
    case STATUS_INVALID_WORKSTATION:
      return "STATUS_INVALID_WORKSTATION";
    case STATUS_PASSWORD_EXPIRED:
      return "STATUS_PASSWORD_EXPIRED";
    case STATUS_ACCOUNT_DISABLED:
      return "STATUS_ACCOUNT_DISABLED";
    case STATUS_ACCESS_DENIED:
      return "STATUS_ACCESS_DENIED";
    case STATUS_WRONG_PASSWORD:
      return "STATUS_WRONG_PASSWORD";
    case STATUS_NO_SUCH_USER:
      return "STATUS_NO_SUCH_USER";
    case STATUS_LOGON_TYPE_NOT_GRANTED:
      return "STATUS_LOGON_TYPE_NOT_GRANTED";
    case STATUS_ACCOUNT_EXPIRED:
      return "STATUS_ACCOUNT_EXPIRED";
    case STATUS_PASSWORD_MUST_CHANGE:
      return "STATUS_PASSWORD_MUST_CHANGE";
    case STATUS_ACCOUNT_LOCKED_OUT:
      return "STATUS_ACCOUNT_LOCKED_OUT";
    case kSecEInvalidToken:
      return "SEC_E_INVALID_TOKEN";
    case kSecELogonDenied:
      return "SEC_E_LOGON_DENIED";
    default:
      return {};
  }
}

// --- TSRequest --------------------------------------------------------------------------------

std::size_t TsRequest::size() const {
  return tlv_size(ts_request_content_size(*this));
}

void TsRequest::encode(Writer& w) const {
  der::write_header(w, TAG_SEQUENCE, ts_request_content_size(*this));
  der::write_header(w, context_tag(0), der::integer_size(version));
  der::write_integer(w, version);
  if (!nego_tokens.empty()) {
    const std::size_t list = nego_data_content_size(nego_tokens);
    der::write_header(w, context_tag(1), tlv_size(list));
    der::write_header(w, TAG_SEQUENCE, list);
    for (const auto& token : nego_tokens) {
      der::write_header(w, TAG_SEQUENCE, explicit_size(der::octet_string_size(token.size())));
      write_explicit_octet_string(w, 0, view(token));
    }
  }
  if (!auth_info.empty()) write_explicit_octet_string(w, 2, view(auth_info));
  if (!pub_key_auth.empty()) write_explicit_octet_string(w, 3, view(pub_key_auth));
  if (error_code) {
    // Signed, as Windows writes NTSTATUS values: 0xC000006D is 02 04 C0 00 00 6D.
    const std::int64_t v = static_cast<std::int32_t>(*error_code);
    der::write_header(w, context_tag(4), der::integer_size(v));
    der::write_integer(w, v);
  }
  if (client_nonce) write_explicit_octet_string(w, 5, *client_nonce);
}

Result<TsRequest> TsRequest::decode(Bytes bytes) {
  Reader top(bytes, kTsRequest);
  TsRequest q;
  Status s = der::with_contents(bytes, top, TAG_SEQUENCE, "SEQUENCE", [&](Reader& r) -> Status {
    Status f = der::with_contents(bytes, r, context_tag(0), "version", [&](Reader& c) -> Status {
      q.version = der::read_unsigned(c, "version");
      return Ok{};
    });
    if (!f.ok()) return f;

    if (der::peek_tag(r) == context_tag(1)) {
      f = der::with_contents(bytes, r, context_tag(1), "negoTokens", [&](Reader& c) -> Status {
        return der::with_contents(bytes, c, TAG_SEQUENCE, "negoTokens", [&](Reader& list) {
          while (list.ok() && !list.empty()) {
            Bytes token;
            Status t = der::with_contents(
                bytes, list, TAG_SEQUENCE, "negoTokens.negoToken", [&](Reader& item) -> Status {
                  return read_explicit_octet_string(bytes, item, 0, "negoTokens.negoToken", token);
                });
            if (!t.ok()) return t;
            q.nego_tokens.emplace_back(token.begin(), token.end());
          }
          return Status(Ok{});
        });
      });
      if (!f.ok()) return f;
    }
    Bytes field;
    if (der::peek_tag(r) == context_tag(2)) {
      f = read_explicit_octet_string(bytes, r, 2, "authInfo", field);
      if (!f.ok()) return f;
      q.auth_info.assign(field.begin(), field.end());
    }
    if (der::peek_tag(r) == context_tag(3)) {
      f = read_explicit_octet_string(bytes, r, 3, "pubKeyAuth", field);
      if (!f.ok()) return f;
      q.pub_key_auth.assign(field.begin(), field.end());
    }
    if (der::peek_tag(r) == context_tag(4)) {
      f = der::with_contents(bytes, r, context_tag(4), "errorCode", [&](Reader& c) -> Status {
        q.error_code = der::read_status_code(c, "errorCode");
        return Ok{};
      });
      if (!f.ok()) return f;
    }
    if (der::peek_tag(r) == context_tag(5)) {
      f = read_explicit_octet_string(bytes, r, 5, "clientNonce", field);
      if (!f.ok()) return f;
      if (field.size() != CLIENT_NONCE_SIZE) {
        return make_error(std::string(kTsRequest), "clientNonce",
                          "is " + std::to_string(field.size()) + " bytes, expected " +
                              std::to_string(CLIENT_NONCE_SIZE));
      }
      ClientNonce nonce{};
      std::copy(field.begin(), field.end(), nonce.begin());
      q.client_nonce = nonce;
    }
    // A later version's fields: [6] and up, skipped. Anything else is out of order or unknown.
    while (r.ok() && !r.empty()) {
      const std::uint8_t tag = der::peek_tag(r);
      if (tag < context_tag(6) || tag > context_tag(30)) {
        r.fail("fields", "unexpected element with tag " + hex_code(tag, 2) +
                             " (fields out of order or repeated)");
        break;
      }
      const std::size_t n = der::read_header(r, tag, "fields");
      r.skip(n, "fields");
    }
    return Ok{};
  });
  if (!s.ok()) return s.error();
  top.expect_end("bytes after the TSRequest");
  if (!top.ok()) return top.error();
  return q;
}

Result<std::optional<std::size_t>> ts_request_frame_length(Bytes buffered) {
  const auto fail = [](std::string what) {
    return make_error(std::string(kTsRequest), "framing", std::move(what));
  };
  if (buffered.empty()) return std::optional<std::size_t>();
  if (buffered[0] != TAG_SEQUENCE) {
    return fail("first byte is " + hex_code(buffered[0], 2) +
                ", not a SEQUENCE (0x30): the peer did not send a TSRequest");
  }
  if (buffered.size() < 2) return std::optional<std::size_t>();
  const std::uint8_t first = buffered[1];
  std::size_t header = 2;
  std::size_t length = first;
  if (first == 0x80) return fail("indefinite length is not allowed in DER");
  if ((first & 0x80u) != 0) {
    const std::size_t count = first & 0x7Fu;
    if (count > 4) return fail("length with " + std::to_string(count) + " length octets");
    header += count;
    if (buffered.size() < header) return std::optional<std::size_t>();
    if (buffered[2] == 0) return fail("length has a leading zero octet (not minimal DER)");
    length = 0;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | buffered[2 + i];
    if (length < 0x80) return fail("length in the long form below 128 (not minimal DER)");
  }
  if (length > kMaxTsRequestSize - header) {
    return fail("length " + std::to_string(length) + " is larger than " +
                std::to_string(kMaxTsRequestSize) + " bytes");
  }
  // Only a whole message is a frame: callers cut exactly this many bytes from what they hold.
  if (buffered.size() < header + length) return std::optional<std::size_t>();
  return std::optional<std::size_t>(header + length);
}

// --- TSPasswordCreds, TSCredentials -----------------------------------------------------------

std::size_t TsPasswordCreds::size() const {
  return tlv_size(password_creds_content_size(*this));
}

void TsPasswordCreds::encode(Writer& w) const {
  der::write_header(w, TAG_SEQUENCE, password_creds_content_size(*this));
  write_explicit_octet_string(w, 0, domain_name);
  write_explicit_octet_string(w, 1, user_name);
  write_explicit_octet_string(w, 2, password);
}

Result<TsPasswordCreds> TsPasswordCreds::decode(Bytes bytes) {
  Reader top(bytes, kTsPasswordCreds);
  TsPasswordCreds c;
  Status s = der::with_contents(bytes, top, TAG_SEQUENCE, "SEQUENCE", [&](Reader& r) -> Status {
    Status f = read_explicit_octet_string(bytes, r, 0, "domainName", c.domain_name);
    if (f.ok()) f = read_explicit_octet_string(bytes, r, 1, "userName", c.user_name);
    if (f.ok()) f = read_explicit_octet_string(bytes, r, 2, "password", c.password);
    return f;
  });
  if (!s.ok()) return s.error();
  top.expect_end("bytes after TSPasswordCreds");
  if (!top.ok()) return top.error();
  return c;
}

std::size_t TsCredentials::size() const {
  return tlv_size(ts_credentials_content_size(cred_type, credentials.size()));
}

void TsCredentials::encode(Writer& w) const {
  write_ts_credentials_header(w, cred_type, credentials.size());
  w.bytes(credentials);
}

Result<TsCredentials> TsCredentials::decode(Bytes bytes) {
  Reader top(bytes, kTsCredentials);
  TsCredentials c;
  Status s = der::with_contents(bytes, top, TAG_SEQUENCE, "SEQUENCE", [&](Reader& r) -> Status {
    Status f = der::with_contents(bytes, r, context_tag(0), "credType", [&](Reader& v) {
      c.cred_type = der::read_unsigned(v, "credType");
      return Status(Ok{});
    });
    if (f.ok()) f = read_explicit_octet_string(bytes, r, 1, "credentials", c.credentials);
    return f;
  });
  if (!s.ok()) return s.error();
  top.expect_end("bytes after TSCredentials");
  if (!top.ok()) return top.error();
  return c;
}

std::size_t password_credentials_size(const TsPasswordCreds& creds) {
  return tlv_size(ts_credentials_content_size(TS_PASSWORD_CREDS, creds.size()));
}

void encode_password_credentials(const TsPasswordCreds& creds, std::vector<std::uint8_t>& out) {
  wipe(out);
  out.clear();
  out.reserve(password_credentials_size(creds));
  Writer w(out);
  write_ts_credentials_header(w, TS_PASSWORD_CREDS, creds.size());
  creds.encode(w);
}

// --- Early User Authorization Result ----------------------------------------------------------

Result<EarlyUserAuthorizationResult> EarlyUserAuthorizationResult::decode(Bytes bytes) {
  Reader r(bytes, "Early User Authorization Result");
  EarlyUserAuthorizationResult result;
  result.authorization_result = r.u32le("authorizationResult");
  r.expect_end();
  if (!r.ok()) return r.error();
  return result;
}

std::string_view authorization_result_name(std::uint32_t result) {
  switch (result) {
    case AUTHZ_SUCCESS:
      return "AUTHZ_SUCCESS";
    case AUTHZ_ACCESS_DENIED:
      return "AUTHZ_ACCESS_DENIED";
    default:
      return {};
  }
}

}  // namespace rdwarm::wire::credssp
