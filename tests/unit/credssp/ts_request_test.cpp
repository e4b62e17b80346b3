// TSRequest, TSCredentials, TSPasswordCreds and the Early User Authorization Result [MS-CSSP 2.2.1,
// MS-RDPBCGR 2.2.10.2]: the [MS-CSSP] section 4 example and a Windows CredSSP v6 capture
// (tests/data/credssp/README.md) decode field by field and re-encode byte for byte; every
// optional-field combination and version round-trips and is read back by `openssl asn1parse`;
// `openssl asn1parse -genconf` output decodes; framing and malformed input.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "licensing/wire/credssp.hpp"
#include "licensing/wire/der.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/text.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/vectors.hpp"
#include "tests/unit/credssp/openssl_cli.hpp"

namespace rdwarm::wire::credssp {
namespace {

using testing::hex;
using testing::load_hex_vector;
using Blob = std::vector<std::uint8_t>;

Blob text(std::string_view s) {
  return {s.begin(), s.end()};
}

std::string utf8(Bytes utf16) {
  auto s = utf8_from_utf16le(utf16, "test");
  EXPECT_TRUE(s.ok());
  return s.ok() ? s.value() : std::string();
}

bool starts_with(const Blob& b, std::string_view prefix) {
  return b.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b.begin());
}

// --- [MS-CSSP] 4 -------------------------------------------------------------------------------

TEST(CredsspSpecVectors, TsCredentialsSmartcard_Section4) {
  const auto bytes = load_hex_vector("credssp/ms-cssp-4-ts-credentials-smartcard.hex");
  ASSERT_EQ(bytes.size(), 275u);
  auto creds = TsCredentials::decode(bytes);
  ASSERT_TRUE(creds.ok()) << creds.error().message();
  EXPECT_EQ(creds->cred_type, TS_SMARTCARD_CREDS);
  ASSERT_EQ(creds->credentials.size(), 258u);
  EXPECT_EQ(encode_to_vector(*creds), bytes);  // byte for byte
  EXPECT_EQ(creds->size(), bytes.size());

  // The credentials are a TSSmartCardCreds [MS-CSSP 2.2.1.2.2]: walk it with the DER primitives.
  // TSSmartCardCreds ::= SEQUENCE { pin [0] OCTET STRING, cspData [1] TSCspDataDetail, ... }
  // TSCspDataDetail ::= SEQUENCE { keySpec [0] INTEGER, cardName [1] OCTET STRING OPTIONAL,
  //   readerName [2] ..., containerName [3] ..., cspName [4] ... }
  const Bytes inner = creds->credentials;
  Reader top(inner, "TSSmartCardCreds");
  std::string pin, reader, container, csp;
  std::int64_t key_spec = -1;
  const auto string_field = [&](Reader& r, unsigned n, std::string& out) {
    return der::with_contents(inner, r, der::context_tag(n), "field", [&](Reader& c) -> Status {
      out = utf8(der::read_octet_string(c, "field"));
      return Ok{};
    });
  };
  Status s = der::with_contents(inner, top, der::TAG_SEQUENCE, "card", [&](Reader& r) -> Status {
    Status f = string_field(r, 0, pin);
    if (!f.ok()) return f;
    return der::with_contents(inner, r, der::context_tag(1), "cspData", [&](Reader& c) {
      return der::with_contents(inner, c, der::TAG_SEQUENCE, "cspData", [&](Reader& d) -> Status {
        Status g = der::with_contents(inner, d, der::context_tag(0), "keySpec", [&](Reader& k) {
          key_spec = der::read_integer(k, "keySpec");
          return Status(Ok{});
        });
        if (g.ok()) g = string_field(d, 2, reader);  // cardName [1] is absent
        if (g.ok()) g = string_field(d, 3, container);
        if (g.ok()) g = string_field(d, 4, csp);
        return g;
      });
    });
  });
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(pin, "bbbbbbbbbbbb");
  EXPECT_EQ(key_spec, 1);  // AT_KEYEXCHANGE
  EXPECT_EQ(reader, "OMNIKEY CardMan 3x21 0");
  EXPECT_EQ(container, "le-MSSmartcardUser-8bda019f-1266--53268");
  EXPECT_EQ(csp, "Microsoft Base Smart Card Crypto Provider");
}

// --- a Windows CredSSP v6 exchange -------------------------------------------------------------

TEST(CredsspWindowsCapture, ClientNegotiate) {
  const auto bytes = load_hex_vector("credssp/windows-v6-1-client-negotiate.hex");
  auto q = TsRequest::decode(bytes);
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->version, 6u);
  ASSERT_EQ(q->nego_tokens.size(), 1u);
  EXPECT_EQ(q->nego_tokens[0].size(), 40u);
  EXPECT_TRUE(starts_with(q->nego_tokens[0], std::string_view("NTLMSSP\0\x01\0\0\0", 12)));
  EXPECT_TRUE(q->auth_info.empty());
  EXPECT_TRUE(q->pub_key_auth.empty());
  EXPECT_FALSE(q->error_code.has_value());
  EXPECT_FALSE(q->client_nonce.has_value());
  EXPECT_EQ(encode_to_vector(*q), bytes);
}

