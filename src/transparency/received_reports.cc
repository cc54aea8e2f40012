#include "transparency/received_reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "bank/csv.h"
#include "bank/line_reader.h"
#include "core/file.h"
#include "core/text.h"
#include "transparency/json_input.h"

namespace vigil::transparency {
namespace {

constexpr const char* kRequired[] = {"report_id", "source", "source_kind", "received"};
constexpr const char* kOptional[] = {"original_id",
                                     "provider_type",
                                     "children_female",
                                     "children_male",
                                     "children_gender_unspecified",
                                     "perpetrators_convicted"};

bool Known(std::string_view column) {
  auto in = [&](const auto& list) {
    return std::find(std::begin(list), std::end(list), column) != std::end(list);
  };
  return in(kRequired) || in(kOptional);
}

bool IsValidDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  int y = 0, m = 0, day = 0;
  auto num = [&](size_t at, size_t n, int& out) {
    return std::from_chars(d.data() + at, d.data() + at + n, out).ptr == d.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, day)) return false;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(day)};
  return ymd.ok();
}

// Sets one field of `r` from text; `where` is "FILE: line N".
Status SetField(ReceivedReport& r, std::string_view column, std::string_view value,
                const std::string& where) {
  if (value == "not available" || value == "n/a") value = "";
  if (!IsValidUtf8(value) || value.size() > 1024 ||
      std::any_of(value.begin(), value.end(), [](char c) { return c >= 0 && c < 0x20; })) {
    return InvalidArgumentError(
        fmt::format("{}: {} is not a clean UTF-8 text of at most 1024 bytes", where, column));
  }
  std::optional<int64_t>* count = column == "children_female" ? &r.children_female
                                  : column == "children_male" ? &r.children_male
                                  : column == "children_gender_unspecified"
                                      ? &r.children_gender_unspecified
                                  : column == "perpetrators_convicted" ? &r.perpetrators_convicted
                                                                       : nullptr;
  if (count != nullptr) {
    if (value.empty()) return Status::Ok();
    int64_t v = -1;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size() || v < 0) {
      return InvalidArgumentError(fmt::format(
          "{}: {} must be a whole number of at least 0 (or empty: not available), not \"{}\"",
          where, column, value));
    }
    *count = v;
    return Status::Ok();
  }
  std::string* text = column == "report_id"       ? &r.report_id
                      : column == "original_id"   ? &r.original_id
                      : column == "source"        ? &r.source
                      : column == "source_kind"   ? &r.source_kind
                      : column == "provider_type" ? &r.provider_type
                                                  : &r.received;
  *text = std::string(value);
  return Status::Ok();
}

Status Finish(ReceivedReport& r, const std::string& where) {
  for (auto [name, v] : {std::pair{"report_id", &r.report_id},
                         {"source", &r.source},
                         {"source_kind", &r.source_kind},
                         {"received", &r.received}}) {
    if (v->empty()) return InvalidArgumentError(fmt::format("{}: {} is missing", where, name));
  }
  if (std::find_if(std::begin(kSourceKinds), std::end(kSourceKinds),
                   [&](const char* k) { return r.source_kind == k; }) == std::end(kSourceKinds)) {
    return InvalidArgumentError(fmt::format(
        "{}: source_kind \"{}\" is not provider, hotline or ncmec", where, r.source_kind));
  }
  if (!IsValidDate(r.received)) {
    return InvalidArgumentError(
        fmt::format("{}: received \"{}\" is not a date (YYYY-MM-DD)", where, r.received));
  }
  if (r.original_id.empty()) r.original_id = r.report_id;
  return Status::Ok();
}

Status TooLong(const std::string& path, uint64_t line, size_t limit) {
  return ResourceExhaustedError(
      fmt::format("{}: line {}: longer than the limit of {} bytes", path, line, limit));
}

