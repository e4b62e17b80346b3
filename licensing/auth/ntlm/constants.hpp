// Constants of the NTLM Authentication Protocol [MS-NLMP], named as in the specification.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rdwarm::auth::ntlm {

// "NTLMSSP\0" [2.2.1.1]
inline constexpr std::array<std::uint8_t, 8> kSignature = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

// MessageType [2.2.1]
inline constexpr std::uint32_t NtLmNegotiate = 0x00000001;
inline constexpr std::uint32_t NtLmChallenge = 0x00000002;
inline constexpr std::uint32_t NtLmAuthenticate = 0x00000003;

// NEGOTIATE flags [2.2.2.5]
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;                   // A
inline constexpr std::uint32_t NTLM_NEGOTIATE_OEM = 0x00000002;                          // B
inline constexpr std::uint32_t NTLMSSP_REQUEST_TARGET = 0x00000004;                      // C
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_SIGN = 0x00000010;                      // D
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_SEAL = 0x00000020;                      // E
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_DATAGRAM = 0x00000040;                  // F
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_LM_KEY = 0x00000080;                    // G
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_NTLM = 0x00000200;                      // H
inline constexpr std::uint32_t NTLMSSP_ANONYMOUS = 0x00000800;                           // J
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED = 0x00001000;       // K
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED = 0x00002000;  // L
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_ALWAYS_SIGN = 0x00008000;               // M
inline constexpr std::uint32_t NTLMSSP_TARGET_TYPE_DOMAIN = 0x00010000;                  // N
inline constexpr std::uint32_t NTLMSSP_TARGET_TYPE_SERVER = 0x00020000;                  // O
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;  // P
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_IDENTIFY = 0x00100000;                  // Q
inline constexpr std::uint32_t NTLMSSP_REQUEST_NON_NT_SESSION_KEY = 0x00400000;          // R
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_TARGET_INFO = 0x00800000;               // S
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_VERSION = 0x02000000;                   // T
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_128 = 0x20000000;                       // U
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;                  // V
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_56 = 0x80000000;                        // W

// AvId of an AV_PAIR [2.2.2.1]
inline constexpr std::uint16_t MsvAvEOL = 0x0000;
inline constexpr std::uint16_t MsvAvNbComputerName = 0x0001;
inline constexpr std::uint16_t MsvAvNbDomainName = 0x0002;
inline constexpr std::uint16_t MsvAvDnsComputerName = 0x0003;
inline constexpr std::uint16_t MsvAvDnsDomainName = 0x0004;
inline constexpr std::uint16_t MsvAvDnsTreeName = 0x0005;
inline constexpr std::uint16_t MsvAvFlags = 0x0006;
inline constexpr std::uint16_t MsvAvTimestamp = 0x0007;
inline constexpr std::uint16_t MsvAvSingleHost = 0x0008;
inline constexpr std::uint16_t MsvAvTargetName = 0x0009;
inline constexpr std::uint16_t MsvAvChannelBindings = 0x000A;

// MsvAvFlags bits [2.2.2.1]
inline constexpr std::uint32_t MSV_AV_FLAG_ACCOUNT_CONSTRAINED = 0x00000001;
inline constexpr std::uint32_t MSV_AV_FLAG_MIC_PRESENT = 0x00000002;
inline constexpr std::uint32_t MSV_AV_FLAG_UNTRUSTED_SPN = 0x00000004;

// NTLMRevisionCurrent of VERSION [2.2.2.10]
inline constexpr std::uint8_t NTLMSSP_REVISION_W2K3 = 0x0F;

// NTLMSSP_MESSAGE_SIGNATURE Version with extended session security [2.2.2.9.2]
inline constexpr std::uint32_t kMessageSignatureVersion = 0x00000001;
inline constexpr std::size_t kMessageSignatureSize = 16;

// Sizes: keys and challenges [3.3.2], MIC [2.2.1.3], fixed headers [2.2.1.1-2.2.1.3].
inline constexpr std::size_t kKeySize = 16;
inline constexpr std::size_t kChallengeSize = 8;
inline constexpr std::size_t kMicSize = 16;
inline constexpr std::size_t kVersionSize = 8;
inline constexpr std::size_t kNegotiateHeaderSize = 32;
inline constexpr std::size_t kChallengeHeaderSize = 48;
inline constexpr std::size_t kAuthenticateHeaderSize = 64;

// A string literal with its terminating NUL, which SIGNKEY and SEALKEY hash too.
template <std::size_t N>
constexpr std::string_view with_nul(const char (&literal)[N]) {
  return {literal, N};
}

// Magic constants of SIGNKEY / SEALKEY [3.4.5.2, 3.4.5.3].
inline constexpr std::string_view kClientSigningMagic =
    with_nul("session key to client-to-server signing key magic constant");
inline constexpr std::string_view kServerSigningMagic =
    with_nul("session key to server-to-client signing key magic constant");
inline constexpr std::string_view kClientSealingMagic =
    with_nul("session key to client-to-server sealing key magic constant");
inline constexpr std::string_view kServerSealingMagic =
    with_nul("session key to server-to-client sealing key magic constant");

// MaxLifetime of an NTLMv2 timestamp at the server [3.2.1.1]: 36 hours, in FILETIME ticks.
inline constexpr std::uint64_t kMaxLifetimeTicks = 36ull * 3600 * 10'000'000;

// NTSTATUS / SECURITY_STATUS values [MS-ERREF 2.3.1, 2.1.1] the acceptor reports (CredSSP puts them
// in TSRequest.errorCode).
inline constexpr std::uint32_t STATUS_SUCCESS = 0x00000000;
inline constexpr std::uint32_t STATUS_LOGON_FAILURE = 0xC000006D;
inline constexpr std::uint32_t STATUS_ACCOUNT_DISABLED = 0xC0000072;
inline constexpr std::uint32_t STATUS_PASSWORD_EXPIRED = 0xC0000071;
inline constexpr std::uint32_t STATUS_PASSWORD_MUST_CHANGE = 0xC0000224;
inline constexpr std::uint32_t STATUS_ACCOUNT_LOCKED_OUT = 0xC0000234;
// SSPI HRESULTs, named kSecE... because <winerror.h> defines SEC_E_* as macros, which would
// rewrite these declarations in any file that also includes <windows.h>.
inline constexpr std::uint32_t kSecEUnsupportedFunction = 0x80090302;
inline constexpr std::uint32_t kSecEInvalidToken = 0x80090308;
inline constexpr std::uint32_t kSecEMessageAltered = 0x8009030F;
inline constexpr std::uint32_t kSecEOutOfSequence = 0x80090310;

}  // namespace rdwarm::auth::ntlm