TEST(CredsspWindowsCapture, ServerChallenge) {
  const auto bytes = load_hex_vector("credssp/windows-v6-2-server-challenge.hex");
  auto q = TsRequest::decode(bytes);
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->version, 6u);
  ASSERT_EQ(q->nego_tokens.size(), 1u);
  EXPECT_EQ(q->nego_tokens[0].size(), 238u);
  EXPECT_TRUE(starts_with(q->nego_tokens[0], std::string_view("NTLMSSP\0\x02\0\0\0", 12)));
  EXPECT_EQ(encode_to_vector(*q), bytes);
}

TEST(CredsspWindowsCapture, ClientAuthenticateWithPubKeyAuthAndNonce) {
  const auto bytes = load_hex_vector("credssp/windows-v6-3-client-authenticate.hex");
  auto q = TsRequest::decode(bytes);
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->version, 6u);
  ASSERT_EQ(q->nego_tokens.size(), 1u);
  EXPECT_EQ(q->nego_tokens[0].size(), 0x216u);
  EXPECT_TRUE(starts_with(q->nego_tokens[0], std::string_view("NTLMSSP\0\x03\0\0\0", 12)));
  // NTLM-wrapped SHA-256 binding hash: 16-byte signature (version 1) + 32 bytes.
  ASSERT_EQ(q->pub_key_auth.size(), 48u);
  EXPECT_EQ(to_hex(Bytes(q->pub_key_auth).first(4), " "), "01 00 00 00");
  ASSERT_TRUE(q->client_nonce.has_value());
  EXPECT_EQ(to_hex(*q->client_nonce),
            "e50faca0b401a6e585727dbc6436231e79d000d113d21809e8ba7e6f7b26543c");
  EXPECT_EQ(encode_to_vector(*q), bytes);
}

TEST(CredsspWindowsCapture, ServerPubKeyAuthAndClientAuthInfo) {
  const auto server = load_hex_vector("credssp/windows-v6-4-server-pubkeyauth.hex");
  auto q = TsRequest::decode(server);
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->version, 6u);
  EXPECT_TRUE(q->nego_tokens.empty());
  EXPECT_EQ(q->pub_key_auth.size(), 48u);
  EXPECT_EQ(encode_to_vector(*q), server);

  const auto client = load_hex_vector("credssp/windows-v6-5-client-authinfo.hex");
  auto a = TsRequest::decode(client);
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->auth_info.size(), 85u);  // signature + encrypted TSCredentials
  EXPECT_TRUE(a->pub_key_auth.empty());
  EXPECT_EQ(encode_to_vector(*a), client);
}

TEST(CredsspWindowsCapture, EarlyUserAuthorizationResult) {
  const auto bytes = load_hex_vector("credssp/windows-v6-6-early-user-authorization-result.hex");
  auto r = EarlyUserAuthorizationResult::decode(bytes);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->success());
  EXPECT_EQ(authorization_result_name(r->authorization_result), "AUTHZ_SUCCESS");
  EXPECT_EQ(encode_to_vector(*r), bytes);

  auto denied = EarlyUserAuthorizationResult::decode(hex("05 00 00 00"));
  ASSERT_TRUE(denied.ok());
  EXPECT_FALSE(denied->success());
  EXPECT_EQ(denied->authorization_result, AUTHZ_ACCESS_DENIED);
  EXPECT_EQ(authorization_result_name(denied->authorization_result), "AUTHZ_ACCESS_DENIED");
  auto other = EarlyUserAuthorizationResult::decode(hex("07 00 00 01"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->authorization_result, 0x01000007u);
  EXPECT_FALSE(other->success());

  auto short_pdu = EarlyUserAuthorizationResult::decode(hex("00 00 00"));
  ASSERT_FALSE(short_pdu.ok());
  EXPECT_EQ(short_pdu.error().message(),
            "Early User Authorization Result.authorizationResult: needs 4 bytes, 3 left (at "
            "offset 0)");
  EXPECT_FALSE(EarlyUserAuthorizationResult::decode(hex("00 00 00 00 00")).ok());
}

