// LargeArray<T>: a fixed-size heap array for the index's big tables (codes, postings, offsets).
//
// Unlike std::vector it leaves elements uninitialised (the builders write every element, and
// zeroing 400 MB costs time and page faults) and, for arrays of 2 MiB or more, asks the kernel
// for transparent huge pages: searches touch these arrays at random, and with 4 KiB pages nearly
// every access is also a TLB miss. Allocation failure throws std::bad_alloc, as std::vector does.
//
// Thread safety: like std::vector.
#ifndef VIGIL_INDEX_LARGE_ARRAY_H_
#define VIGIL_INDEX_LARGE_ARRAY_H_

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <span>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace vigil::index::internal {

template <typename T>
class LargeArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  LargeArray() = default;
  explicit LargeArray(size_t size) : size_(size) {
    if (size == 0) return;
    const size_t bytes = RoundUp(size * sizeof(T), Alignment(size));
    void* memory = std::aligned_alloc(Alignment(size), bytes);
    if (memory == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= kHugePage) madvise(memory, bytes, MADV_HUGEPAGE);  // a hint; failure is harmless
#endif
    data_.reset(static_cast<T*>(memory));
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T& operator[](size_t i) { return data_.get()[i]; }
  const T& operator[](size_t i) const { return data_.get()[i]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  std::span<T> span() { return {data(), size_}; }
  std::span<const T> span() const { return {data(), size_}; }
  size_t bytes() const { return size_ * sizeof(T); }

 private:
  static constexpr size_t kHugePage = size_t{2} << 20;
  static size_t Alignment(size_t size) { return size * sizeof(T) >= kHugePage ? kHugePage : 64; }
  static size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t size_ = 0;
};

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_LARGE_ARRAY_H_
