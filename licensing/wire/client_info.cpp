#include "licensing/wire/client_info.hpp"

#include <vector>

#include "licensing/wire/security_header.hpp"
#include "licensing/wire/text.hpp"

namespace rdwarm::wire {

namespace {
// A UTF-16LE string and its mandatory NUL terminator.
std::vector<std::uint8_t> utf16z(const std::string& s) {
  auto v = utf16le_from_utf8(s);
  v.push_back(0);
  v.push_back(0);
  return v;
}

std::string read_utf16z(Reader& r, std::size_t cb_without_nul, std::string_view field) {
  const Bytes b = r.bytes(cb_without_nul + 2, field);
  if (!r.ok()) return {};
  auto text = utf8_from_utf16le(b.first(cb_without_nul), field);
  if (!text) {
    r.fail(field, text.error().what);
    return {};
  }
  return *text;
}
}  // namespace

std::size_t ClientInfo::size() const {
  std::size_t n = BasicSecurityHeader::kSize + 18;
  for (const auto* s : {&domain, &user_name, &password, &alternate_shell, &working_dir}) {
    n += utf16z(*s).size();
  }
  n += 4 + utf16z(client_address).size() + 2 + utf16z(client_dir).size();
  n += TS_TIME_ZONE_INFORMATION_SIZE + 8;
  return n;
}

void ClientInfo::encode(Writer& w) const {
  BasicSecurityHeader{SEC_INFO_PKT, 0}.encode(w);
  const auto d = utf16z(domain), u = utf16z(user_name), p = utf16z(password),
             shell = utf16z(alternate_shell), dir = utf16z(working_dir);
  w.u32le(code_page);
  w.u32le(flags | INFO_UNICODE);
  for (const auto* s : {&d, &u, &p, &shell, &dir})
    w.u16le(static_cast<std::uint16_t>(s->size() - 2));
  for (const auto* s : {&d, &u, &p, &shell, &dir}) w.bytes(*s);
  const auto addr = utf16z(client_address), cdir = utf16z(client_dir);
  w.u16le(client_address_family);
  w.u16le(static_cast<std::uint16_t>(addr.size()));
  w.bytes(addr);
  w.u16le(static_cast<std::uint16_t>(cdir.size()));
  w.bytes(cdir);
  w.zeros(TS_TIME_ZONE_INFORMATION_SIZE);  // UTC: the probe's session never reaches logon
  w.u32le(client_session_id);
  w.u32le(performance_flags);
}

Result<ClientInfo> ClientInfo::decode(Bytes user_data) {
  Reader r(user_data, "Client Info PDU");
  const auto sec = BasicSecurityHeader::read(r);
  if (r.ok() && (sec.flags & SEC_INFO_PKT) == 0)
    r.fail("securityHeader.flags", "SEC_INFO_PKT is not set");
  ClientInfo ci;
  ci.code_page = r.u32le("CodePage");
  ci.flags = r.u32le("flags");
  if (r.ok() && (ci.flags & INFO_UNICODE) == 0)
    r.fail("flags", "ANSI Client Info is not supported");
  const std::uint16_t cb_domain = r.u16le("cbDomain");
  const std::uint16_t cb_user = r.u16le("cbUserName");
  const std::uint16_t cb_password = r.u16le("cbPassword");
  const std::uint16_t cb_shell = r.u16le("cbAlternateShell");
  const std::uint16_t cb_dir = r.u16le("cbWorkingDir");
  ci.domain = read_utf16z(r, cb_domain, "Domain");
  ci.user_name = read_utf16z(r, cb_user, "UserName");
  ci.password = read_utf16z(r, cb_password, "Password");
  ci.alternate_shell = read_utf16z(r, cb_shell, "AlternateShell");
  ci.working_dir = read_utf16z(r, cb_dir, "WorkingDir");
  if (!r.ok()) return r.error();
  if (r.empty()) return ci;  // RDP 4.0 clients send no extra info
  ci.client_address_family = r.u16le("clientAddressFamily");
  const std::uint16_t cb_addr = r.u16le("cbClientAddress");
  if (r.ok() && cb_addr >= 2)
    ci.client_address = read_utf16z(r, cb_addr - 2u, "clientAddress");
  else
    r.skip(cb_addr, "clientAddress");
  const std::uint16_t cb_cdir = r.u16le("cbClientDir");
  if (r.ok() && cb_cdir >= 2)
    ci.client_dir = read_utf16z(r, cb_cdir - 2u, "clientDir");
  else
    r.skip(cb_cdir, "clientDir");
  if (!r.ok()) return r.error();
  if (r.empty()) return ci;
  r.skip(TS_TIME_ZONE_INFORMATION_SIZE, "clientTimeZone");
  ci.client_session_id = r.u32le("clientSessionId");
  ci.performance_flags = r.u32le("performanceFlags");
  if (!r.ok()) return r.error();
  (void)r.rest();  // auto-reconnect cookie and later fields: not used
  return ci;
}

}  // namespace rdwarm::wire
