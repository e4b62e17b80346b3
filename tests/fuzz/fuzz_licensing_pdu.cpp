// Licensing PDUs (security header + LICENSE_PREAMBLE + message) in both directions, every message
// body on its own, and the plaintext structures that travel RC4-encrypted inside them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz_common.hpp"
#include "licensing/wire/licensing_pdu.hpp"

namespace {

using namespace rdwarm;
using namespace rdwarm::wire::lic;
using fuzz::Bytes;

void inspect(const LicensingMessage& message) {
  (void)name_of_msg_type(msg_type_of(message));
  if (const auto* req = std::get_if<LicenseRequest>(&message)) {
    FUZZ_CHECK(req->scopes.size() <= kMaxScopeCount);
    FUZZ_CHECK(req->key_exchange_algorithms().size() == req->key_exchange_list.data.size() / 4);
  } else if (const auto* alert = std::get_if<LicenseErrorMessage>(&message)) {
    (void)alert->is_valid_client();
    (void)name_of_error_code(alert->error_code);
    (void)name_of_state_transition(alert->state_transition);
  }
}

void check_pdu(Bytes in) {
  auto pdu = LicensingPdu::decode(in);
  if (!pdu.ok()) return;
  FUZZ_CHECK((pdu->security.flags & wire::SEC_LICENSE_PKT) != 0);
  inspect(pdu->message);
  const auto e1 = fuzz::encode_checked(*pdu);
  FUZZ_CHECK(e1[4] == pdu->msg_type());
  auto second = LicensingPdu::decode(e1);
  FUZZ_CHECK_MSG(second.ok(), second.ok() ? std::string() : second.error().message());
  FUZZ_CHECK(second->security.flags == pdu->security.flags);
  FUZZ_CHECK(second->security.flags_hi == pdu->security.flags_hi);
  FUZZ_CHECK(second->preamble.flags == pdu->preamble.flags);
  FUZZ_CHECK(second->message == pdu->message);
  FUZZ_CHECK(fuzz::encode_checked(*second) == e1);
}

// A message body after a preamble (the test vectors without a security header look like this).
void check_message(Bytes in) {
  if (in.size() < Preamble::kSize) return;
  auto message = LicensingPdu::decode_message(in[0], in.subspan(Preamble::kSize));
  if (!message.ok()) return;
  inspect(*message);
  FUZZ_CHECK(msg_type_of(*message) == in[0]);
  std::vector<std::uint8_t> e1;
  wire::Writer w(e1);
  std::visit([&w](const auto& m) { m.encode(w); }, *message);
  FUZZ_CHECK(e1.size() == std::visit([](const auto& m) { return m.size(); }, *message));
  auto second = LicensingPdu::decode_message(in[0], e1);
  FUZZ_CHECK_MSG(second.ok(), second.ok() ? std::string() : second.error().message());
  FUZZ_CHECK(*second == *message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  check_pdu(in);
  check_message(in);
  if (auto d = PlatformChallengeResponseData::decode(in); d.ok()) {
    fuzz::round_trip(*d, PlatformChallengeResponseData::decode);
  }
  if (auto h = ClientHardwareId::decode(in); h.ok()) fuzz::round_trip(*h, ClientHardwareId::decode);
  if (auto n = NewLicenseInfo::decode(in); n.ok()) fuzz::round_trip(*n, NewLicenseInfo::decode);
  return 0;
}
