#include "store/pg_copy.h"

#include <cassert>
#include <limits>

namespace vigil::store {
namespace {

// "PGCOPY\n\377\r\n\0", then a 32-bit flags word and a 32-bit header-extension length, both 0.
constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
constexpr size_t kHeaderBytes = 11 + 4 + 4;
static_assert(sizeof(kHeader) == kHeaderBytes + 1);

}  // namespace

void PgBinaryCopy::Reset() {
  data_.assign(kHeader, kHeaderBytes);
  rows_ = 0;
}

void PgBinaryCopy::PutBigEndian(uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    data_.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void PgBinaryCopy::BeginRow(int16_t fields) {
  PutBigEndian(static_cast<uint16_t>(fields), 2);
  ++rows_;
}

void PgBinaryCopy::Int64(int64_t value) {
  PutBigEndian(8, 4);
  PutBigEndian(static_cast<uint64_t>(value), 8);
}

void PgBinaryCopy::Int32(int32_t value) {
  PutBigEndian(4, 4);
  PutBigEndian(static_cast<uint32_t>(value), 4);
}

void PgBinaryCopy::Bool(bool value) {
  PutBigEndian(1, 4);
  data_.push_back(value ? 1 : 0);
}

void PgBinaryCopy::Bytes(std::span<const uint8_t> value) {
  assert(value.size() <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  PutBigEndian(value.size(), 4);
  data_.append(reinterpret_cast<const char*>(value.data()), value.size());
}

void PgBinaryCopy::Text(std::string_view value) {
  assert(value.size() <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  PutBigEndian(value.size(), 4);
  data_.append(value);
}

void PgBinaryCopy::Null() { PutBigEndian(0xffffffffu, 4); }  // length -1

void PgBinaryCopy::OptionalInt64(std::optional<int64_t> value) {
  if (value) {
    Int64(*value);
  } else {
    Null();
  }
}

std::string PgBinaryCopy::Finish() {
  PutBigEndian(0xffffu, 2);  // a field count of -1 ends the data
  std::string out = std::move(data_);
  Reset();
  return out;
}

}  // namespace vigil::store
