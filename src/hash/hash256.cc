#include "hash/hash256.h"

#include <fmt/format.h>

namespace vigil::hash {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Hash256::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 64; ++i) {
    // Digit i (from the left) holds bits 255-4i .. 252-4i.
    int low_bit = 252 - 4 * i;
    out[i] = kDigits[(words[low_bit >> 6] >> (low_bit & 63)) & 0xf];
  }
  return out;
}

Result<Hash256> Hash256::FromHex(std::string_view hex) {
  if (hex.size() != 64) {
    return InvalidArgumentError(
        fmt::format("a 256-bit hash needs 64 hex digits, got {} characters", hex.size()));
  }
  Hash256 h;
  for (int i = 0; i < 64; ++i) {
    int v = HexValue(hex[i]);
    if (v < 0) {
      return InvalidArgumentError(
          fmt::format("invalid hex digit '{}' at position {}", hex[i], i + 1));
    }
    int low_bit = 252 - 4 * i;
    h.words[low_bit >> 6] |= static_cast<uint64_t>(v) << (low_bit & 63);
  }
  return h;
}

}  // namespace vigil::hash
