// Hash256: a 256-bit perceptual hash (PDQ, vPDQ frames), its hex form and Hamming distance.
//
// Bit k of the hash (k = 16*row + column of the 16x16 DCT cell) is bit (k % 64) of words[k / 64].
// The hex form is the 256-bit number written big-endian in 64 lowercase hex digits, which is
// exactly the string Meta's reference tools print and read.
//
// Thread safety: plain value type.
#ifndef VIGIL_HASH_HASH256_H_
#define VIGIL_HASH_HASH256_H_

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::hash {

struct Hash256 {
  std::array<uint64_t, 4> words{};

  bool bit(int k) const { return (words[k >> 6] >> (k & 63)) & 1u; }
  void set_bit(int k) { words[k >> 6] |= uint64_t{1} << (k & 63); }
  bool is_zero() const { return (words[0] | words[1] | words[2] | words[3]) == 0; }

  // 64 lowercase hex digits.
  std::string ToHex() const;
  // Parses 64 hex digits (either case, no prefix or spaces). kInvalidArgument names the
  // problem (length, offending character and its position).
  static Result<Hash256> FromHex(std::string_view hex);

  friend bool operator==(const Hash256&, const Hash256&) = default;
  friend auto operator<=>(const Hash256&, const Hash256&) = default;
};

// Number of differing bits, 0..256.
inline int HammingDistance(const Hash256& a, const Hash256& b) {
  return std::popcount(a.words[0] ^ b.words[0]) + std::popcount(a.words[1] ^ b.words[1]) +
         std::popcount(a.words[2] ^ b.words[2]) + std::popcount(a.words[3] ^ b.words[3]);
}

}  // namespace vigil::hash

#endif  // VIGIL_HASH_HASH256_H_
