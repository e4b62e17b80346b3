// rdwarm.exe: `rdwarm credentials set` writes the DPAPI value in the registry.
#include "warmup/credentials/windows/dpapi_store.hpp"

namespace rdwarm::credentials {

std::unique_ptr<CredentialStore> make_platform_store(const config::NlaConfig& /*nla*/) {
  return std::make_unique<windows::DpapiStore>();
}

}  // namespace rdwarm::credentials
