// ExactIndex: an open-addressing hash table (linear probing, backward-shift deletion) of
// (digest, id) pairs. Digests are outputs of cryptographic hashes, so folding their words is
// already a good hash; a one-byte tag per slot lets probes skip most full-digest comparisons.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "index/index.h"

namespace vigil::index {

template <size_t kDigestBytes>
class ExactIndex<kDigestBytes>::Table {
 public:
  struct Slot {
    Digest digest;
    uint64_t id;
  };

  Table() { Rehash(16); }

  static uint64_t Hash(const Digest& digest) {
    uint64_t h = 0;
    for (size_t i = 0; i < kDigestBytes; i += 8) {
      uint64_t word;
      std::memcpy(&word, digest.data() + i, 8);
      h ^= word;
    }
    h ^= h >> 33;  // MurmurHash3's finaliser: every input bit reaches the low (index) bits
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }
  static uint8_t Tag(uint64_t hash) { return static_cast<uint8_t>(0x80 | (hash >> 57)); }

  // The slot holding (digest, id), or the empty slot ending its probe sequence.
  size_t Locate(const Digest& digest, uint64_t id) const {
    const uint64_t hash = Hash(digest);
    const uint8_t tag = Tag(hash);
    size_t i = hash & mask_;
    for (; control_[i] != 0; i = (i + 1) & mask_) {
      if (control_[i] == tag && slots_[i].id == id && slots_[i].digest == digest) break;
    }
    return i;
  }

  bool Insert(const Digest& digest, uint64_t id) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.size() * 2);
    const size_t i = Locate(digest, id);
    if (control_[i] != 0) return false;
    control_[i] = Tag(Hash(digest));
    slots_[i] = {digest, id};
    ++size_;
    return true;
  }

  bool Erase(const Digest& digest, uint64_t id) {
    size_t hole = Locate(digest, id);
    if (control_[hole] == 0) return false;
    // Backward shift: pull later slots of the run into the hole unless that would move one
    // before its home slot, so probe sequences never cross an empty slot.
    for (size_t j = (hole + 1) & mask_; control_[j] != 0; j = (j + 1) & mask_) {
      const size_t home = Hash(slots_[j].digest) & mask_;
      const bool home_in_gap = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (home_in_gap) continue;
      control_[hole] = control_[j];
      slots_[hole] = slots_[j];
      hole = j;
    }
    control_[hole] = 0;
    --size_;
    return true;
  }

  std::vector<uint64_t> Find(const Digest& digest) const {
    const uint64_t hash = Hash(digest);
    const uint8_t tag = Tag(hash);
    std::vector<uint64_t> ids;
    for (size_t i = hash & mask_; control_[i] != 0; i = (i + 1) & mask_) {
      if (control_[i] == tag && slots_[i].digest == digest) ids.push_back(slots_[i].id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  void Reserve(size_t count) {
    size_t capacity = slots_.size();
    while (count * 4 > capacity * 3) capacity *= 2;
    if (capacity != slots_.size()) Rehash(capacity);
  }

  size_t size() const { return size_; }

  mutable std::shared_mutex mu;

 private:
  void Rehash(size_t capacity) {
    std::vector<uint8_t> old_control = std::move(control_);
    std::vector<Slot> old_slots = std::move(slots_);
    control_.assign(capacity, 0);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (size_t i = 0; i < old_slots.size(); ++i) {
      if (old_control[i] != 0) Insert(old_slots[i].digest, old_slots[i].id);
    }
  }

  std::vector<uint8_t> control_;  // 0: empty; else 0x80 | top 7 bits of the hash
  std::vector<Slot> slots_;       // capacity a power of two, at most 3/4 full
  size_t mask_ = 0;
  size_t size_ = 0;
};

template <size_t kDigestBytes>
ExactIndex<kDigestBytes>::ExactIndex() : table_(std::make_unique<Table>()) {}

template <size_t kDigestBytes>
ExactIndex<kDigestBytes>::~ExactIndex() = default;

template <size_t kDigestBytes>
Status ExactIndex<kDigestBytes>::Add(const Digest& digest, uint64_t id) {
  std::unique_lock lock(table_->mu);
  if (!table_->Insert(digest, id)) {
    return AlreadyExistsError("digest is already indexed for entry id " + std::to_string(id));
  }
  return Status::Ok();
}

template <size_t kDigestBytes>
Status ExactIndex<kDigestBytes>::Remove(const Digest& digest, uint64_t id) {
  std::unique_lock lock(table_->mu);
  if (!table_->Erase(digest, id)) {
    return NotFoundError("digest is not indexed for entry id " + std::to_string(id));
  }
  return Status::Ok();
}

template <size_t kDigestBytes>
std::vector<uint64_t> ExactIndex<kDigestBytes>::Find(const Digest& digest) const {
  std::shared_lock lock(table_->mu);
  return table_->Find(digest);
}

template <size_t kDigestBytes>
size_t ExactIndex<kDigestBytes>::size() const {
  std::shared_lock lock(table_->mu);
  return table_->size();
}

template <size_t kDigestBytes>
void ExactIndex<kDigestBytes>::Reserve(size_t count) {
  std::unique_lock lock(table_->mu);
  table_->Reserve(count);
}

template class ExactIndex<16>;
template class ExactIndex<32>;

}  // namespace vigil::index
