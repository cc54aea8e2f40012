// LineReader: lines of a stream, with a size cap, for parsing untrusted hash lists.
//
// A line longer than the cap is reported as too long and skipped without being held in memory,
// so a file with no newlines (binary garbage, a minified blob) cannot exhaust memory. A UTF-8
// byte-order mark at the start is dropped (spreadsheets write one); "\r\n" endings are accepted.
//
// Thread safety: one reader per thread.
#ifndef VIGIL_BANK_LINE_READER_H_
#define VIGIL_BANK_LINE_READER_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::bank {

class LineReader {
 public:
  struct Line {
    std::string_view text;  // without the line ending; empty when too_long
    uint64_t number = 0;    // 1-based
    bool too_long = false;
  };

  LineReader(std::istream& in, size_t max_line_bytes);

  // The next line, valid until the following call; nullopt at the end of input or on a read
  // error (see status()).
  std::optional<Line> Next();

  // kUnavailable when reading the stream failed; OK otherwise.
  const Status& status() const { return status_; }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t lines_read() const { return line_number_; }

 private:
  bool Fill();

  std::istream& in_;
  const size_t max_line_bytes_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  std::string line_;  // a line that straddles buffer refills
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
  bool eof_ = false;
  bool at_start_ = true;
  Status status_;
};

}  // namespace vigil::bank

#endif  // VIGIL_BANK_LINE_READER_H_
