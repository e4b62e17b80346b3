// SPNEGO tokens [RFC 4178 4.2, MS-SPNG 2.2.1]: Windows tokens (tests/data/credssp/README.md) decode
// field by field and re-encode byte for byte; [MS-SPNG] prints no bytes, so the encoders are also
// checked against `openssl asn1parse -genconf`, which writes the same structures independently.
#include "licensing/wire/spnego.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/vectors.hpp"
#include "tests/unit/credssp/openssl_cli.hpp"

namespace rdwarm::wire::spnego {
namespace {

using testing::hex;
using testing::load_hex_vector;
using Blob = std::vector<std::uint8_t>;

bool starts_with(const Blob& b, std::string_view prefix) {
  return b.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b.begin());
}

Blob text(std::string_view s) {
  return {s.begin(), s.end()};
}

// --- Windows tokens ----------------------------------------------------------------------------

TEST(SpnegoWindowsTokens, NegTokenInitWithNtlm) {
  const auto bytes = load_hex_vector("credssp/spnego-windows-1-neg-token-init-ntlm.hex");
  auto t = NegTokenInit::decode(bytes);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->mech_types, std::vector<Oid>{OID_NTLMSSP});
  EXPECT_FALSE(t->req_flags.has_value());
  ASSERT_TRUE(t->mech_token.has_value());
  EXPECT_TRUE(starts_with(*t->mech_token, std::string_view("NTLMSSP\0\x01\0\0\0", 12)));
  EXPECT_FALSE(t->neg_hints.has_value());
  EXPECT_FALSE(t->mech_list_mic.has_value());
  EXPECT_FALSE(t->init2);
  EXPECT_EQ(encode_to_vector(*t), bytes);
  EXPECT_EQ(t->size(), bytes.size());
  // The MechTypeList the mechListMIC covers is in the token at offset 16 (after a0 0e).
  const Blob list = mech_type_list_der(t->mech_types);
  EXPECT_EQ(to_hex(list, " "), "30 0c 06 0a 2b 06 01 04 01 82 37 02 02 0a");
  EXPECT_EQ(Blob(bytes.begin() + 16, bytes.begin() + 16 + static_cast<long>(list.size())), list);

  auto any = decode_negotiation_token(bytes);
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(std::holds_alternative<NegTokenInit>(*any));
}

TEST(SpnegoWindowsTokens, NegTokenRespChallenge) {
  const auto bytes = load_hex_vector("credssp/spnego-windows-2-neg-token-resp-challenge.hex");
  auto t = NegTokenResp::decode(bytes);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->neg_state, std::optional<NegState>(NegState::AcceptIncomplete));
  EXPECT_EQ(t->supported_mech, std::optional<Oid>(OID_NTLMSSP));
  ASSERT_TRUE(t->response_token.has_value());
  EXPECT_EQ(t->response_token->size(), 238u);
  EXPECT_TRUE(starts_with(*t->response_token, std::string_view("NTLMSSP\0\x02\0\0\0", 12)));
  EXPECT_FALSE(t->mech_list_mic.has_value());
  EXPECT_EQ(encode_to_vector(*t), bytes);
  EXPECT_EQ(mechanism_name(*t->supported_mech), "NTLM");
  EXPECT_EQ(neg_state_name(*t->neg_state), "accept-incomplete");
}

TEST(SpnegoWindowsTokens, NegTokenRespAuthenticateWithMic) {
  const auto bytes = load_hex_vector("credssp/spnego-windows-3-neg-token-resp-authenticate.hex");
  auto t = NegTokenResp::decode(bytes);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_FALSE(t->neg_state.has_value());  // the client's reply carries none
  EXPECT_FALSE(t->supported_mech.has_value());
  ASSERT_TRUE(t->response_token.has_value());
  EXPECT_EQ(t->response_token->size(), 0x1D8u);
  EXPECT_TRUE(starts_with(*t->response_token, std::string_view("NTLMSSP\0\x03\0\0\0", 12)));
  ASSERT_TRUE(t->mech_list_mic.has_value());
  EXPECT_EQ(to_hex(*t->mech_list_mic), "01000000c40f8cea64e0e56400000000");  // NTLM signature
  EXPECT_EQ(encode_to_vector(*t), bytes);
}

TEST(SpnegoWindowsTokens, NegTokenRespAcceptCompleted) {
  const auto bytes =
      load_hex_vector("credssp/spnego-windows-4-neg-token-resp-accept-completed.hex");
  auto t = NegTokenResp::decode(bytes);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->neg_state, std::optional<NegState>(NegState::AcceptCompleted));
  EXPECT_FALSE(t->response_token.has_value());
  ASSERT_TRUE(t->mech_list_mic.has_value());
  EXPECT_EQ(to_hex(*t->mech_list_mic), "010000007c3cf99405b02f5500000000");
  EXPECT_EQ(encode_to_vector(*t), bytes);
  auto any = decode_negotiation_token(bytes);
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(std::holds_alternative<NegTokenResp>(*any));
}

