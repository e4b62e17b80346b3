// AV_PAIR lists [MS-NLMP 2.2.2.1]: the server's TargetInfo in the CHALLENGE_MESSAGE and the
// AvPairs of the client's NTLMv2_CLIENT_CHALLENGE, which copies them and adds its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::auth::ntlm {

struct AvPair {
  std::uint16_t id = 0;  // AvId
  std::vector<std::uint8_t> value;

  bool operator==(const AvPair&) const = default;
};

// The pairs in order, without the terminating MsvAvEOL: encode() writes it, read() stops at it.
struct AvPairs {
  std::vector<AvPair> pairs;

  void encode(wire::Writer& w) const;
  [[nodiscard]] std::size_t size() const;
  // Reads pairs up to and including MsvAvEOL; what follows is left in the reader. Checks the
  // lengths of the fixed-size values (MsvAvFlags 4, MsvAvTimestamp 8, MsvAvChannelBindings 16)
  // and that names are whole UTF-16 code units. `field` prefixes the error's field name.
  static AvPairs read(wire::Reader& r, std::string_view field);
  // The whole of `bytes` must be the list (trailing bytes after MsvAvEOL are ignored).
  static Result<AvPairs> decode(wire::Bytes bytes, std::string_view where, std::string_view field);

  [[nodiscard]] const AvPair* find(std::uint16_t id) const;
  // Replaces the value of the first pair with this id, or appends the pair.
  void set(std::uint16_t id, std::vector<std::uint8_t> value);

  // Typed views; nullopt when the pair is absent.
  [[nodiscard]] std::optional<std::string> text(std::uint16_t id) const;
  [[nodiscard]] std::optional<std::uint32_t> flags() const;      // MsvAvFlags
  [[nodiscard]] std::optional<std::uint64_t> timestamp() const;  // MsvAvTimestamp (FILETIME)
  void set_text(std::uint16_t id, std::string_view utf8);
  void set_flags(std::uint32_t flags);
  void set_timestamp(std::uint64_t filetime);

  bool operator==(const AvPairs&) const = default;
};

// "MsvAvNbComputerName" etc. for error messages; "AvId 0x000b" for unknown ids.
std::string av_id_name(std::uint16_t id);

}  // namespace rdwarm::auth::ntlm
