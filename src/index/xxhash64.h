// XXH64 (Yann Collet's xxHash, 64-bit variant), written from the published algorithm
// description: the checksum of index files. Fast (several GB/s) and good at catching torn or
// flipped bytes; not a cryptographic hash, so it guards against accidents, not attackers.
//
// Thread safety: a value type; one object per stream.
#ifndef VIGIL_INDEX_XXHASH64_H_
#define VIGIL_INDEX_XXHASH64_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace vigil::index::internal {

class Xxh64 {
 public:
  explicit Xxh64(uint64_t seed = 0);
  // Feeds more bytes; the result is the same however the input is split across calls.
  void Update(std::span<const uint8_t> bytes);
  // The hash of everything fed so far. Does not change the state.
  uint64_t Digest() const;

  static uint64_t Hash(std::span<const uint8_t> bytes, uint64_t seed = 0) {
    Xxh64 h(seed);
    h.Update(bytes);
    return h.Digest();
  }

 private:
  std::array<uint64_t, 4> lanes_;
  std::array<uint8_t, 32> pending_{};  // bytes not yet forming a whole 32-byte stripe
  size_t pending_size_ = 0;
  uint64_t total_ = 0;
  uint64_t seed_;
};

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_XXHASH64_H_
