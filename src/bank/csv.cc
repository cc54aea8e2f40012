#include "bank/csv.h"

#include <fmt/format.h>

namespace vigil::bank {
namespace {

// Whether a record whose text so far ends with `line` is still inside a quoted field.
// `in_quotes` says whether `line` starts inside one. A quote opens a field only at the field's
// start; elsewhere it is a stray the splitter reports, and must not swallow the next line.
bool EndsInQuotes(std::string_view line, bool in_quotes) {
  bool field_start = !in_quotes;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          ++i;
        } else {
          in_quotes = false;
        }
      }
    } else if (c == '"' && field_start) {
      in_quotes = true;
      field_start = false;
    } else {
      field_start = c == ',';
    }
  }
  return in_quotes;
}

}  // namespace

Result<std::span<const std::string_view>> CsvSplitter::Split(std::string_view record) {
  // Unescaped text never exceeds the record, so views into scratch_ stay valid while it fills.
  scratch_.resize(record.size());
  fields_.clear();
  size_t out = 0, i = 0;
  while (true) {
    const size_t start = out;
    const size_t column = fields_.size() + 1;
    if (i < record.size() && record[i] == '"') {
      ++i;
      while (true) {
        if (i >= record.size()) {
          return InvalidArgumentError(
              fmt::format("malformed CSV: unterminated quoted field in column {}", column));
        }
        if (record[i] == '"') {
          if (i + 1 < record.size() && record[i + 1] == '"') {
            scratch_[out++] = '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        scratch_[out++] = record[i++];
      }
      if (i < record.size() && record[i] != ',') {
        return InvalidArgumentError(
            fmt::format("malformed CSV: text after the closing quote in column {}", column));
      }
    } else {
      while (i < record.size() && record[i] != ',') {
        if (record[i] == '"') {
          return InvalidArgumentError(
              fmt::format("malformed CSV: quote inside an unquoted field in column {}", column));
        }
        scratch_[out++] = record[i++];
      }
    }
    fields_.emplace_back(scratch_.data() + start, out - start);
    if (i >= record.size()) break;
    ++i;  // the comma
  }
  return std::span<const std::string_view>(fields_);
}

std::optional<CsvRecordReader::Record> CsvRecordReader::Next() {
  auto first = lines_.Next();
  if (!first) return std::nullopt;
  Record rec;
  rec.line = first->number;
  if (first->too_long) {
    // Cannot tell whether a quote opened inside the skipped text; resume at the next line.
    rec.too_long = true;
    return rec;
  }
  bool in_quotes = EndsInQuotes(first->text, false);
  if (!in_quotes) {
    rec.text = first->text;
    return rec;
  }
  record_.assign(first->text);
  bool too_long = false;
  while (in_quotes) {
    auto next = lines_.Next();
    if (!next) {
      rec.unterminated = true;
      return rec;
    }
    if (next->too_long || record_.size() + 1 + next->text.size() > max_record_bytes_) {
      too_long = true;
      record_.clear();
    }
    // After an overflow keep following the quotes so the next record starts in the right place.
    if (!next->too_long) in_quotes = EndsInQuotes(next->text, true);
    if (!too_long) {
      record_ += '\n';
      record_ += next->text;
    }
  }
  rec.too_long = too_long;
  if (!too_long) rec.text = record_;
  return rec;
}

std::string CsvQuote(std::string_view field) {
  const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace vigil::bank
