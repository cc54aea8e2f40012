// Exporting a bank as a hash list: CSV, JSON lines or python-threatexchange's file format, the
// formats import.h reads, so an export re-imports to the same entries.
//
//   csv   header signal_type,signal_value,added_at,source_ref,verifications,needs_verification,
//         retired_at,retired_reason; RFC 4180 quoting.
//   jsonl {"signal_type":"pdq","signal_value":"…","added_at":"…","source_ref":"…",
//         "verifications":0,"needs_verification":false} plus retired_at and retired_reason for
//         retired entries.
//   te    "<type> <value>" with python-threatexchange's type names (pdq, video_md5,
//         video_sha256) so its tools read the file; it has no provenance and cannot carry
//         retired entries.
//
// Thread safety: a ListWriter is used by one thread; the free functions are reentrant.
#ifndef VIGIL_BANK_EXPORT_H_
#define VIGIL_BANK_EXPORT_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "bank/bank_store.h"
#include "bank/import.h"

namespace vigil::bank {

// The CSV header line (with "\n"); empty for the other formats.
std::string FormatListHeader(ListFormat format);

// One entry as a line (with "\n") of `format`. kInvalidArgument for a retired entry in te format.
Result<std::string> FormatListEntry(ListFormat format, const BankEntry& entry);

// Streams entries to `out`, writing the header first.
class ListWriter {
 public:
  ListWriter(std::ostream& out, ListFormat format);

  // Writes one entry; errors as FormatListEntry, or kUnavailable when the stream fails.
  Status Write(const BankEntry& entry);
  // Flushes; kUnavailable when the stream failed.
  Status Finish();
  uint64_t written() const { return written_; }

 private:
  std::ostream& out_;
  const ListFormat format_;
  uint64_t written_ = 0;
};

struct ExportOptions {
  ListFormat format = ListFormat::kCsv;
  // Also export retired entries (with their reason and date); not possible in te format.
  bool include_retired = false;
};

// Writes every entry of `bank` to `out` in id order, streaming from the store. Returns the number
// of entries written. kInvalidArgument for te with include_retired; kNotFound for an unknown bank;
// kUnavailable when writing fails.
Result<uint64_t> ExportBank(BankStore& store, BankId bank, const ExportOptions& options,
                            std::ostream& out);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_EXPORT_H_
