#include "licensing/wire/spnego.hpp"

#include "licensing/wire/hex.hpp"

namespace rdwarm::wire::spnego {
namespace {

using der::context_tag;
using der::TAG_SEQUENCE;
using der::tlv_size;

constexpr std::string_view kNegTokenInit = "SPNEGO NegTokenInit";
constexpr std::string_view kNegTokenResp = "SPNEGO NegTokenResp";
// More than any peer offers (Windows offers at most four); bounds the work on a hostile list.
constexpr std::size_t kMaxMechTypes = 32;

Bytes view(const std::vector<std::uint8_t>& v) {
  return {v.data(), v.size()};
}

std::size_t mech_list_content_size(std::span<const Oid> mechs) {
  std::size_t n = 0;
  for (const auto& m : mechs) n += der::oid_size(m);
  return n;
}

std::size_t explicit_octet_string_size(const std::vector<std::uint8_t>& v) {
  return tlv_size(der::octet_string_size(v.size()));
}

void write_explicit_octet_string(Writer& w, unsigned number, const std::vector<std::uint8_t>& v) {
  der::write_header(w, context_tag(number), der::octet_string_size(v.size()));
  der::write_octet_string(w, view(v));
}

std::size_t neg_hints_content_size(const NegHints& h) {
  std::size_t n = 0;
  if (h.hint_name) n += tlv_size(tlv_size(h.hint_name->size()));
  if (h.hint_address) n += explicit_octet_string_size(*h.hint_address);
  return n;
}

std::size_t init_body_size(const NegTokenInit& t) {
  std::size_t n = 0;
  if (!t.mech_types.empty()) n += tlv_size(tlv_size(mech_list_content_size(t.mech_types)));
  if (t.req_flags) n += tlv_size(tlv_size(t.req_flags->size()));
  if (t.mech_token) n += explicit_octet_string_size(*t.mech_token);
  if (t.neg_hints) n += tlv_size(tlv_size(neg_hints_content_size(*t.neg_hints)));
  if (t.mech_list_mic) n += explicit_octet_string_size(*t.mech_list_mic);
  return n;
}

// thisMech OID + negTokenInit [0] { SEQUENCE { ... } }
std::size_t init_inner_size(const NegTokenInit& t) {
  return der::oid_size(OID_SPNEGO) + tlv_size(tlv_size(init_body_size(t)));
}

std::size_t resp_body_size(const NegTokenResp& t) {
  std::size_t n = 0;
  if (t.neg_state) n += tlv_size(der::integer_size(static_cast<std::int64_t>(*t.neg_state)));
  if (t.supported_mech) n += tlv_size(der::oid_size(*t.supported_mech));
  if (t.response_token) n += explicit_octet_string_size(*t.response_token);
  if (t.mech_list_mic) n += explicit_octet_string_size(*t.mech_list_mic);
  return n;
}

// An OCTET STRING inside [n], copied into `out`.
Status read_explicit_octet_string(Bytes message, Reader& r, unsigned number, std::string_view field,
                                  std::optional<std::vector<std::uint8_t>>& out) {
  return der::with_contents(message, r, context_tag(number), field, [&](Reader& c) -> Status {
    const Bytes b = der::read_octet_string(c, field);
    if (c.ok()) out.emplace(b.begin(), b.end());
    return Ok{};
  });
}

Status read_mech_types(Bytes message, Reader& r, std::vector<Oid>& out) {
  return der::with_contents(message, r, context_tag(0), "mechTypes", [&](Reader& c) -> Status {
    return der::with_contents(message, c, TAG_SEQUENCE, "mechTypes", [&](Reader& list) -> Status {
      while (list.ok() && !list.empty()) {
        if (out.size() == kMaxMechTypes) {
          list.fail("mechTypes", "more than " + std::to_string(kMaxMechTypes) + " mechanisms");
          break;
        }
        const Oid oid = der::read_oid(list, "mechTypes");
        if (list.ok()) out.push_back(oid);
      }
      return Ok{};
    });
  });
}

Status read_neg_hints(Bytes message, Reader& r, NegHints& out) {
  return der::with_contents(message, r, TAG_SEQUENCE, "negHints", [&](Reader& h) -> Status {
    if (der::peek_tag(h) == context_tag(0)) {
      Status s = der::with_contents(
          message, h, context_tag(0), "negHints.hintName", [&](Reader& c) -> Status {
            const std::size_t n = der::read_header(c, der::TAG_GENERAL_STRING, "negHints.hintName");
            const Bytes b = c.bytes(n, "negHints.hintName");
            if (c.ok()) out.hint_name.emplace(b.begin(), b.end());
            return Ok{};
          });
      if (!s.ok()) return s;
    }
    if (der::peek_tag(h) == context_tag(1)) {
      Status s =
          read_explicit_octet_string(message, h, 1, "negHints.hintAddress", out.hint_address);
      if (!s.ok()) return s;
    }
    return Ok{};
  });
}

void fail_unexpected(Reader& r, std::string_view field) {
  r.fail(field, "unexpected element with tag " + hex_code(der::peek_tag(r), 2) +
                    " (fields out of order, repeated or unknown)");
}

}  // namespace

std::string_view mechanism_name(const Oid& oid) {
  if (oid == OID_NTLMSSP) return "NTLM";
  if (oid == OID_KERBEROS) return "Kerberos";
  if (oid == OID_MS_KERBEROS) return "MS Kerberos";
  if (oid == OID_NEGOEX) return "NegoEx";
  if (oid == OID_SPNEGO) return "SPNEGO";
  return {};
}

std::string_view neg_state_name(NegState state) {
  switch (state) {
    case NegState::AcceptCompleted:
      return "accept-completed";
    case NegState::AcceptIncomplete:
      return "accept-incomplete";
    case NegState::Reject:
      return "reject";
    case NegState::RequestMic:
      return "request-mic";
  }
  return "unknown";
}

std::vector<std::uint8_t> mech_type_list_der(std::span<const Oid> mech_types) {
  std::vector<std::uint8_t> out;
  const std::size_t content = mech_list_content_size(mech_types);
  out.reserve(tlv_size(content));
  Writer w(out);
  der::write_header(w, TAG_SEQUENCE, content);
  for (const auto& m : mech_types) der::write_oid(w, m);
  return out;
}

// --- NegTokenInit -----------------------------------------------------------------------------

std::size_t NegTokenInit::size() const {
  return tlv_size(init_inner_size(*this));
}

void NegTokenInit::encode(Writer& w) const {
  const std::size_t body = init_body_size(*this);
  der::write_header(w, der::application_tag(0), init_inner_size(*this));
  der::write_oid(w, OID_SPNEGO);
  der::write_header(w, context_tag(0), tlv_size(body));
  der::write_header(w, TAG_SEQUENCE, body);
  if (!mech_types.empty()) {
    const std::size_t list = mech_list_content_size(mech_types);
    der::write_header(w, context_tag(0), tlv_size(list));
    der::write_header(w, TAG_SEQUENCE, list);
    for (const auto& m : mech_types) der::write_oid(w, m);
  }
  if (req_flags) {
    der::write_header(w, context_tag(1), tlv_size(req_flags->size()));
    der::write_header(w, der::TAG_BIT_STRING, req_flags->size());
    w.bytes(view(*req_flags));
  }
  if (mech_token) write_explicit_octet_string(w, 2, *mech_token);
  if (neg_hints) {
    const std::size_t hints = neg_hints_content_size(*neg_hints);
    der::write_header(w, context_tag(3), tlv_size(hints));
    der::write_header(w, TAG_SEQUENCE, hints);
    if (neg_hints->hint_name) {
      const auto& name = *neg_hints->hint_name;
      der::write_header(w, context_tag(0), tlv_size(name.size()));
      der::write_header(w, der::TAG_GENERAL_STRING, name.size());
      for (char ch : name) w.u8(static_cast<std::uint8_t>(ch));
    }
    if (neg_hints->hint_address) write_explicit_octet_string(w, 1, *neg_hints->hint_address);
  }
  if (mech_list_mic) write_explicit_octet_string(w, (init2 || neg_hints) ? 4 : 3, *mech_list_mic);
}

Result<NegTokenInit> NegTokenInit::decode(Bytes bytes) {
  Reader top(bytes, kNegTokenInit);
  NegTokenInit t;
  Status s = der::with_contents(
      bytes, top, der::application_tag(0), "InitialContextToken", [&](Reader& r) -> Status {
        const Oid mech = der::read_oid(r, "thisMech");
        if (r.ok() && mech != OID_SPNEGO) {
          r.fail("thisMech", "is " + mech.to_string() + ", not SPNEGO (1.3.6.1.5.5.2)");
        }
        if (!r.ok()) return r.error();
        return der::with_contents(bytes, r, context_tag(0), "negTokenInit", [&](Reader& c) {
          return der::with_contents(bytes, c, TAG_SEQUENCE, "negTokenInit", [&](Reader& f) {
            Status st = Ok{};
            if (der::peek_tag(f) == context_tag(0)) st = read_mech_types(bytes, f, t.mech_types);
            if (st.ok() && der::peek_tag(f) == context_tag(1)) {
              st = der::with_contents(bytes, f, context_tag(1), "reqFlags", [&](Reader& c1) {
                const Bytes b = der::read_bit_string(c1, "reqFlags");
                if (c1.ok()) t.req_flags.emplace(b.begin(), b.end());
                return Status(Ok{});
              });
            }
            if (st.ok() && der::peek_tag(f) == context_tag(2)) {
              st = read_explicit_octet_string(bytes, f, 2, "mechToken", t.mech_token);
            }
            if (st.ok() && der::peek_tag(f) == context_tag(3)) {
              // [3] is negHints in NegTokenInit2 (a SEQUENCE), mechListMIC in NegTokenInit.
              st = der::with_contents(bytes, f, context_tag(3), "negHints or mechListMIC",
                                      [&](Reader& c3) {
                                        if (der::peek_tag(c3) == TAG_SEQUENCE) {
                                          t.init2 = true;
                                          return read_neg_hints(bytes, c3, t.neg_hints.emplace());
                                        }
                                        const Bytes b = der::read_octet_string(c3, "mechListMIC");
                                        if (c3.ok()) t.mech_list_mic.emplace(b.begin(), b.end());
                                        return Status(Ok{});
                                      });
            }
            if (st.ok() && !t.mech_list_mic && der::peek_tag(f) == context_tag(4)) {
              t.init2 = true;
              st = read_explicit_octet_string(bytes, f, 4, "mechListMIC", t.mech_list_mic);
            }
            if (st.ok() && f.ok() && !f.empty()) fail_unexpected(f, "negTokenInit");
            return st;
          });
        });
      });
  if (!s.ok()) return s.error();
  top.expect_end("bytes after the token");
  if (!top.ok()) return top.error();
  return t;
}

// --- NegTokenResp -----------------------------------------------------------------------------

std::size_t NegTokenResp::size() const {
  return tlv_size(tlv_size(resp_body_size(*this)));
}

void NegTokenResp::encode(Writer& w) const {
  const std::size_t body = resp_body_size(*this);
  der::write_header(w, context_tag(1), tlv_size(body));
  der::write_header(w, TAG_SEQUENCE, body);
  if (neg_state) {
    const auto v = static_cast<std::int64_t>(*neg_state);
    der::write_header(w, context_tag(0), der::integer_size(v));
    der::write_integer(w, v, der::TAG_ENUMERATED);
  }
  if (supported_mech) {
    der::write_header(w, context_tag(1), der::oid_size(*supported_mech));
    der::write_oid(w, *supported_mech);
  }
  if (response_token) write_explicit_octet_string(w, 2, *response_token);
  if (mech_list_mic) write_explicit_octet_string(w, 3, *mech_list_mic);
}

Result<NegTokenResp> NegTokenResp::decode(Bytes bytes) {
  Reader top(bytes, kNegTokenResp);
  NegTokenResp t;
  Status s = der::with_contents(bytes, top, context_tag(1), "negTokenResp", [&](Reader& c) {
    return der::with_contents(bytes, c, TAG_SEQUENCE, "negTokenResp", [&](Reader& f) {
      Status st = Ok{};
      if (der::peek_tag(f) == context_tag(0)) {
        st = der::with_contents(bytes, f, context_tag(0), "negState", [&](Reader& c0) {
          const std::int64_t v = der::read_integer(c0, "negState", der::TAG_ENUMERATED);
          if (c0.ok() && (v < 0 || v > static_cast<std::int64_t>(NegState::RequestMic))) {
            c0.fail("negState", std::to_string(v) +
                                    " is not accept-completed (0), accept-incomplete (1), "
                                    "reject (2) or request-mic (3)");
          }
          if (c0.ok()) t.neg_state = static_cast<NegState>(v);
          return Status(Ok{});
        });
      }
      if (st.ok() && der::peek_tag(f) == context_tag(1)) {
        st = der::with_contents(bytes, f, context_tag(1), "supportedMech", [&](Reader& c1) {
          const Oid oid = der::read_oid(c1, "supportedMech");
          if (c1.ok()) t.supported_mech = oid;
          return Status(Ok{});
        });
      }
      if (st.ok() && der::peek_tag(f) == context_tag(2)) {
        st = read_explicit_octet_string(bytes, f, 2, "responseToken", t.response_token);
      }
      if (st.ok() && der::peek_tag(f) == context_tag(3)) {
        st = read_explicit_octet_string(bytes, f, 3, "mechListMIC", t.mech_list_mic);
      }
      if (st.ok() && f.ok() && !f.empty()) fail_unexpected(f, "negTokenResp");
      return st;
    });
  });
  if (!s.ok()) return s.error();
  top.expect_end("bytes after the token");
  if (!top.ok()) return top.error();
  return t;
}

Result<NegotiationToken> decode_negotiation_token(Bytes bytes) {
  if (bytes.empty()) return make_error("SPNEGO token", "", "is empty");
  if (bytes[0] == der::application_tag(0)) {
    auto init = NegTokenInit::decode(bytes);
    if (!init.ok()) return init.error();
    return NegotiationToken(std::move(init).value());
  }
  if (bytes[0] == context_tag(1)) {
    auto resp = NegTokenResp::decode(bytes);
    if (!resp.ok()) return resp.error();
    return NegotiationToken(std::move(resp).value());
  }
  if (bytes[0] == context_tag(0)) {
    return make_error("SPNEGO token", "negTokenInit",
                      "arrived without its InitialContextToken framing [RFC 2743 3.1]");
  }
  return make_error("SPNEGO token", "",
                    "first byte " + hex_code(bytes[0], 2) +
                        " is neither an initial token (0x60) nor a "
                        "negTokenResp (0xa1)");
}

}  // namespace rdwarm::wire::spnego