TEST(SpnegoWindowsTokens, NegTokenInit2WithNegoExAndHints) {
  const auto bytes = load_hex_vector("credssp/spnego-windows-neg-token-init2-negoex.hex");
  auto t = NegTokenInit::decode(bytes);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->mech_types, (std::vector<Oid>{OID_NEGOEX, OID_NTLMSSP}));
  EXPECT_EQ(mechanism_name(t->mech_types[0]), "NegoEx");
  ASSERT_TRUE(t->mech_token.has_value());
  EXPECT_TRUE(starts_with(*t->mech_token, "NEGOEXTS"));
  ASSERT_TRUE(t->neg_hints.has_value());
  EXPECT_EQ(t->neg_hints->hint_name, std::optional<std::string>(std::string(kNegHintsPlaceholder)));
  EXPECT_FALSE(t->neg_hints->hint_address.has_value());
  EXPECT_FALSE(t->mech_list_mic.has_value());
  EXPECT_TRUE(t->init2);
  EXPECT_EQ(encode_to_vector(*t), bytes);
}

// --- round trips -------------------------------------------------------------------------------

TEST(SpnegoRoundTrip, EveryNegTokenInitCombination) {
  for (unsigned mask = 0; mask < 16; ++mask) {
    NegTokenInit t;
    t.mech_types = {OID_MS_KERBEROS, OID_KERBEROS, OID_NTLMSSP, Oid{1, 2, 3, 4, 5}};
    if (mask & 1u) t.req_flags = Blob{0x01, 0x06};
    if (mask & 2u) t.mech_token = Blob(200, 0x33);
    if (mask & 4u) t.neg_hints = NegHints{std::string(kNegHintsPlaceholder), Blob{1, 2}};
    if (mask & 8u) t.mech_list_mic = Blob(16, 0x44);
    t.init2 = t.neg_hints.has_value();
    const auto bytes = encode_to_vector(t);
    ASSERT_EQ(bytes.size(), t.size()) << mask;
    auto back = NegTokenInit::decode(bytes);
    ASSERT_TRUE(back.ok()) << mask << ": " << back.error().message();
    EXPECT_EQ(*back, t) << mask;
    EXPECT_EQ(encode_to_vector(*back), bytes);
  }
  // NegTokenInit2 layout without negHints: the MIC stays at [4].
  NegTokenInit t;
  t.mech_types = {OID_NTLMSSP};
  t.mech_list_mic = Blob{9, 9};
  t.init2 = true;
  const auto bytes = encode_to_vector(t);
  EXPECT_NE(to_hex(bytes, " ").find("a4 04 04 02 09 09"), std::string::npos);
  auto back = NegTokenInit::decode(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
}

TEST(SpnegoRoundTrip, EveryNegTokenRespCombinationAndState) {
  for (unsigned mask = 0; mask < 16; ++mask) {
    for (auto state : {NegState::AcceptCompleted, NegState::AcceptIncomplete, NegState::Reject,
                       NegState::RequestMic}) {
      NegTokenResp t;
      if (mask & 1u) t.neg_state = state;
      if (mask & 2u) t.supported_mech = OID_KERBEROS;
      if (mask & 4u) t.response_token = Blob(70000, 0x21);
      if (mask & 8u) t.mech_list_mic = Blob(16, 0x12);
      const auto bytes = encode_to_vector(t);
      ASSERT_EQ(bytes.size(), t.size());
      auto back = NegTokenResp::decode(bytes);
      ASSERT_TRUE(back.ok()) << mask << ": " << back.error().message();
      EXPECT_EQ(*back, t);
    }
  }
}

// --- independent cross-checks ------------------------------------------------------------------

TEST(SpnegoOpenssl, DecodesGenconfTokensAndWritesTheSameBytes) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-spnego");
  const auto init = testing::genconf(
      "asn1 = IMPLICIT:0A,SEQUENCE:gss\n"
      "[gss]\n"
      "thisMech = OID:1.3.6.1.5.5.2\n"
      "token = EXPLICIT:0,SEQUENCE:init\n"
      "[init]\n"
      "mechTypes = EXPLICIT:0,SEQUENCE:mechs\n"
      "reqFlags = EXPLICIT:1,FORMAT:BITLIST,BITSTRING:1,2,5,6\n"
      "mechToken = EXPLICIT:2,FORMAT:HEX,OCTETSTRING:4e544c4d5353500001000000\n"
      "negHints = EXPLICIT:3,SEQUENCE:hints\n"
      "mechListMIC = EXPLICIT:4,FORMAT:HEX,OCTETSTRING:0100000011223344\n"
      "[mechs]\n"
      "m1 = OID:1.2.840.48018.1.2.2\n"
      "m2 = OID:1.2.840.113554.1.2.2\n"
      "m3 = OID:1.3.6.1.4.1.311.2.2.30\n"
      "m4 = OID:1.3.6.1.4.1.311.2.2.10\n"
      "m5 = OID:2.999.3\n"
      "[hints]\n"
      "hintName = EXPLICIT:0,GENSTR:not_defined_in_RFC4178@please_ignore\n"
      "hintAddress = EXPLICIT:1,FORMAT:HEX,OCTETSTRING:7f000001\n",
      dir.path());
  auto t = NegTokenInit::decode(init);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->mech_types, (std::vector<Oid>{OID_MS_KERBEROS, OID_KERBEROS, OID_NEGOEX, OID_NTLMSSP,
                                             Oid{2, 999, 3}}));
  EXPECT_EQ(t->req_flags, std::optional<Blob>(hex("01 66")));  // bits 1 2 5 6, 1 unused
  EXPECT_EQ(t->mech_token, std::optional<Blob>(hex("4e544c4d5353500001000000")));
  ASSERT_TRUE(t->neg_hints.has_value());
  EXPECT_EQ(t->neg_hints->hint_name, std::optional<std::string>(std::string(kNegHintsPlaceholder)));
  EXPECT_EQ(t->neg_hints->hint_address, std::optional<Blob>(hex("7f000001")));
  EXPECT_EQ(t->mech_list_mic, std::optional<Blob>(hex("0100000011223344")));
  EXPECT_EQ(encode_to_vector(*t), init);

  // The mechTypes DER we compute equals the SEQUENCE openssl wrote inside [0].
  const auto lines = testing::asn1parse(init, dir.path());
  bool found = false;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].depth == 3 && lines[i].type == "cont [ 0 ]") {
      const auto& seq = lines[i + 1];
      ASSERT_EQ(seq.type, "SEQUENCE");
      const Blob sent(
          init.begin() + static_cast<long>(seq.offset),
          init.begin() + static_cast<long>(seq.offset + seq.header_length + seq.length));
      EXPECT_EQ(mech_type_list_der(t->mech_types), sent);
      found = true;
    }
  }
  EXPECT_TRUE(found);

  const auto resp = testing::genconf(
      "asn1 = EXPLICIT:1,SEQUENCE:resp\n"
      "[resp]\n"
      "negState = EXPLICIT:0,ENUMERATED:3\n"
      "supportedMech = EXPLICIT:1,OID:1.3.6.1.4.1.311.2.2.10\n"
      "responseToken = EXPLICIT:2,FORMAT:HEX,OCTETSTRING:" +
          std::string(400, 'd') +
          "\n"
          "mechListMIC = EXPLICIT:3,FORMAT:HEX,OCTETSTRING:01000000aabbccdd\n",
      dir.path());
  auto r = NegTokenResp::decode(resp);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->neg_state, std::optional<NegState>(NegState::RequestMic));
  EXPECT_EQ(r->supported_mech, std::optional<Oid>(OID_NTLMSSP));
  EXPECT_EQ(r->response_token, std::optional<Blob>(Blob(200, 0xDD)));
  EXPECT_EQ(r->mech_list_mic, std::optional<Blob>(hex("01000000aabbccdd")));
  EXPECT_EQ(encode_to_vector(*r), resp);
}