// --- round trips -------------------------------------------------------------------------------

ClientNonce test_nonce() {
  ClientNonce n{};
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(0xA0 + i);
  return n;
}

// Every subset of the optional fields (bit i of `mask` sets field [i + 1]).
TsRequest request_with(unsigned mask, std::uint32_t version) {
  TsRequest q;
  q.version = version;
  if (mask & 1u) q.nego_tokens = {text("NTLMSSP\0token-one"), Blob(300, 0x42)};
  if (mask & 2u) q.auth_info = Blob(85, 0x17);
  if (mask & 4u) q.pub_key_auth = Blob(48, 0x99);
  if (mask & 8u) q.error_code = STATUS_LOGON_FAILURE;
  if (mask & 16u) q.client_nonce = test_nonce();
  return q;
}

TEST(TsRequestRoundTrip, EveryOptionalFieldCombinationAndVersion) {
  for (std::uint32_t version = CREDSSP_VERSION_2; version <= CREDSSP_VERSION_6; ++version) {
    for (unsigned mask = 0; mask < 32; ++mask) {
      const TsRequest q = request_with(mask, version);
      const auto bytes = encode_to_vector(q);
      ASSERT_EQ(bytes.size(), q.size()) << version << "/" << mask;
      auto back = TsRequest::decode(bytes);
      ASSERT_TRUE(back.ok()) << version << "/" << mask << ": " << back.error().message();
      EXPECT_EQ(*back, q) << version << "/" << mask;
      auto frame = ts_request_frame_length(bytes);
      ASSERT_TRUE(frame.ok());
      EXPECT_EQ(frame.value(), std::optional<std::size_t>(bytes.size()));
    }
  }
}

TEST(TsRequestRoundTrip, ErrorCodesSurviveAsWindowsWritesThem) {
  struct Case {
    std::uint32_t code;
    const char* integer;  // the INTEGER inside [4]
  };
  for (const Case& c :
       {Case{STATUS_LOGON_FAILURE, "02 04 c0 00 00 6d"},
        Case{STATUS_ACCOUNT_DISABLED, "02 04 c0 00 00 72"},
        Case{STATUS_PASSWORD_MUST_CHANGE, "02 04 c0 00 02 24"},
        Case{kSecEInvalidToken, "02 04 80 09 03 08"}, Case{0, "02 01 00"}, Case{5, "02 01 05"},
        Case{0x7FFFFFFF, "02 04 7f ff ff ff"}, Case{0xFFFFFFFF, "02 01 ff"}}) {
    TsRequest q;
    q.error_code = c.code;
    const auto bytes = encode_to_vector(q);
    const std::string expected =
        "a4 " + hex_code(static_cast<std::uint32_t>(hex(c.integer).size()), 2).substr(2) + " " +
        c.integer;
    EXPECT_NE(to_hex(bytes, " ").find(expected), std::string::npos)
        << to_hex(bytes, " ") << " lacks " << expected;
    auto back = TsRequest::decode(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->error_code, std::optional<std::uint32_t>(c.code));
  }
  // The unsigned form of the same code decodes to the same value.
  auto unsigned_form = TsRequest::decode(hex("30 0e a0 03 02 01 06 a4 07 02 05 00 c0 00 00 6d"));
  ASSERT_TRUE(unsigned_form.ok()) << unsigned_form.error().message();
  EXPECT_EQ(unsigned_form->error_code, std::optional<std::uint32_t>(STATUS_LOGON_FAILURE));
  EXPECT_EQ(status_code_name(STATUS_LOGON_FAILURE), "STATUS_LOGON_FAILURE");
  EXPECT_EQ(status_code_name(STATUS_PASSWORD_MUST_CHANGE), "STATUS_PASSWORD_MUST_CHANGE");
  EXPECT_EQ(status_code_name(kSecEInvalidToken), "SEC_E_INVALID_TOKEN");
  EXPECT_EQ(status_code_name(0x12345678), "");
}

