#include "bank/list_rows.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "bank/timestamp.h"

namespace vigil::bank {
namespace {

constexpr std::string_view kColumnNames[kNumListColumns] = {
    "signal_type",   "signal_value",       "added_at",   "source_ref",
    "verifications", "needs_verification", "retired_at", "retired_reason"};

// Deep enough for any sane extra metadata, shallow enough that hostile nesting stops early.
constexpr int kMaxJsonDepth = 8;

std::string_view Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Result<bool> ParseBoolText(std::string_view text) {
  text = Trim(text);
  for (std::string_view t : {"true", "1", "yes"}) {
    if (EqualsIgnoreCase(text, t)) return true;
  }
  for (std::string_view f : {"false", "0", "no", ""}) {
    if (EqualsIgnoreCase(text, f)) return false;
  }
  return InvalidArgumentError(
      fmt::format("needs_verification: '{}' is not true or false", EscapeForMessage(text, 20)));
}

Result<int64_t> ParseIntText(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return int64_t{0};
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgumentError(
        fmt::format("verifications: '{}' is not a whole number", EscapeForMessage(text, 20)));
  }
  return v;
}

Result<std::optional<TimePoint>> ParseOptionalTime(const std::optional<std::string_view>& text,
                                                   ListColumn column) {
  if (!text || Trim(*text).empty()) return std::optional<TimePoint>();
  auto t = ParseUtcTimestamp(Trim(*text));
  if (!t.ok()) return t.status().WithContext(ListColumnName(column));
  return std::optional<TimePoint>(*t);
}

}  // namespace

std::string_view ListColumnName(ListColumn column) {
  return kColumnNames[static_cast<int>(column)];
}

std::optional<ListColumn> ParseListColumn(std::string_view name) {
  for (int i = 0; i < kNumListColumns; ++i) {
    if (kColumnNames[i] == name) return static_cast<ListColumn>(i);
  }
  return std::nullopt;
}

Result<NewEntry> RawRowToEntry(const RawRow& row, std::optional<SignalType> default_type) {
  NewEntry e;
  const auto& type_text = row[ListColumn::kSignalType];
  if (type_text && !Trim(*type_text).empty()) {
    ASSIGN_OR_RETURN(e.signal_type, ParseSignalType(Trim(*type_text)));
  } else if (default_type) {
    e.signal_type = *default_type;
  } else {
    return InvalidArgumentError("missing signal_type");
  }
  const auto& value = row[ListColumn::kSignalValue];
  if (!value || Trim(*value).empty()) return InvalidArgumentError("missing signal_value");
  ASSIGN_OR_RETURN(e.value, NormalizeSignalValue(e.signal_type, Trim(*value)));
  if (const auto& ref = row[ListColumn::kSourceRef]) e.source_ref = std::string(*ref);
  ASSIGN_OR_RETURN(e.added_at, ParseOptionalTime(row[ListColumn::kAddedAt], ListColumn::kAddedAt));
  ASSIGN_OR_RETURN(e.retired_at,
                   ParseOptionalTime(row[ListColumn::kRetiredAt], ListColumn::kRetiredAt));
  if (const auto& reason = row[ListColumn::kRetiredReason]) e.retired_reason = std::string(*reason);
  int64_t verifications = 0;
  if (row.verifications_number) {
    verifications = *row.verifications_number;
  } else if (const auto& text = row[ListColumn::kVerifications]) {
    ASSIGN_OR_RETURN(verifications, ParseIntText(*text));
  }
  if (verifications < 0 || verifications > kMaxVerifications) {
    return InvalidArgumentError(
        fmt::format("verifications must be 0..{}, got {}", kMaxVerifications, verifications));
  }
  e.verifications = static_cast<int>(verifications);
  if (row.needs_verification_bool) {
    e.needs_verification = *row.needs_verification_bool;
  } else if (const auto& text = row[ListColumn::kNeedsVerification]) {
    ASSIGN_OR_RETURN(e.needs_verification, ParseBoolText(*text));
  }
  return e;
}

// Collects the top-level scalar members of one JSON object. Returning false from a callback stops
// nlohmann's (iterative, non-recursive) parser at once.
class JsonRowParser::Handler : public nlohmann::json_sax<nlohmann::json> {
 public:
  void Reset() {
    row_ = RawRow{};
    depth_ = 0;
    seen_object_ = false;
    column_.reset();
    seen_.fill(false);
    error_.clear();
  }
  const RawRow& row() const { return row_; }
  const std::string& error() const { return error_; }

