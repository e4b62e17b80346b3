#include "licensing/crypto/licensing_keys.hpp"

#include <algorithm>

#include "licensing/crypto/digest.hpp"

namespace rdwarm::crypto {
namespace {

// The salts 'A', 'BB', 'CCC' of RDPELE 5.1.2.1 / 5.1.2.2.
constexpr std::uint8_t kSaltA[] = {'A'};
constexpr std::uint8_t kSaltBB[] = {'B', 'B'};
constexpr std::uint8_t kSaltCCC[] = {'C', 'C', 'C'};

// FinalHash(S, A, B) = SaltedHash(S,'A',A,B) + SaltedHash(S,'BB',A,B) + SaltedHash(S,'CCC',A,B):
// the shape shared by the master secret and the session key blob.
std::array<std::uint8_t, 48> final_hash(ByteView s, ByteView a, ByteView b) {
  std::array<std::uint8_t, 48> out{};
  auto it = out.begin();
  for (ByteView salt : {ByteView(kSaltA), ByteView(kSaltBB), ByteView(kSaltCCC)}) {
    const auto part = salted_hash(s, salt, a, b);
    it = std::copy(part.begin(), part.end(), it);
  }
  return out;
}

}  // namespace

std::array<std::uint8_t, 16> salted_hash(ByteView s, ByteView i, ByteView a, ByteView b) {
  const auto inner = sha1({i, s, a, b});
  return md5({s, inner});
}

LicensingKeys derive_licensing_keys(
    std::span<const std::uint8_t, kPreMasterSecretSize> premaster,
    std::span<const std::uint8_t, kLicensingRandomSize> client_random,
    std::span<const std::uint8_t, kLicensingRandomSize> server_random) {
  LicensingKeys k;
  // RDPELE 5.1.2.1: MasterSecret from PreMasterSecret, ClientRandom, ServerRandom.
  k.master_secret = final_hash(premaster, client_random, server_random);
  // RDPELE 5.1.2.2: SessionKeyBlob from MasterSecret with the randoms swapped.
  k.session_key_blob = final_hash(k.master_secret, server_random, client_random);
  const ByteView blob(k.session_key_blob);
  std::copy_n(blob.begin(), kMacSaltKeySize, k.mac_salt_key.begin());
  // LicensingEncryptionKey = MD5(SessionKeyBlob[16..32] + ClientRandom + ServerRandom).
  k.licensing_key = md5({blob.subspan(16, 16), client_random, server_random});
  return k;
}

}  // namespace rdwarm::crypto