TEST(SpnegoOpenssl, AsnParseReadsOurTokens) {
  RDWARM_SKIP_WITHOUT_OPENSSL_CLI();
  testing::ScopedTempDir dir("rdwarm-spnego");
  NegTokenInit init;
  init.mech_types = {OID_NTLMSSP};
  init.mech_token = text("NTLMSSP");
  const auto lines = testing::asn1parse(encode_to_vector(init), dir.path());
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0].type, "appl [ 0 ]");
  EXPECT_EQ(lines[1].value, "1.3.6.1.5.5.2");
  EXPECT_EQ(lines[2].type, "cont [ 0 ]");
  EXPECT_EQ(lines[3].type, "SEQUENCE");
  EXPECT_EQ(lines[4].type, "cont [ 0 ]");
  EXPECT_EQ(lines[6].value, "1.3.6.1.4.1.311.2.2.10");
  EXPECT_EQ(lines[7].type, "cont [ 2 ]");
  EXPECT_EQ(lines[8].value, "NTLMSSP");

  NegTokenResp resp;
  resp.neg_state = NegState::Reject;
  const auto r = testing::asn1parse(encode_to_vector(resp), dir.path());
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].type, "cont [ 1 ]");
  EXPECT_EQ(r[3].type, "ENUMERATED");
  EXPECT_EQ(r[3].value, "02");
}