  bool null() override { return Scalar(nullptr, "null"); }
  bool boolean(bool v) override {
    if (depth_ == 1 && column_ == ListColumn::kNeedsVerification) {
      row_.needs_verification_bool = v;
      return true;
    }
    return Scalar(nullptr, "a boolean");
  }
  bool number_integer(number_integer_t v) override { return Number(v); }
  bool number_unsigned(number_unsigned_t v) override {
    return Number(v > static_cast<number_unsigned_t>(INT64_MAX) ? INT64_MAX
                                                                : static_cast<int64_t>(v));
  }
  bool number_float(number_float_t, const string_t&) override {
    return Scalar(nullptr, "a number");
  }
  bool string(string_t& v) override {
    if (depth_ == 1 && column_) {
      if (*column_ == ListColumn::kVerifications || *column_ == ListColumn::kNeedsVerification) {
        return Fail(fmt::format("{} must be a {}, not a string", ListColumnName(*column_),
                                *column_ == ListColumn::kVerifications ? "number" : "boolean"));
      }
      std::string& slot = strings_[static_cast<int>(*column_)];
      slot.assign(v);
      row_[*column_] = std::string_view(slot);
      return true;
    }
    return Scalar(nullptr, "a string");
  }
  bool binary(binary_t&) override { return Fail("unexpected binary value"); }
  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      if (seen_object_) return Fail("more than one JSON value on the line");
      seen_object_ = true;
    } else if (depth_ == 1 && column_) {
      return Fail(fmt::format("{} must not be an object", ListColumnName(*column_)));
    }
    return Enter();
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return Fail("expected a JSON object, got an array");
    if (depth_ == 1 && column_) {
      return Fail(fmt::format("{} must not be an array", ListColumnName(*column_)));
    }
    return Enter();
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ != 1) return true;
    column_ = ParseListColumn(k);
    if (column_) {
      if (seen_[static_cast<int>(*column_)]) return Fail(fmt::format("duplicate key '{}'", k));
      seen_[static_cast<int>(*column_)] = true;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    // "[json.exception.parse_error.101] parse error at line 1, column 3: syntax error ..."
    std::string_view what = ex.what();
    if (const size_t at = what.find("column "); at != std::string_view::npos) {
      what.remove_prefix(at);
    }
    return Fail("malformed JSON at " + EscapeForMessage(what, 160));
  }

 private:
  bool Enter() {
    if (++depth_ > kMaxJsonDepth) {
      return Fail(fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth));
    }
    return true;
  }
  bool Number(int64_t v) {
    if (depth_ == 1 && column_ == ListColumn::kVerifications) {
      row_.verifications_number = v;
      return true;
    }
    return Scalar(nullptr, "a number");
  }
  // A scalar that no known key accepts: ignored inside unknown keys, an error otherwise.
  bool Scalar(std::nullptr_t, std::string_view kind) {
    if (depth_ == 0) return Fail(fmt::format("expected a JSON object, got {}", kind));
    if (depth_ == 1 && column_) {
      if (kind == "null") return true;  // null means absent
      return Fail(fmt::format("{} must not be {}", ListColumnName(*column_), kind));
    }
    return true;
  }
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  RawRow row_;
  std::array<std::string, kNumListColumns> strings_;  // storage behind row_'s views
  std::array<bool, kNumListColumns> seen_{};
  std::optional<ListColumn> column_;  // the known key whose value comes next, at depth 1
  int depth_ = 0;
  bool seen_object_ = false;
  std::string error_;
};

JsonRowParser::JsonRowParser() : handler_(std::make_unique<Handler>()) {}
JsonRowParser::~JsonRowParser() = default;

Result<RawRow> JsonRowParser::Parse(std::string_view line) {
  handler_->Reset();
  const bool ok = nlohmann::json::sax_parse(line.begin(), line.end(), handler_.get(),
                                            nlohmann::json::input_format_t::json, true);
  if (!ok || !handler_->error().empty()) {
    return InvalidArgumentError(handler_->error().empty() ? "malformed JSON" : handler_->error());
  }
  return handler_->row();
}

Result<NewEntry> ParseThreatExchangeLine(std::string_view line,
                                         std::optional<SignalType> default_type) {
  line = Trim(line);
  RawRow row;
  if (default_type) {
    row[ListColumn::kSignalValue] = line;
    return RawRowToEntry(row, default_type);
  }
  const size_t space = line.find_first_of(" \t");
  if (space == std::string_view::npos) {
    return InvalidArgumentError(
        "expected '<signal_type> <value>' (give a type for a file of bare hashes)");
  }
  row[ListColumn::kSignalType] = line.substr(0, space);
  row[ListColumn::kSignalValue] = Trim(line.substr(space + 1));
  return RawRowToEntry(row, std::nullopt);
}

}  // namespace vigil::bank
