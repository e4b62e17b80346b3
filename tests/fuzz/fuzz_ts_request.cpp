// CredSSP [MS-CSSP 2.2.1]: the framing of TSRequests in the TLS stream, TSRequest, TSCredentials,
// TSPasswordCreds and the Early User Authorization Result [MS-RDPBCGR 2.2.10.2].
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "licensing/wire/credssp.hpp"

namespace {

using namespace rdwarm;
using namespace rdwarm::wire::credssp;
using fuzz::Bytes;

// The framing agrees with the decoder: a frame the decoder accepts is exactly one frame long.
void check_framing(Bytes in) {
  auto frame = ts_request_frame_length(in);
  if (!frame.ok()) {
    if (in.size() <= kMaxTsRequestSize) FUZZ_CHECK(!TsRequest::decode(in).ok());
    return;
  }
  if (!frame->has_value()) {
    // The header or the message is not all there yet: nothing whole to decode.
    FUZZ_CHECK(!TsRequest::decode(in).ok());
    return;
  }
  const std::size_t n = **frame;
  FUZZ_CHECK(n >= 2 && n <= kMaxTsRequestSize);
  FUZZ_CHECK(n <= in.size());  // a frame is never longer than what is buffered
  if (n < in.size()) FUZZ_CHECK(!TsRequest::decode(in).ok());  // trailing bytes
  if (auto q = TsRequest::decode(in.first(n)); q.ok()) {
    fuzz::round_trip(*q, TsRequest::decode);
    // Everything is minimal on input, and encoding drops only what carries nothing (empty
    // fields, a later version's fields) or shortens an unsigned errorCode: it never grows.
    FUZZ_CHECK(q->size() <= n);
    if (q->client_nonce) FUZZ_CHECK(q->client_nonce->size() == CLIENT_NONCE_SIZE);
    if (q->error_code) (void)status_code_name(*q->error_code);
  }
}

// Both structures are canonical on input: decoding and encoding gives back the same bytes.
void check_credentials(Bytes in) {
  if (auto c = TsCredentials::decode(in); c.ok()) {
    FUZZ_CHECK(fuzz::encode_checked(*c) == fuzz::to_vector(in));
    FUZZ_CHECK(c->credentials.empty() ||
               (c->credentials.data() >= in.data() &&
                c->credentials.data() + c->credentials.size() <= in.data() + in.size()));
    if (auto p = TsPasswordCreds::decode(c->credentials); p.ok()) {
      std::vector<std::uint8_t> out;
      encode_password_credentials(*p, out);
      FUZZ_CHECK(out.size() == password_credentials_size(*p));
      if (c->cred_type == TS_PASSWORD_CREDS) FUZZ_CHECK(out == fuzz::to_vector(in));
    }
  }
  if (auto p = TsPasswordCreds::decode(in); p.ok()) {
    FUZZ_CHECK(fuzz::encode_checked(*p) == fuzz::to_vector(in));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  check_framing(in);
  check_credentials(in);
  if (auto r = EarlyUserAuthorizationResult::decode(in); r.ok()) {
    FUZZ_CHECK(size == EarlyUserAuthorizationResult::kSize);
    FUZZ_CHECK(fuzz::encode_checked(*r) == fuzz::to_vector(in));
    (void)authorization_result_name(r->authorization_result);
  }
  return 0;
}