// --- malformed tokens --------------------------------------------------------------------------

TEST(SpnegoErrors, NameTheField) {
  struct Case {
    const char* bytes;
    const char* says;
  };
  for (const Case& c : {
           // thisMech is Kerberos, not SPNEGO.
           Case{"60 0d 06 09 2a 86 48 86 f7 12 01 02 02 a0 00",
                "SPNEGO NegTokenInit.thisMech: is 1.2.840.113554.1.2.2, not SPNEGO"},
           Case{"60 0a 06 06 2b 06 01 05 05 02 a1 00",
                "SPNEGO NegTokenInit.negTokenInit: tag is 0xA1, expected 0xA0"},
           Case{"60 0c 06 06 2b 06 01 05 05 02 a0 02 30 00 00",
                "SPNEGO NegTokenInit.bytes after the token: 1 unexpected"},
           Case{"60 10 06 06 2b 06 01 05 05 02 a0 06 30 04 a0 02 30 01",
                "SPNEGO NegTokenInit.mechTypes: length 1 is beyond the buffer"},
           Case{"60 13 06 06 2b 06 01 05 05 02 a0 09 30 07 a0 05 30 03 06 01 80",
                "SPNEGO NegTokenInit.mechTypes: OBJECT IDENTIFIER ends inside"},
           Case{"60 14 06 06 2b 06 01 05 05 02 a0 0a 30 08 a5 02 04 00 a0 02 30 00",
                "SPNEGO NegTokenInit.negTokenInit: unexpected element with tag 0xA5"},
           Case{"60 18 06 06 2b 06 01 05 05 02 a0 0e 30 0c a3 04 04 02 01 02 a4 04 04 02 01 02",
                "SPNEGO NegTokenInit.negTokenInit: unexpected element with tag 0xA4"},
           Case{"a1 07 30 05 a0 03 0a 01 04",
                "SPNEGO NegTokenResp.negState: 4 is not accept-completed"},
           Case{"a1 07 30 05 a0 03 02 01 00",
                "SPNEGO NegTokenResp.negState: tag is 0x02, expected 0x0A"},
           Case{"a1 0c 30 0a a1 08 06 06 2b 90 80 80 80 00",
                "SPNEGO NegTokenResp.supportedMech: OBJECT IDENTIFIER arc overflows 32 bits"},
           Case{"a1 06 30 04 a2 02 04 05", "SPNEGO NegTokenResp.responseToken: length 5 is beyond"},
           Case{"a1 04 30 02 a2 00", "SPNEGO NegTokenResp.responseToken: needs 1 bytes, 0 left"},
           Case{"a1 06 30 04 a3 02 04 00 00", "SPNEGO NegTokenResp.bytes after the token"},
           Case{"a1 08 30 06 a3 02 04 00 a2 00",
                "SPNEGO NegTokenResp.negTokenResp: unexpected element with tag 0xA2"},
           Case{"a0 00", "SPNEGO token.negTokenInit: arrived without its InitialContextToken"},
           Case{"30 00", "SPNEGO token: first byte 0x30 is neither"},
           Case{"", "SPNEGO token: is empty"},
       }) {
    auto t = decode_negotiation_token(hex(c.bytes));
    ASSERT_FALSE(t.ok()) << c.bytes;
    EXPECT_NE(t.error().message().find(c.says), std::string::npos)
        << c.bytes << "\n  -> " << t.error().message();
  }
}

TEST(SpnegoErrors, EveryTruncationFails) {
  for (const char* file : {"credssp/spnego-windows-neg-token-init2-negoex.hex",
                           "credssp/spnego-windows-3-neg-token-resp-authenticate.hex"}) {
    const auto full = load_hex_vector(file);
    for (std::size_t n = 0; n < full.size(); ++n) {
      EXPECT_FALSE(decode_negotiation_token(Bytes(full).first(n)).ok()) << file << " " << n;
    }
  }
}

TEST(SpnegoErrors, UnknownMechanismsAreKept) {
  NegTokenInit t;
  t.mech_types = {Oid{1, 3, 6, 1, 4, 1, 311, 2, 2, 99}, Oid{2, 999, 3}, OID_NTLMSSP};
  auto back = NegTokenInit::decode(encode_to_vector(t));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->mech_types.size(), 3u);
  EXPECT_EQ(mechanism_name(back->mech_types[0]), "");
  EXPECT_EQ(mechanism_name(back->mech_types[2]), "NTLM");
  // A list longer than any peer sends is refused.
  NegTokenInit many;
  many.mech_types.assign(33, OID_NTLMSSP);
  auto refused = NegTokenInit::decode(encode_to_vector(many));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("more than 32 mechanisms"), std::string::npos);
}

}  // namespace
}  // namespace rdwarm::wire::spnego
