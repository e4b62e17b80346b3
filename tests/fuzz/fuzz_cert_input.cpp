// `rdwarm cert show --file`: a file that is either the raw registry value or `reg export` text
// (UTF-8, or UTF-16LE with BOM). Whatever comes out is handed to the registry chain decoder.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "licensing/crypto/registry_chain.hpp"
#include "warmup/cli/cert_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rdwarm;
  const std::vector<std::uint8_t> file(data, data + size);
  auto value = cli::certificate_value_from_file_bytes(file);
  if (!value.ok()) return 0;
  // Text is at least two characters per byte; raw input comes back unchanged.
  FUZZ_CHECK(value->size() <= file.size());
  (void)crypto::decode_registry_certificate_chain(*value);
  return 0;
}
