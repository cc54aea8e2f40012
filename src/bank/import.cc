#include "bank/import.h"

#include <fmt/format.h>

#include <array>

#include "bank/csv.h"
#include "bank/line_reader.h"
#include "bank/list_rows.h"

namespace vigil::bank {
namespace {

// Rows between progress callbacks: often enough for a smooth bar, rare enough to cost nothing.
constexpr uint64_t kProgressEvery = 4096;

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

// Accumulates the parse result; knows the per-row bookkeeping common to all formats.
class ListBuilder {
 public:
  ListBuilder(std::istream& in, const ImportOptions& options)
      : options_(options), lines_(in, options.max_line_bytes) {}

  LineReader& lines() { return lines_; }

  // Counts a data row and reports progress; the status cancels the parse when not OK.
  Status StartRow() {
    ++out_.rows;
    if (options_.parse_progress && out_.rows % kProgressEvery == 0) {
      return options_.parse_progress(lines_.bytes_read());
    }
    return Status::Ok();
  }

  void Invalid(uint64_t line, std::string message) {
    ++out_.invalid_rows;
    if (out_.invalid.size() < options_.max_listed_issues) {
      out_.invalid.push_back({line, std::move(message)});
    }
  }

  void Add(uint64_t line, Result<NewEntry> entry) {
    if (!entry.ok()) return Invalid(line, entry.status().message());
    Status s = out_.entries.Add(*entry);
    if (!s.ok()) return Invalid(line, s.message());
    row_lines_.push_back(line);
  }

  // Reports and drops repeated rows, then hands over the result.
  Result<ParsedList> Finish() {
    RETURN_IF_ERROR(lines_.status());
    if (lines_.bytes_read() == 0 || (out_.rows == 0 && !saw_header_)) {
      return InvalidArgumentError("empty input: no rows to import");
    }
    if (options_.parse_progress) RETURN_IF_ERROR(options_.parse_progress(lines_.bytes_read()));
    const auto dups = out_.entries.FindDuplicates();
    std::vector<size_t> drop;
    drop.reserve(dups.size());
    for (const auto& [row, first] : dups) {
      ++out_.duplicate_rows;
      if (out_.duplicates.size() < options_.max_listed_issues) {
        out_.duplicates.push_back(
            {row_lines_[row], fmt::format("duplicate of line {}", row_lines_[first])});
      }
      drop.push_back(row);
    }
    out_.entries.Remove(drop);
    return std::move(out_);
  }

  void set_saw_header() { saw_header_ = true; }

