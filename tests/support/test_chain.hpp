// A small license-server-style chain made with OpenSSL for tests that need real certificates:
// a self-signed "license server" certificate and a "session host" certificate it signs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rdwarm::test {

// Root first, as the registry stores it. Both valid from one hour ago for `valid_days`.
std::vector<std::vector<std::uint8_t>> make_chain(const std::string& license_server_cn,
                                                  const std::string& host_cn, int valid_days);

}  // namespace rdwarm::test
