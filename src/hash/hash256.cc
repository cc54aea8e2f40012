#include "hash/hash256.h"

#include <fmt/format.h>

#include "core/text.h"

namespace vigil::hash {

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
  std::array<uint8_t, 32> bytes{};
  RETURN_IF_ERROR(HexToBytes(hex, bytes));
  // Byte j (digits 2j and 2j+1) holds bits 255-8j .. 248-8j.
  Hash256 h;
  for (int j = 0; j < 32; ++j) {
    h.words[3 - j / 8] |= static_cast<uint64_t>(bytes[j]) << (56 - 8 * (j % 8));
  }
  return h;
}

}  // namespace vigil::hash
