// Building blocks shared by every licensing message [MS-RDPBCGR 2.2.1.12.1, MS-RDPELE 2.2.2]:
// constants, LICENSE_PREAMBLE, LICENSE_BINARY_BLOB and the string encodings the messages use.
// Encrypted fields stay bytes here; licensing/crypto does RC4, MAC and RSA.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire::lic {

// bMsgType [MS-RDPBCGR 2.2.1.12.1.1]. Server to client:
inline constexpr std::uint8_t LICENSE_REQUEST = 0x01;
inline constexpr std::uint8_t PLATFORM_CHALLENGE = 0x02;
inline constexpr std::uint8_t NEW_LICENSE = 0x03;
inline constexpr std::uint8_t UPGRADE_LICENSE = 0x04;
// Client to server:
inline constexpr std::uint8_t LICENSE_INFO = 0x12;
inline constexpr std::uint8_t NEW_LICENSE_REQUEST = 0x13;
inline constexpr std::uint8_t PLATFORM_CHALLENGE_RESPONSE = 0x15;
// Either direction:
inline constexpr std::uint8_t ERROR_ALERT = 0xFF;

// Preamble flags [MS-RDPBCGR 2.2.1.12.1.1].
inline constexpr std::uint8_t LicenseProtocolVersionMask = 0x0F;
inline constexpr std::uint8_t PREAMBLE_VERSION_2_0 = 0x02;  // RDP 4.0
inline constexpr std::uint8_t PREAMBLE_VERSION_3_0 = 0x03;  // RDP 5.0 and later
inline constexpr std::uint8_t EXTENDED_ERROR_MSG_SUPPORTED = 0x80;

// wBlobType [MS-RDPBCGR 2.2.1.12.1.2].
inline constexpr std::uint16_t BB_ANY_BLOB = 0x0000;
inline constexpr std::uint16_t BB_DATA_BLOB = 0x0001;
inline constexpr std::uint16_t BB_RANDOM_BLOB = 0x0002;
inline constexpr std::uint16_t BB_CERTIFICATE_BLOB = 0x0003;
inline constexpr std::uint16_t BB_ERROR_BLOB = 0x0004;
inline constexpr std::uint16_t BB_RSA_KEY_BLOB = 0x0006;
inline constexpr std::uint16_t BB_RSA_SIGNATURE_BLOB = 0x0008;
inline constexpr std::uint16_t BB_ENCRYPTED_DATA_BLOB = 0x0009;
inline constexpr std::uint16_t BB_KEY_EXCHG_ALG_BLOB = 0x000D;
inline constexpr std::uint16_t BB_SCOPE_BLOB = 0x000E;
inline constexpr std::uint16_t BB_CLIENT_USER_NAME_BLOB = 0x000F;
inline constexpr std::uint16_t BB_CLIENT_MACHINE_NAME_BLOB = 0x0010;

// Key exchange algorithm [MS-RDPELE 2.2.2.1, 2.2.2.2].
inline constexpr std::uint32_t KEY_EXCHANGE_ALG_RSA = 0x00000001;

// PlatformId: operating system in the high byte, ISV image id below [MS-RDPELE 2.2.2.2].
inline constexpr std::uint32_t CLIENT_OS_ID_WINNT_351 = 0x01000000;
inline constexpr std::uint32_t CLIENT_OS_ID_WINNT_40 = 0x02000000;
inline constexpr std::uint32_t CLIENT_OS_ID_WINNT_50 = 0x03000000;
inline constexpr std::uint32_t CLIENT_OS_ID_WINNT_POST_52 = 0x04000000;
inline constexpr std::uint32_t CLIENT_IMAGE_ID_MICROSOFT = 0x00010000;
inline constexpr std::uint32_t CLIENT_IMAGE_ID_CITRIX = 0x00020000;

// Fixed sizes [MS-RDPELE 2.2.2.1, 2.2.2.2, 5.1.5].
inline constexpr std::size_t RANDOM_SIZE = 32;
inline constexpr std::size_t MAC_SIZE = 16;
using Random = std::array<std::uint8_t, RANDOM_SIZE>;
using MacData = std::array<std::uint8_t, MAC_SIZE>;

// Name of a bMsgType for logs and errors ("LICENSE_REQUEST", ...); "unknown" otherwise.
std::string_view name_of_msg_type(std::uint8_t msg_type);

// LICENSE_PREAMBLE [MS-RDPBCGR 2.2.1.12.1.1]. wMsgSize counts the preamble and the message but not
// the security header. Peers disagree about it, so decoders keep it and never rely on it.
struct Preamble {
  std::uint8_t msg_type = 0;
  std::uint8_t flags = PREAMBLE_VERSION_3_0;
  std::uint16_t msg_size = 0;

  static constexpr std::size_t kSize = 4;
  [[nodiscard]] std::uint8_t version() const { return flags & LicenseProtocolVersionMask; }
  [[nodiscard]] bool extended_error_msg_supported() const {
    return (flags & EXTENDED_ERROR_MSG_SUPPORTED) != 0;
  }
  [[nodiscard]] std::size_t size() const { return kSize; }
  void encode(Writer& w) const;
  static Preamble read(Reader& r);
};

// LICENSE_BINARY_BLOB [MS-RDPBCGR 2.2.1.12.1.2]. The type is kept as received and never checked:
// Windows and xrdp put junk in it where the spec says it is ignored (MS-RDPELE notes <12>, <13>,
// <15>; xrdp's 0x1428 with length 0), and keeping it makes decode/encode round trips exact.
struct LicenseBinaryBlob {
  std::uint16_t type = BB_ANY_BLOB;
  std::vector<std::uint8_t> data;

  static constexpr std::size_t kHeaderSize = 4;
  [[nodiscard]] std::size_t size() const { return kHeaderSize + data.size(); }
  void encode(Writer& w) const;  // data must fit wBlobLen (u16)
  // `field` names the blob in errors, e.g. "ServerCertificate" -> "ServerCertificate.wBlobLen".
  static LicenseBinaryBlob read(Reader& r, std::string_view field);

  friend bool operator==(const LicenseBinaryBlob&, const LicenseBinaryBlob&) = default;
};

// Reads N bytes into an array (zeros if the reader failed).
template <std::size_t N>
std::array<std::uint8_t, N> read_array(Reader& r, std::string_view field) {
  std::array<std::uint8_t, N> a{};
  const Bytes b = r.bytes(N, field);
  for (std::size_t i = 0; i < b.size() && i < N; ++i) a[i] = b[i];
  return a;
}

// Decodes a whole buffer with T::read and T::kName as the PDU name in errors. Bytes after the last
// field are ignored: the outer length is trusted and Windows' own decoders do the same.
template <class T>
Result<T> decode_with_reader(Bytes bytes) {
  Reader r(bytes, T::kName);
  T value = T::read(r);
  if (!r.ok()) return r.error();
  return value;
}

// Strings. UTF-16LE fields (company name, product id) are held as UTF-8 and written back as
// UTF-16LE with one terminating NUL. ANSI fields (scope, user and machine names) are bytes, also
// written with one NUL. Decoding stops at the first NUL (what follows is padding or junk); invalid
// UTF-16 or UTF-8 becomes U+FFFD.
std::string utf16le_to_utf8(Bytes bytes);
std::vector<std::uint8_t> utf8_to_utf16le_z(std::string_view text);
std::string ansi_from_z(Bytes bytes);
std::vector<std::uint8_t> ansi_to_z(std::string_view text);

}  // namespace rdwarm::wire::lic
