// EntryBatch: a compact, append-only list of validated new entries.
//
// An import parses a whole file before writing anything (so it can report every bad row and stay
// atomic), which means ten million rows sit in memory at once. A row here takes 64 bytes plus its
// provenance text, about a third of a vector<NewEntry>, and stores hash values as raw bytes that a
// store binds without re-parsing hex. Variable-size values (vPDQ frame lists) are kept in a side
// buffer the row points into.
//
// Thread safety: a value type; const methods may run concurrently.
#ifndef VIGIL_BANK_ENTRY_BATCH_H_
#define VIGIL_BANK_ENTRY_BATCH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bank/types.h"

namespace vigil::bank {

class EntryBatch {
 public:
  EntryBatch() = default;

  // Validates `entry` (ValidateNewEntry) and appends it; on error the batch is unchanged and the
  // status names the bad field.
  Status Add(const NewEntry& entry);

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  void Reserve(size_t rows) { rows_.reserve(rows); }

  // Row `i` as a NewEntry, its value in lowercase hex.
  NewEntry Get(size_t i) const;

  // Field accessors for stores that write rows without building a NewEntry.
  SignalType signal_type(size_t i) const { return static_cast<SignalType>(rows_[i].type); }
  // The raw value (SignalValueToBytes).
  std::span<const uint8_t> value_bytes(size_t i) const;
  std::string_view source_ref(size_t i) const;
  std::optional<TimePoint> added_at(size_t i) const;
  int verifications(size_t i) const { return rows_[i].verifications; }
  bool needs_verification(size_t i) const { return rows_[i].needs_verification != 0; }
  std::optional<TimePoint> retired_at(size_t i) const;
  std::string_view retired_reason(size_t i) const;

  // Each row whose (type, value) equals an earlier row's, as (row, first earlier row), ascending
  // by row. O(n log n) time, 4 bytes a row of scratch memory.
  std::vector<std::pair<size_t, size_t>> FindDuplicates() const;

  // Removes the rows at `sorted_rows` (ascending, distinct), keeping the others in order.
  void Remove(std::span<const size_t> sorted_rows);

 private:
  static constexpr int64_t kNoTime = INT64_MIN;
  struct Row {
    // A fixed-size value itself (unused tail bytes zero), or for a variable-size value its
    // offset (8 bytes) and size (4 bytes) in blobs_.
    std::array<uint8_t, kMaxSignalBytes> value;
    int64_t added_at;     // seconds since the epoch, or kNoTime
    int64_t retired_at;   // seconds since the epoch, or kNoTime
    uint64_t text_begin;  // source_ref then retired_reason, in text_
    uint16_t source_ref_size;
    uint16_t reason_size;
    uint16_t verifications;
    uint8_t type;
    uint8_t needs_verification;
  };
  static_assert(sizeof(Row) == 64);

  std::vector<Row> rows_;
  std::string text_;
  // Variable-size values; rows removed by Remove leave their bytes here (such values are few).
  std::string blobs_;
};

}  // namespace vigil::bank

#endif  // VIGIL_BANK_ENTRY_BATCH_H_
