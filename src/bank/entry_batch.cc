#include "bank/entry_batch.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <numeric>

#include "core/text.h"

namespace vigil::bank {
namespace {

TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }
int64_t ToSeconds(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

Status EntryBatch::Add(const NewEntry& entry) {
  RETURN_IF_ERROR(ValidateNewEntry(entry));
  // The limits checked above keep the sizes within the narrow fields.
  static_assert(kMaxSourceRefBytes <= UINT16_MAX && kMaxTextBytes <= UINT16_MAX);
  Row row{};
  if (IsFixedSizeSignal(entry.signal_type)) {
    const bool ok =
        HexToBytes(entry.value, {row.value.data(), SignalValueBytes(entry.signal_type)}).ok();
    assert(ok && "ValidateNewEntry accepted a value HexToBytes rejects");
    (void)ok;
  } else {
    ASSIGN_OR_RETURN(std::string bytes, SignalValueToBytes(entry.signal_type, entry.value));
    const uint64_t offset = blobs_.size();
    const auto size = static_cast<uint32_t>(bytes.size());
    std::memcpy(row.value.data(), &offset, sizeof offset);
    std::memcpy(row.value.data() + sizeof offset, &size, sizeof size);
    blobs_ += bytes;
  }
  row.added_at = entry.added_at ? ToSeconds(*entry.added_at) : kNoTime;
  row.retired_at = entry.retired_at ? ToSeconds(*entry.retired_at) : kNoTime;
  row.text_begin = text_.size();
  row.source_ref_size = static_cast<uint16_t>(entry.source_ref.size());
  row.reason_size = static_cast<uint16_t>(entry.retired_reason.size());
  row.verifications = static_cast<uint16_t>(entry.verifications);
  row.type = static_cast<uint8_t>(entry.signal_type);
  row.needs_verification = entry.needs_verification ? 1 : 0;
  text_ += entry.source_ref;
  text_ += entry.retired_reason;
  rows_.push_back(row);
  return Status::Ok();
}

std::span<const uint8_t> EntryBatch::value_bytes(size_t i) const {
  const Row& row = rows_[i];
  const auto type = static_cast<SignalType>(row.type);
  if (IsFixedSizeSignal(type)) return {row.value.data(), SignalValueBytes(type)};
  uint64_t offset = 0;
  uint32_t size = 0;
  std::memcpy(&offset, row.value.data(), sizeof offset);
  std::memcpy(&size, row.value.data() + sizeof offset, sizeof size);
  return {reinterpret_cast<const uint8_t*>(blobs_.data()) + offset, size};
}

NewEntry EntryBatch::Get(size_t i) const {
  NewEntry e;
  e.signal_type = signal_type(i);
  auto value = SignalValueFromBytes(e.signal_type, value_bytes(i));
  assert(value.ok() && "EntryBatch holds a value it cannot decode");
  e.value = value.ok() ? std::move(*value) : std::string();
  e.source_ref = std::string(source_ref(i));
  e.added_at = added_at(i);
  e.verifications = verifications(i);
  e.needs_verification = needs_verification(i);
  e.retired_at = retired_at(i);
  e.retired_reason = std::string(retired_reason(i));
  return e;
}

std::string_view EntryBatch::source_ref(size_t i) const {
  return std::string_view(text_).substr(rows_[i].text_begin, rows_[i].source_ref_size);
}

std::string_view EntryBatch::retired_reason(size_t i) const {
  return std::string_view(text_).substr(rows_[i].text_begin + rows_[i].source_ref_size,
                                        rows_[i].reason_size);
}

std::optional<TimePoint> EntryBatch::added_at(size_t i) const {
  if (rows_[i].added_at == kNoTime) return std::nullopt;
  return FromSeconds(rows_[i].added_at);
}

std::optional<TimePoint> EntryBatch::retired_at(size_t i) const {
  if (rows_[i].retired_at == kNoTime) return std::nullopt;
  return FromSeconds(rows_[i].retired_at);
}

std::vector<std::pair<size_t, size_t>> EntryBatch::FindDuplicates() const {
  assert(rows_.size() <= UINT32_MAX);
  std::vector<uint32_t> order(rows_.size());
  std::iota(order.begin(), order.end(), 0);
  // Unused tail bytes of shorter fixed values are zero, so comparing all 32 is exact.
  auto compare_values = [&](uint32_t a, uint32_t b) {
    if (IsFixedSizeSignal(static_cast<SignalType>(rows_[a].type))) {
      return std::memcmp(rows_[a].value.data(), rows_[b].value.data(), kMaxSignalBytes);
    }
    const auto x = value_bytes(a), y = value_bytes(b);
    const int c = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
    if (c != 0) return c;
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  };
  auto key_less = [&](uint32_t a, uint32_t b) {
    if (rows_[a].type != rows_[b].type) return rows_[a].type < rows_[b].type;
    const int c = compare_values(a, b);
    if (c != 0) return c < 0;
    return a < b;
  };
  std::sort(order.begin(), order.end(), key_less);
  std::vector<std::pair<size_t, size_t>> dups;
  size_t first = 0;
  for (size_t k = 1; k < order.size(); ++k) {
    if (rows_[order[first]].type == rows_[order[k]].type &&
        compare_values(order[first], order[k]) == 0) {
      dups.emplace_back(order[k], order[first]);
    } else {
      first = k;
    }
  }
  std::sort(dups.begin(), dups.end());
  return dups;
}

void EntryBatch::Remove(std::span<const size_t> sorted_rows) {
  if (sorted_rows.empty()) return;
  // In place: rows and their text only ever move towards the front, so a 10M-row batch is not
  // copied.
  size_t out = 0, text_out = 0, next = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (next < sorted_rows.size() && sorted_rows[next] == i) {
      ++next;
      continue;
    }
    Row row = rows_[i];
    const size_t n = row.source_ref_size + row.reason_size;
    if (n > 0) std::memmove(text_.data() + text_out, text_.data() + row.text_begin, n);
    row.text_begin = text_out;
    text_out += n;
    rows_[out++] = row;
  }
  rows_.resize(out);
  text_.resize(text_out);
}

}  // namespace vigil::bank
