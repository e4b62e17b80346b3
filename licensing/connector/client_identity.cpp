#include "licensing/connector/client_identity.hpp"

#include <span>

#include "licensing/crypto/digest.hpp"

namespace rdwarm::connector {

std::array<std::uint32_t, 4> ClientIdentity::derive_hardware_id(const std::string& machine_name) {
  static constexpr std::string_view kLabel = "rdwarm client hardware id v1:";
  const auto digest = crypto::sha1(
      {std::span(reinterpret_cast<const std::uint8_t*>(kLabel.data()), kLabel.size()),
       std::span(reinterpret_cast<const std::uint8_t*>(machine_name.data()), machine_name.size())});
  std::array<std::uint32_t, 4> id{};
  for (std::size_t i = 0; i < id.size(); ++i) {
    id[i] = static_cast<std::uint32_t>(digest[4 * i]) |
            (static_cast<std::uint32_t>(digest[4 * i + 1]) << 8) |
            (static_cast<std::uint32_t>(digest[4 * i + 2]) << 16) |
            (static_cast<std::uint32_t>(digest[4 * i + 3]) << 24);
  }
  return id;
}

ClientIdentity ClientIdentity::for_machine(const std::string& machine_name) {
  ClientIdentity c;
  c.machine_name = machine_name.substr(0, 15);
  c.hardware_id = derive_hardware_id(c.machine_name);
  return c;
}

}  // namespace rdwarm::connector
