#include "bank/line_reader.h"

#include <cstring>

namespace vigil::bank {
namespace {

constexpr size_t kBufferBytes = 1 << 20;

}  // namespace

LineReader::LineReader(std::istream& in, size_t max_line_bytes)
    : in_(in), max_line_bytes_(max_line_bytes), buffer_(kBufferBytes) {}

bool LineReader::Fill() {
  if (eof_) return false;
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  end_ = static_cast<size_t>(in_.gcount());
  pos_ = 0;
  bytes_read_ += end_;
  if (in_.bad()) {
    status_ = UnavailableError("read error");
    eof_ = true;
    return false;
  }
  if (!in_) eof_ = true;
  if (at_start_ && end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  at_start_ = false;
  return end_ > pos_;
}

std::optional<LineReader::Line> LineReader::Next() {
  line_.clear();
  bool too_long = false;
  bool any = false;  // whether this line has any bytes or a terminator
  while (true) {
    if (pos_ == end_ && !Fill()) break;
    any = true;
    const char* start = buffer_.data() + pos_;
    const size_t avail = end_ - pos_;
    const void* nl = std::memchr(start, '\n', avail);
    const size_t n = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : avail;
    if (!too_long) {
      if (line_.size() + n > max_line_bytes_ + 1) {  // +1 leaves room for a '\r'
        too_long = true;
        line_.clear();
      } else if (nl && line_.empty()) {
        // Fast path: the whole line is inside the buffer.
        pos_ += n + 1;
        std::string_view text(start, n);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        if (text.size() > max_line_bytes_) return Line{{}, ++line_number_, true};
        return Line{text, ++line_number_, false};
      } else {
        line_.append(start, n);
      }
    }
    pos_ += nl ? n + 1 : n;
    if (nl) break;
  }
  if (!any) return std::nullopt;
  std::string_view text(line_);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (!too_long && text.size() > max_line_bytes_) too_long = true;
  if (too_long) text = {};
  return Line{text, ++line_number_, too_long};
}

}  // namespace vigil::bank
