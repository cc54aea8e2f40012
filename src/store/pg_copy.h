// PgBinaryCopy: builds the input of "COPY ... FROM STDIN (FORMAT binary)", PostgreSQL's fastest
// way to load many rows (https://www.postgresql.org/docs/15/sql-copy.html, "Binary Format").
//
// Binary rather than text COPY because values go in as they are: no escaping of tabs, newlines
// or backslashes in free text, and hash bytes are not hex-encoded. The caller writes each row's
// fields in the table's column order with the column's exact type (int8 as Int64, int4 as Int32,
// ...); the server rejects a mismatch, it does not convert.
//
// Thread safety: a value type.
#ifndef VIGIL_STORE_PG_COPY_H_
#define VIGIL_STORE_PG_COPY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil::store {

class PgBinaryCopy {
 public:
  PgBinaryCopy() { Reset(); }

  // Starts a row of `fields` values; exactly that many calls below must follow.
  void BeginRow(int16_t fields);
  void Int64(int64_t value);
  void Int32(int32_t value);
  void Bool(bool value);
  void Bytes(std::span<const uint8_t> value);
  // UTF-8 text; the server checks the encoding (and refuses NUL bytes).
  void Text(std::string_view value);
  void Null();
  // Int64(*value), or Null() when empty.
  void OptionalInt64(std::optional<int64_t> value);

  // Rows begun since the last Finish.
  size_t rows() const { return rows_; }

  // The complete COPY input (header, rows, trailer). Starts a new, empty input.
  std::string Finish();

 private:
  void Reset();
  void PutBigEndian(uint64_t value, int bytes);

  std::string data_;
  size_t rows_ = 0;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_COPY_H_
