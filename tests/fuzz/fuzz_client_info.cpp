// Client Info PDU (security header + TS_INFO_PACKET), as the lab decodes what clients send.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "licensing/wire/client_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rdwarm;
  const fuzz::Bytes in(data, size);
  if (auto info = wire::ClientInfo::decode(in); info.ok()) {
    FUZZ_CHECK((info->flags & wire::INFO_UNICODE) != 0);
    fuzz::round_trip(*info, wire::ClientInfo::decode);
  }
  return 0;
}
