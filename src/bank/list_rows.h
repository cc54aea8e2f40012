// Row-level parsing shared by the import formats: one line or record of a hash list to a
// NewEntry, or a message saying what is wrong with it (without the line number, which the caller
// adds).
//
// Thread safety: each parser object is used by one thread.
#ifndef VIGIL_BANK_LIST_ROWS_H_
#define VIGIL_BANK_LIST_ROWS_H_

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bank/signal.h"
#include "bank/types.h"
#include "core/result.h"

namespace vigil::bank {

// The columns (CSV) and keys (JSON lines) vigil reads and writes, in export order.
enum class ListColumn {
  kSignalType,
  kSignalValue,
  kAddedAt,
  kSourceRef,
  kVerifications,
  kNeedsVerification,
  kRetiredAt,
  kRetiredReason,
};
inline constexpr int kNumListColumns = 8;
std::string_view ListColumnName(ListColumn column);
std::optional<ListColumn> ParseListColumn(std::string_view name);

// A row's fields as text, before validation; absent fields are nullopt.
struct RawRow {
  std::array<std::optional<std::string_view>, kNumListColumns> fields;
  // JSON gives typed values; CSV gives text for these two.
  std::optional<int64_t> verifications_number;
  std::optional<bool> needs_verification_bool;

  std::optional<std::string_view>& operator[](ListColumn c) { return fields[static_cast<int>(c)]; }
  const std::optional<std::string_view>& operator[](ListColumn c) const {
    return fields[static_cast<int>(c)];
  }
};

// Checks and converts a row; kInvalidArgument names the column at fault.
Result<NewEntry> RawRowToEntry(const RawRow& row, std::optional<SignalType> default_type);

// One JSON object per line, parsed without building a DOM and with bounded nesting.
class JsonRowParser {
 public:
  JsonRowParser();
  ~JsonRowParser();
  // The row in `line`, with views valid until the next call.
  Result<RawRow> Parse(std::string_view line);

 private:
  class Handler;
  std::unique_ptr<Handler> handler_;
};

// "<signal_type> <value>", or a bare value when `default_type` is set.
Result<NewEntry> ParseThreatExchangeLine(std::string_view line,
                                         std::optional<SignalType> default_type);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_LIST_ROWS_H_