 private:
  const ImportOptions& options_;
  LineReader lines_;
  ParsedList out_;
  std::vector<uint64_t> row_lines_;  // input line of each row of out_.entries
  bool saw_header_ = false;
};

// Catches what every format rejects before looking at the row's syntax.
std::optional<std::string> RawLineProblem(const LineReader::Line& line, size_t max_bytes) {
  if (line.too_long) return fmt::format("line longer than {} bytes", max_bytes);
  if (line.text.find('\0') != std::string_view::npos) return "line contains a NUL byte";
  return std::nullopt;
}

Status ParseLines(ListBuilder& b, const ImportOptions& options) {
  JsonRowParser json;
  while (auto line = b.lines().Next()) {
    if (!line->too_long && IsBlank(line->text)) continue;
    RETURN_IF_ERROR(b.StartRow());
    if (auto problem = RawLineProblem(*line, options.max_line_bytes)) {
      b.Invalid(line->number, *problem);
      continue;
    }
    if (options.format == ListFormat::kThreatExchange) {
      b.Add(line->number, ParseThreatExchangeLine(line->text, options.default_type));
      continue;
    }
    auto row = json.Parse(line->text);
    if (!row.ok()) {
      b.Invalid(line->number, row.status().message());
      continue;
    }
    b.Add(line->number, RawRowToEntry(*row, options.default_type));
  }
  return Status::Ok();
}

// Maps header positions to known columns; fails for a header the rows cannot be read with.
Result<std::vector<std::optional<ListColumn>>> ReadCsvHeader(
    std::span<const std::string_view> names, uint64_t line, const ImportOptions& options) {
  std::vector<std::optional<ListColumn>> columns;
  std::array<bool, kNumListColumns> seen{};
  for (std::string_view name : names) {
    const size_t b = name.find_first_not_of(' '), e = name.find_last_not_of(' ');
    name = b == std::string_view::npos ? std::string_view() : name.substr(b, e - b + 1);
    auto column = ParseListColumn(name);
    if (column) {
      if (seen[static_cast<int>(*column)]) {
        return InvalidArgumentError(
            fmt::format("line {}: CSV header names column '{}' twice", line, name));
      }
      seen[static_cast<int>(*column)] = true;
    }
    columns.push_back(column);
  }
  for (ListColumn required : {ListColumn::kSignalType, ListColumn::kSignalValue}) {
    if (required == ListColumn::kSignalType && options.default_type) continue;
    if (!seen[static_cast<int>(required)]) {
      return InvalidArgumentError(fmt::format(
          "line {}: CSV header lacks column '{}'; the first line must name the columns, e.g. "
          "signal_type,signal_value",
          line, ListColumnName(required)));
    }
  }
  return columns;
}

Status ParseCsv(ListBuilder& b, const ImportOptions& options) {
  CsvRecordReader records(b.lines(), options.max_line_bytes);
  CsvSplitter splitter;
  std::vector<std::optional<ListColumn>> columns;
  bool have_header = false;
  while (auto rec = records.Next()) {
    if (!rec->too_long && !rec->unterminated && IsBlank(rec->text)) continue;
    if (have_header) RETURN_IF_ERROR(b.StartRow());
    std::optional<std::string> problem;
    if (rec->too_long) {
      problem = fmt::format("record longer than {} bytes", options.max_line_bytes);
    } else if (rec->unterminated) {
      problem = "malformed CSV: quoted field not closed before the end of the input";
    } else if (rec->text.find('\0') != std::string_view::npos) {
      problem = "line contains a NUL byte";
    }
    Result<std::span<const std::string_view>> fields =
        problem ? InvalidArgumentError(*problem) : splitter.Split(rec->text);
    if (!have_header) {
      if (!fields.ok()) {
        return fields.status().WithContext(fmt::format("line {}: CSV header", rec->line));
      }
      ASSIGN_OR_RETURN(columns, ReadCsvHeader(*fields, rec->line, options));
      have_header = true;
      b.set_saw_header();
      continue;
    }
    if (!fields.ok()) {
      b.Invalid(rec->line, fields.status().message());
      continue;
    }
    if (fields->size() != columns.size()) {
      b.Invalid(rec->line, fmt::format("row has {} field{}, the header has {}", fields->size(),
                                       fields->size() == 1 ? "" : "s", columns.size()));
      continue;
    }
    RawRow row;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i]) row[*columns[i]] = (*fields)[i];
    }
    b.Add(rec->line, RawRowToEntry(row, options.default_type));
  }
  return Status::Ok();
}

}  // namespace

Result<ListFormat> ParseListFormat(std::string_view name) {
  if (name == "csv") return ListFormat::kCsv;
  if (name == "jsonl") return ListFormat::kJsonLines;
  if (name == "te") return ListFormat::kThreatExchange;
  return InvalidArgumentError(
      fmt::format("unknown list format '{}' (csv, jsonl or te)", EscapeForMessage(name, 20)));
}

std::string_view ListFormatName(ListFormat format) {
  switch (format) {
    case ListFormat::kCsv:
      return "csv";
    case ListFormat::kJsonLines:
      return "jsonl";
    case ListFormat::kThreatExchange:
      return "te";
  }
  return "unknown";
}

Result<ParsedList> ParseList(std::istream& in, const ImportOptions& options) {
  ListBuilder builder(in, options);
  if (options.format == ListFormat::kCsv) {
    RETURN_IF_ERROR(ParseCsv(builder, options));
  } else {
    RETURN_IF_ERROR(ParseLines(builder, options));
  }
  return builder.Finish();
}

Status ImportReport::status() const {
  if (written) return Status::Ok();
  return InvalidArgumentError(
      fmt::format("{} of {} row{} invalid; nothing was imported (fix them or skip invalid rows)",
                  invalid_rows, rows, rows == 1 ? " is" : "s are"));
}

Result<ImportReport> ImportList(BankStore& store, std::string_view bank_name, std::istream& in,
                                const ImportOptions& options) {
  ASSIGN_OR_RETURN(Bank bank, store.GetBank(bank_name));
  ASSIGN_OR_RETURN(ParsedList parsed, ParseList(in, options));
  ImportReport report;
  report.rows = parsed.rows;
  report.invalid_rows = parsed.invalid_rows;
  report.invalid = std::move(parsed.invalid);
  report.duplicate_rows = parsed.duplicate_rows;
  report.duplicates = std::move(parsed.duplicates);
  if (report.invalid_rows > 0 && !options.skip_invalid) return report;
  ProgressCallback progress;
  if (options.write_progress) {
    progress = [&](uint64_t done) { return options.write_progress(done, parsed.entries.size()); };
  }
  ASSIGN_OR_RETURN(report.result, store.AddEntries(bank.id, parsed.entries, progress));
  report.written = true;
  return report;
}

}  // namespace vigil::bank