TEST(TsRequestRoundTrip, LargeTokensUseLongLengths) {
  TsRequest q;
  q.nego_tokens = {Blob(70000, 0x5A)};  // a Kerberos AP-REQ with a large PAC is this big
  const auto bytes = encode_to_vector(q);
  EXPECT_EQ(to_hex(Bytes(bytes).first(4), " "), "30 83 01 11");
  auto back = TsRequest::decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, q);
}

// --- independent cross-checks ------------------------------------------------------------------

TEST(TsRequestOpenssl, AsnParseReadsEveryCombination) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-credssp");
  for (std::uint32_t version = CREDSSP_VERSION_2; version <= CREDSSP_VERSION_6; ++version) {
    for (unsigned mask = 0; mask < 32; ++mask) {
      const TsRequest q = request_with(mask, version);
      const auto bytes = encode_to_vector(q);
      const auto lines = testing::asn1parse(bytes, dir.path());
      ASSERT_FALSE(lines.empty());
      EXPECT_EQ(lines[0].type, "SEQUENCE");
      EXPECT_EQ(lines[0].header_length + lines[0].length, bytes.size());
      // The fields at depth 1, in order, and what openssl read inside them.
      std::vector<std::string> fields;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].depth != 1) continue;
        fields.push_back(lines[i].type);
        ASSERT_LT(i + 1, lines.size());
        const auto& inner = lines[i + 1];
        if (lines[i].type == "cont [ 0 ]") {
          EXPECT_EQ(inner.type, "INTEGER");
          EXPECT_EQ(inner.value, hex_code(version, 2).substr(2));
        } else if (lines[i].type == "cont [ 4 ]") {
          EXPECT_EQ(inner.type, "INTEGER");
          EXPECT_EQ(inner.value, "-3FFFFF93");  // 0xC000006D, signed
        } else if (lines[i].type == "cont [ 5 ]") {
          EXPECT_EQ(inner.type, "OCTET STRING");
          EXPECT_EQ(inner.length, 32u);
        } else if (lines[i].type == "cont [ 1 ]") {
          EXPECT_EQ(inner.type, "SEQUENCE");
        } else {
          EXPECT_EQ(inner.type, "OCTET STRING");
        }
      }
      std::vector<std::string> expected{"cont [ 0 ]"};
      for (unsigned bit = 0; bit < 5; ++bit) {
        if (mask & (1u << bit)) expected.push_back("cont [ " + std::to_string(bit + 1) + " ]");
      }
      EXPECT_EQ(fields, expected) << version << "/" << mask;
      std::size_t tokens = 0;
      for (const auto& line : lines) tokens += line.depth == 4 && line.type == "cont [ 0 ]";
      EXPECT_EQ(tokens, q.nego_tokens.size());
    }
  }
}

TEST(TsRequestOpenssl, DecodesWhatGenconfWrites) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-credssp");
  const std::string nonce(64, 'c');
  const std::string config =
      "asn1 = SEQUENCE:req\n"
      "[req]\n"
      "version = EXPLICIT:0,INTEGER:5\n"
      "negoTokens = EXPLICIT:1,SEQUENCE:nego\n"
      "authInfo = EXPLICIT:2,FORMAT:HEX,OCTETSTRING:0102030405\n"
      "pubKeyAuth = EXPLICIT:3,FORMAT:HEX,OCTETSTRING:" +
      std::string(96, 'e') +
      "\n"
      "errorCode = EXPLICIT:4,INTEGER:-1073741715\n"
      "clientNonce = EXPLICIT:5,FORMAT:HEX,OCTETSTRING:" +
      nonce +
      "\n"
      "[nego]\n"
      "t1 = SEQUENCE:tok1\n"
      "t2 = SEQUENCE:tok2\n"
      "[tok1]\n"
      "negoToken = EXPLICIT:0,FORMAT:HEX,OCTETSTRING:4e544c4d5353500001000000\n"
      "[tok2]\n"
      "negoToken = EXPLICIT:0,FORMAT:HEX,OCTETSTRING:" +
      std::string(600, 'f') + "\n";
  const auto der = testing::genconf(config, dir.path());
  auto q = TsRequest::decode(der);
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->version, 5u);
  ASSERT_EQ(q->nego_tokens.size(), 2u);
  EXPECT_EQ(to_hex(q->nego_tokens[0]), "4e544c4d5353500001000000");
  EXPECT_EQ(q->nego_tokens[1], Blob(300, 0xFF));
  EXPECT_EQ(to_hex(q->auth_info), "0102030405");
  EXPECT_EQ(q->pub_key_auth, Blob(48, 0xEE));
  EXPECT_EQ(q->error_code, std::optional<std::uint32_t>(STATUS_LOGON_FAILURE));
  ASSERT_TRUE(q->client_nonce.has_value());
  EXPECT_EQ(to_hex(*q->client_nonce), nonce);
  EXPECT_EQ(encode_to_vector(*q), der);  // openssl and we write the same DER

  // errorCode written unsigned (INTEGER:0xC000006D gives 02 05 00 c0 00 00 6d) decodes the same.
  const auto unsigned_der = testing::genconf(
      "asn1 = SEQUENCE:req\n[req]\nversion = EXPLICIT:0,INTEGER:3\n"
      "errorCode = EXPLICIT:4,INTEGER:0xC0000224\n",
      dir.path());
  auto u = TsRequest::decode(unsigned_der);
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->error_code, std::optional<std::uint32_t>(STATUS_PASSWORD_MUST_CHANGE));
}

