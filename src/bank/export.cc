#include "bank/export.h"

#include <fmt/format.h>

#include "bank/csv.h"

namespace vigil::bank {
namespace {

// JSON string literal of UTF-8 text (stores accept only valid UTF-8).
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string FormatCsv(const BankEntry& e) {
  return fmt::format("{},{},{},{},{},{},{},{}\n", SignalTypeName(e.signal_type), CsvQuote(e.value),
                     FormatUtc(e.added_at), CsvQuote(e.source_ref), e.verifications,
                     e.needs_verification ? "true" : "false",
                     e.retired ? FormatUtc(e.retired_at) : "", CsvQuote(e.retired_reason));
}

std::string FormatJson(const BankEntry& e) {
  std::string out = fmt::format(R"({{"signal_type":"{}","signal_value":"{}","added_at":"{}",)",
                                SignalTypeName(e.signal_type), e.value, FormatUtc(e.added_at));
  out += R"("source_ref":)";
  AppendJsonString(out, e.source_ref);
  out += fmt::format(R"(,"verifications":{},"needs_verification":{})", e.verifications,
                     e.needs_verification ? "true" : "false");
  if (e.retired) {
    out += fmt::format(R"(,"retired_at":"{}","retired_reason":)", FormatUtc(e.retired_at));
    AppendJsonString(out, e.retired_reason);
  }
  out += "}\n";
  return out;
}

}  // namespace

std::string FormatListHeader(ListFormat format) {
  if (format != ListFormat::kCsv) return "";
  return "signal_type,signal_value,added_at,source_ref,verifications,needs_verification,"
         "retired_at,retired_reason\n";
}

Result<std::string> FormatListEntry(ListFormat format, const BankEntry& entry) {
  switch (format) {
    case ListFormat::kCsv:
      return FormatCsv(entry);
    case ListFormat::kJsonLines:
      return FormatJson(entry);
    case ListFormat::kThreatExchange:
      if (entry.retired) {
        return InvalidArgumentError(
            fmt::format("entry {} is retired and te format cannot mark retired entries", entry.id));
      }
      return fmt::format("{} {}\n", ThreatExchangeName(entry.signal_type), entry.value);
  }
  return InternalError("unknown list format");
}

ListWriter::ListWriter(std::ostream& out, ListFormat format) : out_(out), format_(format) {
  out_ << FormatListHeader(format_);
}

Status ListWriter::Write(const BankEntry& entry) {
  ASSIGN_OR_RETURN(std::string line, FormatListEntry(format_, entry));
  out_ << line;
  if (!out_) return UnavailableError("write error");
  ++written_;
  return Status::Ok();
}

Status ListWriter::Finish() {
  out_.flush();
  if (!out_) return UnavailableError("write error");
  return Status::Ok();
}

Result<uint64_t> ExportBank(BankStore& store, BankId bank, const ExportOptions& options,
                            std::ostream& out) {
  if (options.format == ListFormat::kThreatExchange && options.include_retired) {
    return InvalidArgumentError(
        "te format cannot mark retired entries; export them as csv or jsonl");
  }
  ListWriter writer(out, options.format);
  RETURN_IF_ERROR(store.ForEachEntry(bank, EntryFilter{.include_retired = options.include_retired},
                                     [&](const BankEntry& e) { return writer.Write(e); }));
  RETURN_IF_ERROR(writer.Finish());
  return writer.written();
}

}  // namespace vigil::bank
