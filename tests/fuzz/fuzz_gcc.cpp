// GCC Conference Create Request/Response and the client/server settings data blocks.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "licensing/wire/gcc.hpp"

namespace {

using namespace rdwarm;
using fuzz::Bytes;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  if (auto req = wire::ConferenceCreateRequest::decode(in); req.ok()) {
    fuzz::round_trip(*req, wire::ConferenceCreateRequest::decode);
  }
  if (auto rsp = wire::ConferenceCreateResponse::decode(in); rsp.ok()) {
    FUZZ_CHECK(rsp->result == 0);
    FUZZ_CHECK(rsp->blocks.network.channel_ids.size() <= 31);
    fuzz::round_trip(*rsp, wire::ConferenceCreateResponse::decode);
  }
  if (auto blocks = wire::ClientGccBlocks::decode(in); blocks.ok()) {
    if (blocks->network) FUZZ_CHECK(blocks->network->channels.size() <= 31);
    fuzz::round_trip(*blocks, wire::ClientGccBlocks::decode);
  }
  if (auto blocks = wire::ServerGccBlocks::decode(in); blocks.ok()) {
    fuzz::round_trip(*blocks, wire::ServerGccBlocks::decode);
  }
  return 0;
}