Result<std::vector<ReceivedReport>> ReadCsv(std::istream& in, const std::string& path,
                                            const ImportLimits& limits) {
  bank::LineReader lines(in, limits.max_line_bytes);
  bank::CsvRecordReader records(lines, limits.max_line_bytes);
  bank::CsvSplitter splitter;
  std::vector<std::string> header;
  std::vector<ReceivedReport> out;
  while (auto rec = records.Next()) {
    const std::string where = fmt::format("{}: line {}", path, rec->line);
    if (rec->too_long) return TooLong(path, rec->line, limits.max_line_bytes);
    if (rec->unterminated) return InvalidArgumentError(where + ": unterminated quoted field");
    if (rec->text.empty()) continue;
    auto fields = splitter.Split(rec->text);
    if (!fields.ok()) return fields.status().WithContext(where);
    if (header.empty()) {
      for (std::string_view f : *fields) {
        if (!Known(f))
          return InvalidArgumentError(fmt::format("{}: unknown column \"{}\"", where, f));
        header.emplace_back(f);
      }
      for (const char* c : kRequired) {
        if (std::find(header.begin(), header.end(), c) == header.end()) {
          return InvalidArgumentError(fmt::format("{}: missing column \"{}\"", where, c));
        }
      }
      continue;
    }
    if (fields->size() != header.size()) {
      return InvalidArgumentError(
          fmt::format("{}: {} fields, the header has {}", where, fields->size(), header.size()));
    }
    ReceivedReport r{.file = path, .line = rec->line};
    for (size_t i = 0; i < header.size(); ++i) {
      RETURN_IF_ERROR(SetField(r, header[i], (*fields)[i], where));
    }
    RETURN_IF_ERROR(Finish(r, where));
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(lines.status());
  if (header.empty()) return InvalidArgumentError(path + ": empty: expected a header row");
  return out;
}

Result<ReceivedReport> FromJson(const nlohmann::json& j, const std::string& path, uint64_t line) {
  const std::string where = fmt::format("{}: line {}", path, line);
  RETURN_IF_ERROR(internal::RequireObject(j, where));
  ReceivedReport r{.file = path, .line = line};
  for (const auto& [key, value] : j.items()) {
    if (!Known(key))
      return InvalidArgumentError(fmt::format("{}: unknown field \"{}\"", where, key));
    if (value.is_null()) continue;
    if (value.is_string()) {
      RETURN_IF_ERROR(SetField(r, key, value.get<std::string>(), where));
    } else if (value.is_number_integer() && key.find("_id") == std::string::npos) {
      RETURN_IF_ERROR(SetField(r, key, value.dump(), where));
    } else {
      return InvalidArgumentError(
          fmt::format("{}: field \"{}\" must be a string or a whole number, not {}", where, key,
                      value.type_name()));
    }
  }
  RETURN_IF_ERROR(Finish(r, where));
  return r;
}

Result<std::vector<ReceivedReport>> ReadJsonLines(std::istream& in, const std::string& path,
                                                  const ImportLimits& limits) {
  bank::LineReader lines(in, limits.max_line_bytes);
  std::vector<ReceivedReport> out;
  while (auto line = lines.Next()) {
    if (line->too_long) return TooLong(path, line->number, limits.max_line_bytes);
    if (line->text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ASSIGN_OR_RETURN(nlohmann::json j,
                     internal::ParseJson(line->text, path, static_cast<int64_t>(line->number)));
    ASSIGN_OR_RETURN(ReceivedReport r, FromJson(j, path, line->number));
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(lines.status());
  return out;
}

// The line on which each element of the top-level array in `text` starts.
std::vector<int64_t> ElementLines(std::string_view text) {
  std::vector<int64_t> lines;
  int depth = 0;
  int64_t line = 1;
  bool in_string = false, expect_element = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (depth == 1 && expect_element && c != ' ' && c != '\t' && c != '\r' && c != '\n' &&
        c != ']') {
      lines.push_back(line);
      expect_element = false;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') {
      if (++depth == 1) expect_element = true;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_element = true;
    }
  }
  return lines;
}

Result<std::vector<ReceivedReport>> ReadJsonArray(const std::string& path,
                                                  const ImportLimits& limits) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, limits.max_json_array_bytes));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  ASSIGN_OR_RETURN(nlohmann::json root, internal::ParseJson(text, path));
  RETURN_IF_ERROR(internal::RequireArray(root, path));
  const std::vector<int64_t> lines = ElementLines(text);
  std::vector<ReceivedReport> out;
  for (size_t i = 0; i < root.size(); ++i) {
    ASSIGN_OR_RETURN(ReceivedReport r, FromJson(root[i], path, i < lines.size() ? lines[i] : 0));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<std::vector<ReceivedReport>> ImportReceivedReports(const std::string& path,
                                                          const ImportLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError(path + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) {
    return InvalidArgumentError(path + ": not a regular file");
  }
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return UnavailableError(fmt::format("{}: {}", path, ec.message()));
  if (size > limits.max_file_bytes) {
    return ResourceExhaustedError(fmt::format("{}: {} bytes is over the limit of {} bytes", path,
                                              size, limits.max_file_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError(path + ": cannot be opened");
  char first = 0;
  while (in.get(first) && (first == ' ' || first == '\n' || first == '\r' || first == '\t')) {
  }
  in.clear();
  in.seekg(0);
  if (first == '[') return ReadJsonArray(path, limits);
  if (first == '{') return ReadJsonLines(in, path, limits);
  return ReadCsv(in, path, limits);
}

}  // namespace vigil::transparency
