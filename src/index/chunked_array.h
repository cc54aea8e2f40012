// ChunkedArray<T>: append-only storage for one writer and many concurrent readers.
//
// Elements live in fixed-size chunks that are never moved or freed while the array lives, and the
// table of chunk pointers has a fixed capacity, so a reader may use any element the writer
// published (through a release store the reader acquires) while the writer keeps appending
// beyond it. This is what lets searches read recent additions without locks and without the
// copy a growing std::vector would make.
//
// Thread safety: one writer (externally serialised) calls Slot(); readers call the const
// methods only for indices whose publication they have acquired.
#ifndef VIGIL_INDEX_CHUNKED_ARRAY_H_
#define VIGIL_INDEX_CHUNKED_ARRAY_H_

#include <cstdint>
#include <memory>
#include <vector>

namespace vigil::index::internal {

template <typename T, int kChunkBits, uint64_t kCapacity>
class ChunkedArray {
 public:
  static constexpr uint64_t kChunkSize = uint64_t{1} << kChunkBits;
  static constexpr uint64_t kCapacityElements = kCapacity;

  ChunkedArray() : chunks_((kCapacity + kChunkSize - 1) / kChunkSize) {}

  // Writer: the element at `i` < kCapacity, allocating (value-initialised) its chunk if needed.
  T& Slot(uint64_t i) {
    std::unique_ptr<T[]>& chunk = chunks_[i >> kChunkBits];
    if (!chunk) chunk = std::make_unique<T[]>(kChunkSize);
    return chunk[i & (kChunkSize - 1)];
  }

  const T& operator[](uint64_t i) const { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }

  // The contiguous elements [i, end of i's chunk).
  const T* ChunkFrom(uint64_t i) const { return &(*this)[i]; }
  static uint64_t ChunkRemaining(uint64_t i) { return kChunkSize - (i & (kChunkSize - 1)); }

  // Bytes allocated for the first `count` elements and the chunk table.
  static uint64_t BytesFor(uint64_t count) {
    const uint64_t chunks = (count + kChunkSize - 1) / kChunkSize;
    return chunks * kChunkSize * sizeof(T) + (kCapacity / kChunkSize + 1) * sizeof(void*);
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;  // sized once, never resized
};

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_CHUNKED_ARRAY_H_
