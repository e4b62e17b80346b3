// SPNEGO tokens [RFC 4178 4.2, MS-SPNG 2.2.1]: NegTokenInit / NegTokenInit2 in their
// InitialContextToken frame, NegTokenResp, and the MechTypeList DER the mechListMIC covers.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz_common.hpp"
#include "licensing/wire/spnego.hpp"

namespace {

using namespace rdwarm;
using namespace rdwarm::wire::spnego;
using fuzz::Bytes;

void check_init(Bytes in, const NegTokenInit& t) {
  fuzz::round_trip(t, NegTokenInit::decode);
  for (const auto& m : t.mech_types) {
    (void)mechanism_name(m);
    FUZZ_CHECK(!m.empty() && m.arcs().size() <= wire::der::Oid::kMaxArcs);
  }
  if (t.mech_types.empty()) return;  // a present but empty list is the one thing not re-encoded
  // Canonical input: the token re-encodes to itself, and the list the MIC covers is in it as sent.
  FUZZ_CHECK(fuzz::encode_checked(t) == fuzz::to_vector(in));
  const auto list = mech_type_list_der(t.mech_types);
  FUZZ_CHECK(std::search(in.begin(), in.end(), list.begin(), list.end()) != in.end());
}

void check_resp(Bytes in, const NegTokenResp& t) {
  fuzz::round_trip(t, NegTokenResp::decode);
  FUZZ_CHECK(fuzz::encode_checked(t) == fuzz::to_vector(in));
  if (t.neg_state) (void)neg_state_name(*t.neg_state);
  if (t.supported_mech) (void)mechanism_name(*t.supported_mech);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  auto token = decode_negotiation_token(in);
  auto init = NegTokenInit::decode(in);
  auto resp = NegTokenResp::decode(in);
  FUZZ_CHECK(!(init.ok() && resp.ok()));
  FUZZ_CHECK(token.ok() == (init.ok() || resp.ok()));
  if (init.ok()) {
    FUZZ_CHECK(std::holds_alternative<NegTokenInit>(*token));
    check_init(in, *init);
  }
  if (resp.ok()) {
    FUZZ_CHECK(std::holds_alternative<NegTokenResp>(*token));
    check_resp(in, *resp);
  }
  return 0;
}
