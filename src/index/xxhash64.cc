#include "index/xxhash64.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace vigil::index::internal {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kPrime5 = 0x27D4EB2F165667C5ULL;

static_assert(std::endian::native == std::endian::little, "XXH64 reads little-endian words");

uint64_t Read64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

uint32_t Read32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

uint64_t Round(uint64_t lane, uint64_t input) {
  return std::rotl(lane + input * kPrime2, 31) * kPrime1;
}

uint64_t MergeRound(uint64_t hash, uint64_t lane) {
  return (hash ^ Round(0, lane)) * kPrime1 + kPrime4;
}

void ConsumeStripe(std::array<uint64_t, 4>& lanes, const uint8_t* p) {
  for (size_t i = 0; i < 4; ++i) lanes[i] = Round(lanes[i], Read64(p + 8 * i));
}

}  // namespace

Xxh64::Xxh64(uint64_t seed)
    : lanes_{seed + kPrime1 + kPrime2, seed + kPrime2, seed, seed - kPrime1}, seed_(seed) {}

void Xxh64::Update(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;  // data() may be null, which memcpy must not see
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  total_ += n;
  if (pending_size_ > 0) {
    const size_t take = std::min(n, pending_.size() - pending_size_);
    std::memcpy(pending_.data() + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    n -= take;
    if (pending_size_ < pending_.size()) return;
    ConsumeStripe(lanes_, pending_.data());
    pending_size_ = 0;
  }
  for (; n >= 32; p += 32, n -= 32) ConsumeStripe(lanes_, p);
  std::memcpy(pending_.data(), p, n);
  pending_size_ = n;
}

uint64_t Xxh64::Digest() const {
  uint64_t h;
  if (total_ >= 32) {
    h = std::rotl(lanes_[0], 1) + std::rotl(lanes_[1], 7) + std::rotl(lanes_[2], 12) +
        std::rotl(lanes_[3], 18);
    for (uint64_t lane : lanes_) h = MergeRound(h, lane);
  } else {
    h = seed_ + kPrime5;
  }
  h += total_;
  const uint8_t* p = pending_.data();
  size_t n = pending_size_;
  for (; n >= 8; p += 8, n -= 8) h = std::rotl(h ^ Round(0, Read64(p)), 27) * kPrime1 + kPrime4;
  if (n >= 4) {
    h = std::rotl(h ^ (Read32(p) * kPrime1), 23) * kPrime2 + kPrime3;
    p += 4;
    n -= 4;
  }
  for (; n > 0; ++p, --n) h = std::rotl(h ^ (*p * kPrime5), 11) * kPrime1;
  h ^= h >> 33;
  h *= kPrime2;
  h ^= h >> 29;
  h *= kPrime3;
  h ^= h >> 32;
  return h;
}

}  // namespace vigil::index::internal
