// Importing hash lists into a bank: CSV, JSON lines and python-threatexchange's file format.
//
// Formats (docs/banks.md has examples):
//   csv   RFC 4180 with a header row. Columns signal_type and signal_value are required
//         (signal_type may be left out when ImportOptions::default_type is set); optional
//         provenance columns: source_ref, added_at, verifications, needs_verification,
//         retired_at, retired_reason. Other columns are ignored.
//   jsonl One JSON object per line with the same keys; other keys are ignored.
//   te    python-threatexchange's LocalFileSignalExchangeAPI: "<signal_type> <value>" per line,
//         or a bare value per line when default_type is set.
// A vPDQ signal_value is a video's frame lines joined by ';' (bank/vpdq_value.h). Reference
// vPDQ files (one video per file) are read with ReferenceFileToVpdqValue instead.
// Blank lines are skipped in every format.
//
// An import parses the whole input before writing, reports every invalid row and every row
// that repeats an earlier one with its line number, and then either writes all valid rows in one
// transaction or, when any row is invalid and skip_invalid is off, writes nothing. Rows already in
// the bank are counted and skipped, so importing the same file twice is harmless.
//
// Untrusted input is expected: lines over max_line_bytes, NUL bytes, binary garbage and deeply
// nested JSON become per-row errors; the parser never holds more than one line of raw text.
//
// Thread safety: free functions; the store handles its own locking.
#ifndef VIGIL_BANK_IMPORT_H_
#define VIGIL_BANK_IMPORT_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bank/bank_store.h"
#include "bank/entry_batch.h"
#include "core/result.h"

namespace vigil::bank {

enum class ListFormat { kCsv, kJsonLines, kThreatExchange };

// "csv", "jsonl" or "te"; kInvalidArgument otherwise.
Result<ListFormat> ParseListFormat(std::string_view name);
std::string_view ListFormatName(ListFormat format);

struct ImportOptions {
  ListFormat format = ListFormat::kCsv;
  // The type of rows that do not name one: required for bare hashes in te format; in csv and
  // jsonl it makes the signal_type column optional.
  std::optional<SignalType> default_type{};
  // Write the valid rows even when some rows are invalid.
  bool skip_invalid = false;
  // Lines (CSV records) longer than this are invalid rows. Large enough for a vPDQ value of
  // kMaxVpdqFrames frames (about 85 bytes a frame).
  size_t max_line_bytes = 8u << 20;
  // At most this many invalid and duplicate rows are listed (all are counted), so a garbage
  // file of millions of lines cannot exhaust memory with error messages.
  size_t max_listed_issues = 100000;
  // Called every few thousand rows with the number of input bytes read.
  ProgressCallback parse_progress{};
  // Called while writing with the rows written so far and the rows to write; an error cancels
  // the import and rolls it back.
  std::function<Status(uint64_t done, uint64_t total)> write_progress{};
};

struct ImportIssue {
  uint64_t line = 0;
  std::string message{};
  friend bool operator==(const ImportIssue&, const ImportIssue&) = default;
};

// The result of parsing, before anything is written.
struct ParsedList {
  EntryBatch entries{};  // valid rows, first occurrences only, in input order
  uint64_t rows = 0;     // data rows read (no header, no blank lines)
  uint64_t invalid_rows = 0;
  std::vector<ImportIssue> invalid{};  // the first max_listed_issues invalid rows
  uint64_t duplicate_rows = 0;
  std::vector<ImportIssue> duplicates{};  // "duplicate of line N", first max_listed_issues
};

// Parses a whole list from `in`. Per-row problems are collected in the result; the call itself
// fails only for the input as a whole: kInvalidArgument when it is empty or a CSV header lacks a
// required column (the message names the line), kUnavailable on a read error, or the status a
// progress callback returned.
Result<ParsedList> ParseList(std::istream& in, const ImportOptions& options);

struct ImportReport {
  uint64_t rows = 0;
  uint64_t invalid_rows = 0;
  std::vector<ImportIssue> invalid{};
  uint64_t duplicate_rows = 0;
  std::vector<ImportIssue> duplicates{};
  // False when invalid rows stopped the import (skip_invalid off): nothing was written.
  bool written = false;
  AddEntriesResult result{};  // what the store added; zero unless written

  // OK when written; otherwise kInvalidArgument saying how many rows were invalid and that
  // nothing was written.
  Status status() const;
};

// Parses `in` and adds its rows to the bank named `bank_name` as described at the top.
// kNotFound when the bank does not exist (checked before reading), otherwise the errors of
// ParseList and BankStore::AddEntries. Invalid rows are not an error of the call: check
// report.status() or report.written.
Result<ImportReport> ImportList(BankStore& store, std::string_view bank_name, std::istream& in,
                                const ImportOptions& options);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_IMPORT_H_
