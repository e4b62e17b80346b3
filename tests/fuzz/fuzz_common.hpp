// Shared by the libFuzzer targets: invariant checks that abort (libFuzzer reports the abort as a
// crash and saves the input) and the decode -> encode -> decode round trip.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::fuzz {

using Bytes = std::span<const std::uint8_t>;

[[noreturn]] inline void invariant_failed(const char* what, const std::string& detail,
                                          const char* file, int line) {
  std::fprintf(stderr, "\n==rdwarm-fuzz== invariant violated at %s:%d: %s%s%s\n", file, line, what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

}  // namespace rdwarm::fuzz

// Aborts with the condition's text when it does not hold. FUZZ_CHECK_MSG adds a detail string.
#define FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::rdwarm::fuzz::invariant_failed(#cond, {}, __FILE__, __LINE__))
#define FUZZ_CHECK_MSG(cond, detail) \
  ((cond) ? static_cast<void>(0)     \
          : ::rdwarm::fuzz::invariant_failed(#cond, (detail), __FILE__, __LINE__))

namespace rdwarm::fuzz {

// Encodes with encode(Writer&) and checks that size() predicted the length.
template <class T>
std::vector<std::uint8_t> encode_checked(const T& value) {
  auto out = wire::encode_to_vector(value);
  FUZZ_CHECK_MSG(out.size() == value.size(), "size() " + std::to_string(value.size()) +
                                                 ", encode() wrote " + std::to_string(out.size()));
  return out;
}

// `first` was decoded from fuzz input. Its encoding must decode again, re-encode to the same bytes,
// and (for types with operator==) decode to an equal value.
template <class T, class Decode>
void round_trip(const T& first, Decode decode) {
  const std::vector<std::uint8_t> e1 = encode_checked(first);
  auto second = decode(Bytes(e1));
  FUZZ_CHECK_MSG(second.ok(), second.ok() ? std::string() : second.error().message());
  const std::vector<std::uint8_t> e2 = encode_checked(second.value());
  FUZZ_CHECK(e1 == e2);
  if constexpr (std::equality_comparable<T>) {
    FUZZ_CHECK(second.value() == first);
  }
}

inline std::vector<std::uint8_t> to_vector(Bytes b) {
  return {b.begin(), b.end()};
}

}  // namespace rdwarm::fuzz