TEST(TsPasswordCredsOpenssl, EncodingEqualsGenconfByteForByte) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-credssp");
  const Blob domain = utf16le_from_utf8("LAB");
  const Blob user = utf16le_from_utf8("probe");
  const Blob password = utf16le_from_utf8("p\xC3\xA4sswort-\xE2\x82\xAC");  // non-ASCII too
  const std::string creds_config =
      "[creds]\n"
      "domainName = EXPLICIT:0,FORMAT:HEX,OCTETSTRING:" +
      to_hex(domain) +
      "\n"
      "userName = EXPLICIT:1,FORMAT:HEX,OCTETSTRING:" +
      to_hex(user) +
      "\n"
      "password = EXPLICIT:2,FORMAT:HEX,OCTETSTRING:" +
      to_hex(password) + "\n";
  const auto creds_der = testing::genconf("asn1 = SEQUENCE:creds\n" + creds_config, dir.path());
  const TsPasswordCreds creds{domain, user, password};
  EXPECT_EQ(encode_to_vector(creds), creds_der);

  const auto whole = testing::genconf(
      "asn1 = SEQUENCE:tscreds\n[tscreds]\n"
      "credType = EXPLICIT:0,INTEGER:1\n"
      "credentials = EXPLICIT:1,OCTWRAP,SEQUENCE:creds\n" +
          creds_config,
      dir.path());
  std::vector<std::uint8_t> out;
  encode_password_credentials(creds, out);
  EXPECT_EQ(out, whole);
  EXPECT_EQ(out.size(), password_credentials_size(creds));
}

// --- TSCredentials / TSPasswordCreds -----------------------------------------------------------

TEST(TsCredentials, PasswordCredentialsRoundTripAsViews) {
  const Blob domain = utf16le_from_utf8("CORP");
  const Blob user = utf16le_from_utf8("rdwarm-probe");
  const Blob password = utf16le_from_utf8("correct horse battery staple");
  const TsPasswordCreds creds{domain, user, password};
  std::vector<std::uint8_t> out;
  encode_password_credentials(creds, out);
  ASSERT_EQ(out.size(), password_credentials_size(creds));
  EXPECT_EQ(out.capacity(), out.size()) << "one exact allocation, no reallocation";
  std::vector<std::uint8_t> reused(1000, 0x77);  // previous contents are wiped and replaced
  encode_password_credentials(creds, reused);
  EXPECT_EQ(reused, out);

  auto outer = TsCredentials::decode(out);
  ASSERT_TRUE(outer.ok()) << outer.error().message();
  EXPECT_EQ(outer->cred_type, TS_PASSWORD_CREDS);
  EXPECT_EQ(encode_to_vector(*outer), out);
  auto inner = TsPasswordCreds::decode(outer->credentials);
  ASSERT_TRUE(inner.ok()) << inner.error().message();
  EXPECT_EQ(utf8(inner->domain_name), "CORP");
  EXPECT_EQ(utf8(inner->user_name), "rdwarm-probe");
  EXPECT_EQ(utf8(inner->password), "correct horse battery staple");
  // Views into the buffer, not copies.
  EXPECT_GE(inner->password.data(), out.data());
  EXPECT_LE(inner->password.data() + inner->password.size(), out.data() + out.size());

  // Empty domain and user (credential-less restricted admin) are still written.
  const TsPasswordCreds empty{};
  EXPECT_EQ(to_hex(encode_to_vector(empty), " "), "30 0c a0 02 04 00 a1 02 04 00 a2 02 04 00");
  const auto empty_bytes = encode_to_vector(empty);
  auto back = TsPasswordCreds::decode(empty_bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->password.empty());
}

