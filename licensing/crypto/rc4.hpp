// RC4, in the two ways rdwarm uses it.
//  - Licensing (MS-RDPELE 5.1.3): every encrypted field starts a fresh keystream from the licensing
//    encryption key, so encrypt and decrypt are the same call: rc4().
//  - NTLM sealing [MS-NLMP 3.4.3]: one keystream per direction that continues across messages
//    (the "handle" of the spec): Rc4Stream.
// OpenSSL 3 keeps RC4 in the legacy provider, which a static mingw build may not ship, so the
// cipher is computed here (it is a few lines).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace rdwarm::crypto {

// `key` must not be empty (the licensing key is always 16 bytes); an empty key aborts.
std::vector<std::uint8_t> rc4(std::span<const std::uint8_t> key,
                              std::span<const std::uint8_t> data);

// An RC4 keystream whose position carries over from one call to the next. Copying it copies the
// position (a caller can keep a copy to undo a step). The state is wiped when it goes away.
class Rc4Stream {
 public:
  // `key` must not be empty; an empty key aborts. At most 256 key bytes are used.
  explicit Rc4Stream(std::span<const std::uint8_t> key);
  Rc4Stream(const Rc4Stream&) = default;
  Rc4Stream& operator=(const Rc4Stream&) = default;
  ~Rc4Stream();

  // XORs `data` with the next data.size() keystream bytes, in place.
  void apply(std::span<std::uint8_t> data);
  // The same, into a new vector.
  std::vector<std::uint8_t> process(std::span<const std::uint8_t> data);

 private:
  std::array<std::uint8_t, 256> s_{};
  std::uint8_t i_ = 0;
  std::uint8_t j_ = 0;
};

}  // namespace rdwarm::crypto
