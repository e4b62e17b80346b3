// The SSPI Negotiate client (licensing/auth/windows) driven through secur32 for real: under wine
// in CI, natively on Windows. Wine has no NTLM without Samba's ntlm_auth, and its Negotiate is
// Kerberos through the host's libkrb5, so without a ticket every attempt must end in a clean
// Error (status in hex, its name, advice) within a bounded time. With a Kerberos credentials
// cache that this test writes (a service ticket for TERMSRV/<host>, found by wine's libkrb5
// through KRB5CCNAME, which ctest sets), wine really produces a token: the test checks it is a
// Kerberos GSS token and that a malformed server reply ends the exchange cleanly. docs/nla-sspi.md
// records the statuses observed.
#include "licensing/auth/windows/sspi_context.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "licensing/auth/windows/sspi.hpp"
#include "licensing/auth/windows/sspi_status.hpp"

namespace rdwarm::test::windows {
namespace {

using auth::Credentials;
using auth::Secret;
using auth::windows::make_sspi_client;
using auth::windows::sspi_error;
using Bytes = std::vector<std::uint8_t>;

constexpr auto kCallLimit = std::chrono::seconds(30);

// Set by tests/windows/CMakeLists.txt for SspiKerberos only, with KRB5CCNAME and KRB5_CONFIG
// pointing into it: libkrb5 reads the unix environment, which a running wine process cannot
// change, so the paths are fixed before the process starts.
constexpr const char* kDirVariable = "RDWARM_SSPI_TEST_KRB5_DIR";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool under_wine() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// Runs one SSPI call on its own thread. A call that does not return in time is a hang: the
// process ends at once with a message rather than waiting for ctest's timeout.
template <class F>
auto bounded(F f) -> decltype(f()) {
  using R = decltype(f());
  auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
  auto result = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (result.wait_for(kCallLimit) != std::future_status::ready) {
    std::fprintf(stderr, "FAILED: an SSPI call did not return within %lld s\n",
                 static_cast<long long>(kCallLimit.count()));
    std::fflush(stderr);
    std::_Exit(3);
  }
  return result.get();
}

// The names every SSPI failure of this client may carry (sspi_status.cpp's table).
bool names_a_known_status(const std::string& message) {
  for (const char* name : {"SEC_E_", "SEC_I_INCOMPLETE_CREDENTIALS", "STATUS_UNSUCCESSFUL"}) {
    if (contains(message, name)) return true;
  }
  return false;
}

bool is_spnego_kerberos_or_ntlm(const Bytes& token) {
  static const std::uint8_t kNtlmSignature[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
  if (!token.empty() && token[0] == 0x60) return true;  // [APPLICATION 0] InitialContextToken
  return token.size() >= 8 &&
         std::equal(std::begin(kNtlmSignature), std::end(kNtlmSignature), token.begin());
}

// A token no mechanism accepts: a DER SEQUENCE that claims more than it holds.
const Bytes kMalformedServerToken = {0xa1, 0x82, 0x01, 0x00, 0x30, 0x03, 0x0a, 0x01};

// Whatever the machine offers, the exchange either fails cleanly at once or produces a token of
// the right shape and then fails cleanly on a malformed reply.
void drive_until_clean_failure(const Credentials& credentials, const std::string& host) {
  auto client = make_sspi_client(credentials, host);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->mechanism(), "Negotiate");

  auto first = bounded([&] { return client->step({}); });
  if (!first) {
    const std::string message = first.error().message();
    SCOPED_TRACE(message);
    EXPECT_EQ(first.error().where, "SSPI");
    EXPECT_TRUE(contains(message, "0x")) << "the status in hex";
    EXPECT_TRUE(names_a_known_status(message));
    if (under_wine()) {
      // No ntlm_auth, no Kerberos ticket: wine refuses the credentials themselves.
      EXPECT_EQ(first.error().field, "AcquireCredentialsHandleW");
    }
    // The failure is final and every other call says so instead of touching SSPI.
    auto again = bounded([&] { return client->step({}); });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message(), message);
    auto wrapped = client->wrap(Bytes{1, 2, 3});
    ASSERT_FALSE(wrapped);
    EXPECT_TRUE(contains(wrapped.error().message(), "failed earlier"));
    EXPECT_FALSE(client->unwrap(Bytes(32, 0)));
    EXPECT_FALSE(client->get_mic(Bytes{1}));
    EXPECT_FALSE(client->verify_mic(Bytes{1}, Bytes(16, 0)));
    EXPECT_EQ(client->mechanism(), "Negotiate");
    return;
  }
  // A package answered (Windows, or wine with ntlm_auth installed).
  EXPECT_FALSE(first->complete);
  EXPECT_TRUE(is_spnego_kerberos_or_ntlm(first->token));
  auto reply = bounded([&] { return client->step(kMalformedServerToken); });
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().field, "InitializeSecurityContextW");
  EXPECT_TRUE(names_a_known_status(reply.error().message())) << reply.error().message();
}