TEST(TsCredentials, ErrorsNeverContainThePassword) {
  const Blob password = utf16le_from_utf8("Hunter2Secret");
  const Blob user = utf16le_from_utf8("u");  // TsPasswordCreds holds views: keep the bytes alive
  const TsPasswordCreds creds{Bytes(), user, password};
  const auto full = encode_to_vector(creds);
  std::size_t failures = 0;
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto r = TsPasswordCreds::decode(Bytes(full).first(n));
    ASSERT_FALSE(r.ok()) << n;
    ++failures;
    const std::string m = r.error().message();
    EXPECT_EQ(m.find("Hunter"), std::string::npos) << m;
    EXPECT_EQ(m.find("48 00 75"), std::string::npos) << m;
    EXPECT_EQ(m.find("480075"), std::string::npos) << m;
    EXPECT_NE(m.find("TSPasswordCreds"), std::string::npos) << m;
  }
  EXPECT_EQ(failures, full.size());
  auto wrong = TsPasswordCreds::decode(hex("30 06 a0 02 04 00 a2 00"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message(),
            "TSPasswordCreds.userName: tag is 0xA2, expected 0xA1 (at offset 7)");
}

// --- framing -----------------------------------------------------------------------------------

TEST(TsRequestFraming, TellsNeedMoreUntilTheWholeMessageIsThere) {
  TsRequest q;
  q.nego_tokens = {Blob(400, 1)};
  const auto one = encode_to_vector(q);  // 30 82 01 ..
  ASSERT_EQ(one[1], 0x82);
  EXPECT_EQ(ts_request_frame_length({}).value(), std::nullopt);
  EXPECT_EQ(ts_request_frame_length(Bytes(one).first(1)).value(), std::nullopt);
  EXPECT_EQ(ts_request_frame_length(Bytes(one).first(2)).value(), std::nullopt);
  EXPECT_EQ(ts_request_frame_length(Bytes(one).first(3)).value(), std::nullopt);
  // A caller cuts exactly the returned length from what it holds, so a length beyond the buffer
  // would be an over-read: it comes only once the message is complete.
  for (std::size_t n = 4; n < one.size(); ++n) {
    auto f = ts_request_frame_length(Bytes(one).first(n));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f.value(), std::nullopt) << n;
  }
  EXPECT_EQ(ts_request_frame_length(one).value(), std::optional<std::size_t>(one.size()));
  // Two messages back to back: the first one's length.
  Blob two = one;
  const auto small = encode_to_vector(TsRequest{});
  two.insert(two.end(), small.begin(), small.end());
  EXPECT_EQ(ts_request_frame_length(two).value(), std::optional<std::size_t>(one.size()));
  EXPECT_EQ(ts_request_frame_length(small).value(), std::optional<std::size_t>(small.size()));
  EXPECT_EQ(to_hex(small, " "), "30 05 a0 03 02 01 06");
}

TEST(TsRequestFraming, RefusesWhatIsNotATsRequest) {
  struct Case {
    const char* bytes;
    const char* says;
  };
  for (const Case& c : {
           Case{"03 00 00 13", "first byte is 0x03, not a SEQUENCE (0x30)"},  // a TPKT
           Case{"30 80", "indefinite length"},
           Case{"30 81 7f", "long form below 128"},
           Case{"30 82 00 ff", "leading zero octet"},
           Case{"30 85", "5 length octets"},
           Case{"30 83 10 00 00", "larger than 1048576 bytes"},
       }) {
    auto f = ts_request_frame_length(hex(c.bytes));
    ASSERT_FALSE(f.ok()) << c.bytes;
    EXPECT_NE(f.error().message().find(c.says), std::string::npos) << f.error().message();
    EXPECT_NE(f.error().message().find("TSRequest.framing"), std::string::npos);
  }
  // The largest allowed length is not an error, only a message still to come.
  EXPECT_EQ(ts_request_frame_length(hex("30 83 0f ff fb")).value(), std::nullopt);
}

