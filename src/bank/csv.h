// RFC 4180 CSV records: splitting one record into fields, and quoting a field for output.
//
// Fields are separated by commas; a field may be enclosed in double quotes, inside which commas,
// line breaks and doubled quotes ("") stand for themselves. A record spans lines exactly when a
// quoted field contains a line break, which CsvRecordReader detects by an odd count of quotes.
//
// Thread safety: one object per thread.
#ifndef VIGIL_BANK_CSV_H_
#define VIGIL_BANK_CSV_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bank/line_reader.h"
#include "core/result.h"

namespace vigil::bank {

// Splits records into fields, reusing its buffers across records (no allocation per row once
// warmed up).
class CsvSplitter {
 public:
  // The fields of `record`, valid until the next call. kInvalidArgument for a quote inside an
  // unquoted field, text after a closing quote, or an unterminated quote, naming the column.
  Result<std::span<const std::string_view>> Split(std::string_view record);

 private:
  std::string scratch_;
  std::vector<std::string_view> fields_;
};

// Reads whole records (joining lines inside quoted fields) from a LineReader.
class CsvRecordReader {
 public:
  struct Record {
    std::string_view text;      // without the final line ending; empty when too_long
    uint64_t line = 0;          // line the record starts on
    bool too_long = false;      // the record or one of its lines exceeded the limit
    bool unterminated = false;  // input ended inside a quoted field
  };

  CsvRecordReader(LineReader& lines, size_t max_record_bytes)
      : lines_(lines), max_record_bytes_(max_record_bytes) {}

  // The next record (blank lines are returned as empty records); nullopt at end of input.
  std::optional<Record> Next();

 private:
  LineReader& lines_;
  const size_t max_record_bytes_;
  std::string record_;
};

// `field` ready for a CSV record: quoted (with quotes doubled) when it holds a comma, quote,
// line break or leading/trailing space, as is otherwise.
std::string CsvQuote(std::string_view field);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_CSV_H_