TEST(SspiStatus, NamesTheCallTheStatusItsMeaningAndWhatToDo) {
  const std::string denied = sspi_error("InitializeSecurityContextW", SEC_E_LOGON_DENIED).message();
  EXPECT_TRUE(contains(denied, "SSPI.InitializeSecurityContextW: 0x8009030C SEC_E_LOGON_DENIED: "))
      << denied;
  EXPECT_TRUE(contains(denied, "password")) << denied;

  struct Expected {
    SECURITY_STATUS status;
    const char* text;
  };
  for (const auto& e :
       {Expected{SEC_E_NO_CREDENTIALS, "0x8009030E SEC_E_NO_CREDENTIALS"},
        Expected{SEC_E_SECPKG_NOT_FOUND, "0x80090305 SEC_E_SECPKG_NOT_FOUND"},
        Expected{SEC_E_TARGET_UNKNOWN, "0x80090303 SEC_E_TARGET_UNKNOWN"},
        Expected{SEC_E_INTERNAL_ERROR, "0x80090304 SEC_E_INTERNAL_ERROR"},
        Expected{SEC_E_UNSUPPORTED_FUNCTION, "0x80090302 SEC_E_UNSUPPORTED"},
        Expected{SEC_E_INVALID_TOKEN, "0x80090308 SEC_E_INVALID_TOKEN"},
        Expected{SEC_E_INCOMPLETE_MESSAGE, "0x80090318 SEC_E_INCOMPLETE"},
        Expected{static_cast<SECURITY_STATUS>(0xC0000001), "STATUS_UNSUCCESSFUL"}}) {
    const auto info = auth::windows::describe_security_status(e.status);
    EXPECT_FALSE(info.meaning.empty()) << e.text;
    EXPECT_FALSE(info.advice.empty()) << e.text;
    EXPECT_TRUE(contains(sspi_error("AcquireCredentialsHandleW", e.status).message(), e.text))
        << e.text;
  }
  // Not in the table: still the call and the value, and where to look.
  const std::string unknown =
      sspi_error("EncryptMessage", static_cast<SECURITY_STATUS>(0x80091234)).message();
  EXPECT_TRUE(contains(unknown, "SSPI.EncryptMessage: 0x80091234")) << unknown;
  EXPECT_TRUE(contains(unknown, "winerror.h")) << unknown;
}

TEST(SspiClient, ExplicitCredentialsFailCleanlyOrNegotiate) {
  Credentials credentials;
  credentials.user = "probe";
  credentials.domain = "RDWARM";
  credentials.password = Secret("not-a-real-password");
  credentials.source = "test";
  drive_until_clean_failure(credentials, "127.0.0.1");
}

TEST(SspiClient, UserPrincipalNameFailsCleanlyOrNegotiates) {
  Credentials credentials;
  credentials.user = "probe@rdwarm.test";
  credentials.password = Secret("not-a-real-password");
  credentials.source = "test";
  drive_until_clean_failure(credentials, "127.0.0.1");
}

TEST(SspiClient, OwnLogonFailsCleanlyOrNegotiates) {
  // Under wine: no Kerberos ticket in the default cache (SspiKerberos below makes one).
  if (under_wine() && std::getenv(kDirVariable) != nullptr) GTEST_SKIP() << "a cache is set up";
  drive_until_clean_failure(Credentials{}, "127.0.0.1");
}