// --- malformed TSRequests ----------------------------------------------------------------------

std::string decode_error(const std::string& hex_bytes) {
  auto q = TsRequest::decode(hex(hex_bytes));
  return q.ok() ? std::string() : q.error().message();
}

TEST(TsRequestErrors, EveryTruncationFails) {
  const auto full = encode_to_vector(request_with(31, 6));
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto q = TsRequest::decode(Bytes(full).first(n));
    ASSERT_FALSE(q.ok()) << n;
    EXPECT_EQ(q.error().where, "TSRequest");
  }
}

TEST(TsRequestErrors, NameTheField) {
  struct Case {
    const char* bytes;
    const char* says;
  };
  for (const Case& c : {
           Case{"31 05 a0 03 02 01 06", "TSRequest.SEQUENCE: tag is 0x31, expected 0x30"},
           Case{"30 05 a1 03 02 01 06", "TSRequest.version: tag is 0xA1, expected 0xA0"},
           Case{"30 05 a0 03 02 01 ff", "TSRequest.version: INTEGER -1 is outside"},
           Case{"30 09 a0 07 02 05 01 00 00 00 00", "TSRequest.version: INTEGER 4294967296"},
           Case{"30 05 a0 03 04 01 06", "TSRequest.version: tag is 0x04, expected 0x02"},
           Case{"30 06 a0 04 02 01 06 00", "TSRequest.version: 1 unexpected bytes"},
           Case{"30 80 a0 03 02 01 06 00 00", "TSRequest.SEQUENCE: indefinite length"},
           Case{"30 81 05 a0 03 02 01 06", "TSRequest.SEQUENCE: length 5 in the long form"},
           Case{"30 06 a0 03 02 01 06", "TSRequest.SEQUENCE: length 6 is beyond the buffer"},
           Case{"30 05 a0 03 02 01 06 00", "TSRequest.bytes after the TSRequest: 1 unexpected"},
           Case{"30 0b a0 03 02 01 06 a1 04 30 02 31 00",
                "TSRequest.negoTokens.negoToken: tag is 0x31, expected 0x30"},
           Case{"30 0d a0 03 02 01 06 a1 06 30 04 30 02 a1 00",
                "TSRequest.negoTokens.negoToken: tag is 0xA1, expected 0xA0"},
           Case{"30 0f a0 03 02 01 06 a1 08 30 06 30 04 a0 02 04 05",
                "TSRequest.negoTokens.negoToken: length 5 is beyond the buffer (0 bytes left)"},
           Case{"30 0c a0 03 02 01 06 a5 05 04 03 01 02 03",
                "TSRequest.clientNonce: is 3 bytes, expected 32"},
           Case{"30 0e a0 03 02 01 06 a4 07 02 05 01 00 00 00 00",
                "TSRequest.errorCode: INTEGER 4294967296 does not fit a 32-bit status code"},
           Case{"30 0d a0 03 02 01 06 a3 02 04 00 a2 02 04 00",
                "TSRequest.fields: unexpected element with tag 0xA2"},  // out of order
           Case{"30 0d a0 03 02 01 06 a2 02 04 00 a2 02 04 00",
                "TSRequest.fields: unexpected element with tag 0xA2"},  // repeated
           Case{"30 09 a0 03 02 01 06 04 02 00 00",
                "TSRequest.fields: unexpected element with tag 0x04"},
           Case{"30 0a a0 03 02 01 06 bf 1f 02 00 00", "unexpected element with tag 0xBF"},
       }) {
    const std::string message = decode_error(c.bytes);
    EXPECT_NE(message.find(c.says), std::string::npos) << c.bytes << "\n  -> " << message;
  }
}

TEST(TsRequestErrors, ALaterVersionsFieldsAreSkipped) {
  auto q = TsRequest::decode(hex("30 0f a0 03 02 01 07 a3 02 04 00 a6 04 04 02 ab cd"));
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->version, 7u);
  // An empty NegoData decodes as absent.
  auto e = TsRequest::decode(hex("30 09 a0 03 02 01 06 a1 02 30 00"));
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_TRUE(e->nego_tokens.empty());
}

}  // namespace
}  // namespace rdwarm::wire::credssp
