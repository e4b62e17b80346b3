#include "licensing/auth/windows/sspi_status.hpp"

#include <array>
#include <cstdio>

#include "licensing/auth/windows/sspi.hpp"
#include "licensing/auth/windows/utf16.hpp"

namespace rdwarm::auth::windows {
namespace {

struct Entry {
  std::uint32_t value;
  StatusInfo info;
};

constexpr std::uint32_t u(HRESULT v) {
  return static_cast<std::uint32_t>(v);
}

// An NTSTATUS, not a SEC_E value: wine's Kerberos package returns it from
// AcquireCredentialsHandleW (observed, docs/nla-sspi.md).
constexpr std::uint32_t kStatusUnsuccessful = 0xC0000001;

const std::array kTable = {
    Entry{u(SEC_E_OK), {"SEC_E_OK", "success", "nothing to do"}},
    Entry{u(SEC_I_CONTINUE_NEEDED),
          {"SEC_I_CONTINUE_NEEDED", "the exchange needs another token from the server",
           "this is a defect in rdwarm if it is reported as a failure: report it"}},
    Entry{u(SEC_I_COMPLETE_NEEDED),
          {"SEC_I_COMPLETE_NEEDED", "the token must be completed with CompleteAuthToken",
           "this is a defect in rdwarm if it is reported as a failure: report it"}},
    Entry{u(SEC_I_COMPLETE_AND_CONTINUE),
          {"SEC_I_COMPLETE_AND_CONTINUE",
           "the token must be completed and the exchange needs another token",
           "this is a defect in rdwarm if it is reported as a failure: report it"}},
    Entry{
        u(SEC_I_INCOMPLETE_CREDENTIALS),
        {"SEC_I_INCOMPLETE_CREDENTIALS", "the server asked for credentials that were not supplied",
         "configure the account rdwarm authenticates with (rdwarm credentials set)"}},
    Entry{u(SEC_E_INSUFFICIENT_MEMORY),
          {"SEC_E_INSUFFICIENT_MEMORY", "not enough memory to complete the request",
           "retry; if it persists, look at what is using the machine's memory"}},
    Entry{u(SEC_E_INVALID_HANDLE),
          {"SEC_E_INVALID_HANDLE", "a credentials or context handle is not valid",
           "this is a defect in rdwarm: report it with this message"}},
    Entry{u(SEC_E_UNSUPPORTED_FUNCTION),
          {"SEC_E_UNSUPPORTED_FUNCTION",
           "the security package does not support this call or one of the requested options",
           "under wine this is a part of SSPI wine lacks; on Windows report it with the Windows "
           "version"}},
    Entry{u(SEC_E_TARGET_UNKNOWN),
          {"SEC_E_TARGET_UNKNOWN",
           "the domain controller knows no account with the service principal name "
           "TERMSRV/<host>",
           "connect by the name the session host is registered under in Active Directory (its "
           "DNS name; `setspn -L <host>` lists its SPNs), or use an IP address to fall back to "
           "NTLM"}},
    Entry{u(SEC_E_INTERNAL_ERROR),
          {"SEC_E_INTERNAL_ERROR",
           "the Local Security Authority or the security package failed, or could not be "
           "reached",
           "check the System and Security event logs; under wine: Kerberos without a reachable "
           "KDC, or NTLM without Samba's ntlm_auth"}},
    Entry{u(SEC_E_SECPKG_NOT_FOUND),
          {"SEC_E_SECPKG_NOT_FOUND", "the requested security package is not installed",
           "Negotiate, Kerberos and NTLM ship with every Windows; under wine, NTLM needs Samba's "
           "ntlm_auth (Debian package winbind)"}},
    Entry{u(SEC_E_NOT_OWNER),
          {"SEC_E_NOT_OWNER", "the process does not own the credentials it asked for",
           "run rdwarm as the account whose logon it should use, or configure explicit "
           "credentials"}},
    Entry{
        u(SEC_E_INVALID_TOKEN),
        {"SEC_E_INVALID_TOKEN", "the server's token is malformed or was not made for this exchange",
         "check that the port speaks RDP with CredSSP and that nothing in between alters the "
         "traffic"}},
    Entry{u(SEC_E_QOP_NOT_SUPPORTED),
          {"SEC_E_QOP_NOT_SUPPORTED", "the requested quality of protection is not supported",
           "this is a defect in rdwarm: report it with this message"}},
    Entry{u(SEC_E_LOGON_DENIED),
          {"SEC_E_LOGON_DENIED",
           "the logon was refused: wrong user name or password, or the account may not log on",
           "check the account (rdwarm credentials set); for a domain account check that it is "
           "enabled, not locked out and its password has not expired"}},
    Entry{u(SEC_E_UNKNOWN_CREDENTIALS),
          {"SEC_E_UNKNOWN_CREDENTIALS", "the security package did not recognise the credentials",
           "check the user name format: user@dns.domain, or user with a NetBIOS domain"}},
    Entry{u(SEC_E_NO_CREDENTIALS),
          {"SEC_E_NO_CREDENTIALS", "no credentials are available to the security package",
           "rdwarm ran without configured credentials and its own logon has none it can use "
           "(a local account, or no Kerberos ticket): configure credentials (rdwarm credentials "
           "set)"}},
    Entry{u(SEC_E_MESSAGE_ALTERED),
          {"SEC_E_MESSAGE_ALTERED",
           "a signature did not verify: the message was altered or the "
           "two sides hold different keys",
           "with NTLM a wrong password gives different keys: check the credentials; otherwise "
           "something altered the traffic"}},
    Entry{u(SEC_E_OUT_OF_SEQUENCE),
          {"SEC_E_OUT_OF_SEQUENCE", "a message arrived out of order",
           "the exchange lost or repeated a message: retry the connection"}},
    Entry{u(SEC_E_NO_AUTHENTICATING_AUTHORITY),
          {"SEC_E_NO_AUTHENTICATING_AUTHORITY",
           "no domain controller could be contacted to authenticate",
           "check DNS and the network path to a domain controller; for a local account of the "
           "session host, give the host's name as the domain"}},
    Entry{u(SEC_E_CONTEXT_EXPIRED),
          {"SEC_E_CONTEXT_EXPIRED", "the security context or the credentials expired",
           "start a new connection"}},
    Entry{u(SEC_E_INCOMPLETE_MESSAGE),
          {"SEC_E_INCOMPLETE_MESSAGE",
           "a buffer holds only part of a message, or an output buffer was too small",
           "if the server's token was cut short, check the transport; otherwise report it"}},
    Entry{u(SEC_E_BUFFER_TOO_SMALL),
          {"SEC_E_BUFFER_TOO_SMALL", "an output buffer was too small",
           "this is a defect in rdwarm: report it with this message"}},
    Entry{u(SEC_E_WRONG_PRINCIPAL),
          {"SEC_E_WRONG_PRINCIPAL",
           "the server is not the machine the service principal name TERMSRV/<host> names",
           "the host name reaches another machine than the one registered for it: check DNS; "
           "this is also what a machine in the middle looks like"}},
    Entry{u(SEC_E_TIME_SKEW),
          {"SEC_E_TIME_SKEW",
           "this machine's clock and the domain controller's differ by more than Kerberos allows",
           "synchronise the time (w32tm /resync) and retry"}},
    Entry{u(SEC_E_ILLEGAL_MESSAGE),
          {"SEC_E_ILLEGAL_MESSAGE", "a message from the server was malformed",
           "check that nothing in between alters the traffic"}},
    Entry{u(SEC_E_ENCRYPT_FAILURE),
          {"SEC_E_ENCRYPT_FAILURE", "the message could not be encrypted",
           "report it with this message"}},
    Entry{u(SEC_E_DECRYPT_FAILURE),
          {"SEC_E_DECRYPT_FAILURE", "the message could not be decrypted",
           "the two sides hold different keys or the message was altered: retry, then check "
           "the credentials"}},
    Entry{u(SEC_E_ALGORITHM_MISMATCH),
          {"SEC_E_ALGORITHM_MISMATCH", "client and server share no algorithm",
           "check the Kerberos encryption types allowed by policy on both machines"}},
    Entry{u(SEC_E_KDC_UNKNOWN_ETYPE),
          {"SEC_E_KDC_UNKNOWN_ETYPE", "the domain controller does not support the encryption type",
           "check the Kerberos encryption types allowed for the account and by policy"}},
    Entry{u(SEC_E_BAD_BINDINGS),
          {"SEC_E_BAD_BINDINGS", "the channel bindings did not match",
           "rdwarm sends no channel bindings: report it with this message"}},
    Entry{u(SEC_E_DOWNGRADE_DETECTED),
          {"SEC_E_DOWNGRADE_DETECTED",
           "the negotiation looks tampered with (an attempt to force a weaker mechanism)",
           "check for devices that alter the traffic between rdwarm and the session host"}},
    Entry{u(SEC_E_MUTUAL_AUTH_FAILED),
          {"SEC_E_MUTUAL_AUTH_FAILED", "the server did not prove its identity",
           "check that the host name reaches the intended session host"}},
    Entry{kStatusUnsuccessful,
          {"STATUS_UNSUCCESSFUL",
           "the security package failed without detail (an NTSTATUS passed through)",
           "under wine: its Kerberos package could not get a ticket for the explicit "
           "credentials; on Windows check the Security event log"}},
};

}  // namespace

StatusInfo describe_security_status(std::int32_t status) {
  const auto value = static_cast<std::uint32_t>(status);
  for (const auto& e : kTable) {
    if (e.value == value) return e.info;
  }
  return {};
}

std::string status_hex(std::int32_t status) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08X", static_cast<unsigned>(status));
  return buffer;
}

Error sspi_error(std::string_view call, std::int32_t status) {
  std::string what = status_hex(status);
  const StatusInfo info = describe_security_status(status);
  if (!info.name.empty()) {
    what += ' ';
    what += info.name;
    what += ": ";
    what += info.meaning;
    what += ". ";
    what += info.advice;
    return make_error("SSPI", std::string(call), std::move(what));
  }
  // Not in the table: Windows' own sentence for it, if it has one.
  wchar_t buffer[512] = {};
  const DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                 nullptr, static_cast<DWORD>(status), 0, buffer,
                                 sizeof buffer / sizeof buffer[0], nullptr);
  std::wstring_view text(buffer, n);
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L' ')) {
    text.remove_suffix(1);
  }
  what += text.empty() ? std::string(": a status rdwarm does not know") : ": " + narrow(text);
  what += ". Look the value up in winerror.h or ntstatus.h and check the Security event log";
  return make_error("SSPI", std::string(call), std::move(what));
}

}  // namespace rdwarm::auth::windows