TEST(SspiClient, RefusesAnEmptyHostWithoutCallingSspi) {
  auto client = make_sspi_client(Credentials{}, "");
  auto step = client->step({});
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().field, "target");
  EXPECT_TRUE(contains(step.error().what, "TERMSRV/<host>")) << step.error().what;
}

constexpr const char* kRealm = "RDWARM.TEST";
constexpr const char* kHost = "sessionhost.rdwarm.test";

Bytes der(std::uint8_t tag, const Bytes& content) {
  Bytes out{tag};
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes tagged(int n, const Bytes& content) {
  return der(static_cast<std::uint8_t>(0xa0 + n), content);
}
Bytes small_integer(std::uint8_t v) {
  return der(0x02, {v});
}
Bytes general_string(const std::string& s) {
  return der(0x1b, Bytes(s.begin(), s.end()));
}

// Ticket [RFC 4120 5.3]; the client never decrypts enc-part, so any ciphertext will do.
Bytes ticket(const std::vector<std::string>& service, const Bytes& cipher) {
  Bytes names;
  for (const auto& s : service) names = cat({names, general_string(s)});
  const Bytes sname = der(0x30, cat({tagged(0, small_integer(2)), tagged(1, der(0x30, names))}));
  const Bytes enc_part = der(0x30, cat({tagged(0, small_integer(18)), tagged(1, small_integer(1)),
                                        tagged(2, der(0x04, cipher))}));
  return der(0x61, der(0x30, cat({tagged(0, small_integer(5)), tagged(1, general_string(kRealm)),
                                  tagged(2, sname), tagged(3, enc_part)})));
}

void be16(Bytes& out, std::uint32_t v) {
  out.insert(out.end(), {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
}
void be32(Bytes& out, std::uint32_t v) {
  be16(out, v >> 16);
  be16(out, v & 0xFFFF);
}
void counted(Bytes& out, const Bytes& data) {
  be32(out, static_cast<std::uint32_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}
void principal(Bytes& out, std::uint32_t type, const std::vector<std::string>& names) {
  be32(out, type);
  be32(out, static_cast<std::uint32_t>(names.size()));
  counted(out, Bytes(kRealm, kRealm + std::char_traits<char>::length(kRealm)));
  for (const auto& n : names) counted(out, Bytes(n.begin(), n.end()));
}

// MIT's FILE credentials cache, version 4: the user's TGT and a service ticket for
// TERMSRV/<host>, each with an AES-256 session key (enctype 18).
Bytes credentials_cache() {
  std::mt19937 random(std::random_device{}());
  auto random_bytes = [&](std::size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(random());
    return b;
  };
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  Bytes out;
  be16(out, 0x0504);
  be16(out, 12);  // header: one tag (1, time offset), 8 bytes of zeros
  be16(out, 1);
  be16(out, 8);
  be32(out, 0);
  be32(out, 0);
  principal(out, 1, {"probe"});
  for (const std::vector<std::string>& service :
       {std::vector<std::string>{"krbtgt", kRealm}, std::vector<std::string>{"TERMSRV", kHost}}) {
    principal(out, 1, {"probe"});
    principal(out, 2, service);
    be16(out, 18);
    counted(out, random_bytes(32));
    be32(out, now - 60);  // authtime, starttime, endtime, renew-till
    be32(out, now - 60);
    be32(out, now + 3600);
    be32(out, 0);
    out.push_back(0);       // is_skey
    be32(out, 0x40400000);  // forwardable, initial... not used by the client
    be32(out, 0);           // addresses
    be32(out, 0);           // authorization data
    counted(out, ticket(service, random_bytes(96)));
    counted(out, {});  // second ticket
  }
  return out;
}

// The Windows path of a unix path (wine's kernel32 export).
std::filesystem::path dos_path(const std::string& unix) {
  using WineGetDosFileName = wchar_t*(__cdecl*)(const char*);
  const auto convert = reinterpret_cast<WineGetDosFileName>(reinterpret_cast<void*>(
      GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_dos_file_name")));
  if (convert == nullptr) return {};
  wchar_t* p = convert(unix.c_str());
  if (p == nullptr) return {};
  std::filesystem::path out(p);
  HeapFree(GetProcessHeap(), 0, p);
  return out;
}

TEST(SspiKerberos, WineProducesAKerberosTokenAndRejectsAMalformedReply) {
  const char* dir_variable = std::getenv(kDirVariable);
  if (dir_variable == nullptr) GTEST_SKIP() << "run by ctest as SspiKerberos.TicketCache";
  if (!under_wine()) GTEST_SKIP() << "wine only: Windows keeps its tickets in the LSA";
  const std::string unix_dir = dir_variable;
  // Never write a cache anywhere but the directory made for this test.
  const char* cache_variable = std::getenv("KRB5CCNAME");
  const char* config_variable = std::getenv("KRB5_CONFIG");
  ASSERT_NE(cache_variable, nullptr);
  ASSERT_NE(config_variable, nullptr);
  ASSERT_EQ(std::string(cache_variable), "FILE:" + unix_dir + "/ccache");
  ASSERT_EQ(std::string(config_variable), unix_dir + "/krb5.conf");

  const std::filesystem::path dir = dos_path(unix_dir);
  ASSERT_FALSE(dir.empty());
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove(dir / "ccache", ignored);
      std::filesystem::remove(dir / "krb5.conf", ignored);
    }
  } cleanup{dir};
  {
    const Bytes cache = credentials_cache();
    std::ofstream(dir / "ccache", std::ios::binary)
        .write(reinterpret_cast<const char*>(cache.data()),
               static_cast<std::streamsize>(cache.size()));
    // No DNS, no reverse lookups; a KDC on a closed loopback port in case anything asks one.
    std::ofstream(dir / "krb5.conf") << "[libdefaults]\n default_realm = " << kRealm
                                     << "\n dns_lookup_kdc = false\n dns_lookup_realm = false\n"
                                        " dns_canonicalize_hostname = false\n rdns = false\n"
                                        "[realms]\n "
                                     << kRealm << " = {\n  kdc = 127.0.0.1:9\n }\n";
  }

  auto client = make_sspi_client(Credentials{}, kHost);
  auto first = bounded([&] { return client->step({}); });
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->complete) << "mutual authentication waits for the AP-REP";
  const Bytes& token = first->token;
  ASSERT_GT(token.size(), 20U);
  EXPECT_TRUE(is_spnego_kerberos_or_ntlm(token));
  // [RFC 2743 3.1] 0x60 <length> 06 09 <Kerberos OID 1.2.840.113554.1.2.2>, then
  // [RFC 4121 4.1] TOK_ID 01 00 (KRB_AP_REQ) and the AP-REQ, [APPLICATION 14].
  const Bytes kerberos_oid = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
  const std::size_t header = token[1] < 0x80 ? 2 : 2 + (token[1] & 0x7fU);
  ASSERT_GT(token.size(), header + kerberos_oid.size() + 3);
  EXPECT_TRUE(std::equal(kerberos_oid.begin(), kerberos_oid.end(),
                         token.begin() + static_cast<std::ptrdiff_t>(header)));
  EXPECT_EQ(token[header + kerberos_oid.size()], 0x01);
  EXPECT_EQ(token[header + kerberos_oid.size() + 1], 0x00);
  EXPECT_EQ(token[header + kerberos_oid.size() + 2], 0x6e);
  RecordProperty("token_bytes", static_cast<int>(token.size()));

  // Not established yet: message protection is refused without touching SSPI.
  auto early = client->wrap(Bytes{1, 2, 3});
  ASSERT_FALSE(early);
  EXPECT_TRUE(contains(early.error().what, "not established")) << early.error().what;
  EXPECT_EQ(client->mechanism(), "Negotiate");

  auto reply = bounded([&] { return client->step(kMalformedServerToken); });
  ASSERT_FALSE(reply);
  const std::string message = reply.error().message();
  EXPECT_EQ(reply.error().field, "InitializeSecurityContextW");
  EXPECT_TRUE(contains(message, "0x80090308 SEC_E_INVALID_TOKEN")) << message;
  auto after = client->step(Bytes{0x60, 0x00});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message(), message);
}

}  // namespace
}  // namespace rdwarm::test::windows
