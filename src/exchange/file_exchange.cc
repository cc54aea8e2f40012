// The file/URL exchange: a whole hash list in one of the bank import formats (bank/import.h),
// read from a file or fetched over http(s), is the source's current opinion. Rows are applied in
// pages; rows with retired_at are withdrawals, rows with needs_verification are disputed; once
// every row is in, active entries of the bank that the list no longer holds are withdrawn.
//
// Cursor: "<sha256 of the list>:row:<n>", "<sha256>:gone:<k>" (withdrawing absent entries, k
// done) or "<sha256>:done". A list with another digest starts again at row 0 (re-adding present
// rows changes nothing).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bank/export.h"
#include "bank/import.h"
#include "bank/signal.h"
#include "core/file.h"
#include "exchange/internal/http.h"
#include "exchange/internal/open.h"
#include "hash/digest.h"

namespace vigil::exchange::internal {
namespace {

// A list is held in memory while it is applied: 1 GiB is ten million rows of CSV with room.
constexpr uint64_t kMaxListBytes = 1ull << 30;
constexpr uint64_t kDefaultPageRows = 10000;

struct FileOptions {
  bank::ImportOptions import{};
  uint64_t page_rows = kDefaultPageRows;
  // Where confirmed hashes go, when the partner takes them: an http(s) URL (POSTed as a list) or
  // a directory (one list file per batch, for a partner that collects files). "" cannot share.
  std::string share_to{};
};

Result<FileOptions> ParseFileOptions(const ExchangeConfig& c) {
  const std::string what = fmt::format("exchange {}: options", c.name);
  const auto j = nlohmann::json::parse(c.options, nullptr, false);
  if (!j.is_object()) return InvalidArgumentError(what + " are not a JSON object");
  FileOptions o;
  for (const auto& [key, value] : j.items()) {
    if (key == "format" && value.is_string()) {
      ASSIGN_OR_RETURN(o.import.format, bank::ParseListFormat(value.get<std::string>()));
    } else if (key == "default_type" && value.is_string()) {
      ASSIGN_OR_RETURN(o.import.default_type, bank::ParseSignalType(value.get<std::string>()));
    } else if (key == "page_rows" && value.is_number_unsigned() && value.get<uint64_t>() > 0 &&
               value.get<uint64_t>() <= kMaxUpdatesPerPage) {
      o.page_rows = value.get<uint64_t>();
    } else if (key == "share_to" && value.is_string() && !value.get<std::string>().empty()) {
      o.share_to = value.get<std::string>();
    } else {
      return InvalidArgumentError(fmt::format(
          "{}: unknown or malformed option '{}' (known: format, default_type, page_rows 1-{}, "
          "share_to)",
          what, key, kMaxUpdatesPerPage));
    }
  }
  if (o.share_to.starts_with("http://") || o.share_to.starts_with("https://")) {
    RETURN_IF_ERROR(SplitUrl(o.share_to, what + ".share_to").status());
  }
  return o;
}

// Writes `content` to `path` through a temporary file in the same directory, synced and renamed.
Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return UnavailableError(std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool written = done == content.size() && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = written ? errno : saved;
    ::unlink(tmp.c_str());
    return UnavailableError(std::strerror(err));
  }
  return Status::Ok();
}

struct Cursor {
  std::string digest;
  enum class Phase { kRows, kGone, kDone } phase = Phase::kRows;
  uint64_t n = 0;
};

std::optional<Cursor> ParseCursor(std::string_view s) {
  const size_t a = s.find(':');
  if (a == s.npos) return std::nullopt;
  Cursor c{.digest = std::string(s.substr(0, a))};
  std::string_view rest = s.substr(a + 1);
  if (rest == "done") {
    c.phase = Cursor::Phase::kDone;
    return c;
  }
  if (rest.starts_with("row:")) {
    rest.remove_prefix(4);
  } else if (rest.starts_with("gone:")) {
    c.phase = Cursor::Phase::kGone;
    rest.remove_prefix(5);
  } else {
    return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), c.n);
  if (ec != std::errc() || ptr != rest.data() + rest.size()) return std::nullopt;
  return c;
}

class FileExchange final : public Exchange {
 public:
  FileExchange(ExchangeConfig config, FileOptions options, std::string secret,
               const OpenOptions& open)
      : config_(std::move(config)),
        options_(std::move(options)),
        secret_(std::move(secret)),
        banks_(*open.banks),
        timeout_(open.timeout) {}

  Result<FetchedPage> Fetch(std::string_view cursor_text) override {
    retry_after_.reset();
    if (!list_) RETURN_IF_ERROR(Load());
    Cursor cursor{.digest = digest_};
    if (!cursor_text.empty()) {
      auto parsed = ParseCursor(cursor_text);
      if (parsed && parsed->digest == digest_) cursor = *parsed;
    }
    switch (cursor.phase) {
      case Cursor::Phase::kDone:
        return FetchedPage{.next_cursor = std::string(cursor_text), .done = true};
      case Cursor::Phase::kRows:
        if (cursor.n < list_->entries.size()) return RowsPage(cursor.n);
        return GonePage(0);
      case Cursor::Phase::kGone:
        return GonePage(cursor.n);
    }
    return InternalError("unreachable");
  }

  std::optional<std::chrono::seconds> retry_after() const override { return retry_after_; }

  bool CanShare() const override { return !options_.share_to.empty(); }
  bool CanWithdraw() const override { return CanShare(); }

  // The batch as one list in the exchange's format (bank/export.h), so the partner reads it
  // with the same tools that wrote the list vigil fetches.
  Result<uint64_t> Share(std::span<const SharedHash> hashes) override {
    std::vector<bank::BankEntry> entries;
    for (const SharedHash& h : hashes) {
      entries.push_back({.signal_type = h.type, .value = h.value, .source_ref = h.source_ref});
    }
    return SendList(entries, "shared");
  }

  // A withdrawal is a list of the same hashes as retired rows (retired_at, retired_reason), the
  // form vigil's own file exchange reads as a withdrawal; te format cannot carry one.
  Result<uint64_t> Withdraw(std::span<const WithdrawnHash> hashes) override {
    std::vector<bank::BankEntry> entries;
    for (const WithdrawnHash& w : hashes) {
      entries.push_back({.signal_type = w.hash.type,
                         .value = w.hash.value,
                         .source_ref = w.hash.source_ref,
                         .retired = true,
                         .retired_reason = w.reason,
                         .retired_at = w.at});
    }
    return SendList(entries, "withdrawn");
  }

 private:
  // `entries` as one list POSTed to share_to or dropped in it as "<kind>-<sha256>.<format>".
  Result<uint64_t> SendList(const std::vector<bank::BankEntry>& entries, std::string_view kind) {
    retry_after_.reset();
    if (!CanShare())
      return UnimplementedError(fmt::format("exchange {}: no share_to", config_.name));
    const bank::ListFormat format = options_.import.format;
    std::string list = bank::FormatListHeader(format);
    for (const bank::BankEntry& e : entries) {
      auto line = bank::FormatListEntry(format, e);
      if (!line.ok()) {
        return InvalidArgumentError(fmt::format("exchange {}: {} hash {}: {}; nothing sent",
                                                config_.name, kind, bank::EscapeForMessage(e.value),
                                                line.status().message()));
      }
      list += *line;
    }
    const std::string& to = options_.share_to;
    if (to.starts_with("http://") || to.starts_with("https://")) {
      HttpRequest r{.url = to,
                    .method = "POST",
                    .body = std::move(list),
                    .content_type = ContentType(format),
                    .timeout = timeout_,
                    .max_bytes = 1u << 20,
                    .what = fmt::format("exchange {} share", config_.name)};
      if (!secret_.empty()) r.headers.emplace_back("Authorization", "Bearer " + secret_);
      HttpAnswer a = Send(r);
      retry_after_ = a.retry_after;
      RETURN_IF_ERROR(a.body.status());
      return entries.size();
    }
    RETURN_IF_ERROR(WriteShareFile(list, format, kind));
    return entries.size();
  }

  static std::string ContentType(bank::ListFormat format) {
    switch (format) {
      case bank::ListFormat::kCsv:
        return "text/csv";
      case bank::ListFormat::kJsonLines:
        return "application/x-ndjson";
      default:
        return "text/plain";
    }
  }

  // <kind>-<sha256 of the list>.<format> in the share_to directory, written to a temporary name
  // and renamed, so the partner never picks up half a file and a retried batch replaces itself.
  Status WriteShareFile(const std::string& list, bank::ListFormat format, std::string_view kind) {
    const auto* p = reinterpret_cast<const uint8_t*>(list.data());
    const std::string digest = hash::DigestToHex(hash::Sha256({p, list.size()}));
    const std::filesystem::path dir =
        options_.share_to.starts_with("file:") ? options_.share_to.substr(5) : options_.share_to;
    const std::filesystem::path path =
        dir / fmt::format("{}-{}.{}", kind, digest, bank::ListFormatName(format));
    Status s = WriteFileAtomically(path.string(), list);
    if (!s.ok()) {
      return UnavailableError(
          fmt::format("exchange {}: writing {}: {}", config_.name, path.string(), s.message()));
    }
    return Status::Ok();
  }

  Result<std::string> ReadContent() {
    const std::string& e = config_.endpoint;
    if (e.starts_with("http://") || e.starts_with("https://")) {
      HttpRequest r{.url = e,
                    .timeout = timeout_,
                    .max_bytes = kMaxListBytes,
                    .what = fmt::format("exchange {} list", config_.name)};
      if (!secret_.empty()) r.headers.emplace_back("Authorization", "Bearer " + secret_);
      HttpAnswer a = Send(r);
      retry_after_ = a.retry_after;
      return std::move(a.body);
    }
    const std::string path = e.starts_with("file:") ? e.substr(5) : e;
    ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, kMaxListBytes));
    return std::string(bytes.begin(), bytes.end());
  }

  Status Load() {
    ASSIGN_OR_RETURN(std::string content, ReadContent());
    const auto* p = reinterpret_cast<const uint8_t*>(content.data());
    digest_ = hash::DigestToHex(hash::Sha256({p, content.size()}));
    std::istringstream in(std::move(content));
    auto parsed = bank::ParseList(in, options_.import);
    if (!parsed.ok()) {
      return parsed.status().WithContext(fmt::format("exchange {} list", config_.name));
    }
    if (parsed->invalid_rows > 0) {
      const bank::ImportIssue& first = parsed->invalid.front();
      return InvalidArgumentError(
          fmt::format("exchange {} list: {} invalid rows, nothing applied (first: line {}: {})",
                      config_.name, parsed->invalid_rows, first.line, first.message));
    }
    list_ = *std::move(parsed);
    return Status::Ok();
  }

  FetchedPage RowsPage(uint64_t from) {
    FetchedPage page;
    const uint64_t end = std::min<uint64_t>(list_->entries.size(), from + options_.page_rows);
    for (uint64_t i = from; i < end; ++i) {
      bank::NewEntry e = list_->entries.Get(i);
      HashUpdate u{.type = e.signal_type, .value = std::move(e.value), .source_ref = e.source_ref};
      if (e.retired_at) {
        u.opinion = Opinion::kWithdrawn;
        u.reason = e.retired_reason;
      } else if (e.needs_verification) {
        u.opinion = Opinion::kDisputed;
      }
      page.updates.push_back(std::move(u));
    }
    page.next_cursor = fmt::format("{}:row:{}", digest_, end);
    page.done = false;
    return page;
  }

  // Active entries of the bank the list does not hold, withdrawn a page at a time. Entries
  // withdrawn by earlier pages are retired by now, so each page lists the next ones.
  Result<FetchedPage> GonePage(uint64_t done_so_far) {
    std::set<std::pair<bank::SignalType, std::string>> listed;
    for (size_t i = 0; i < list_->entries.size(); ++i) {
      const auto bytes = list_->entries.value_bytes(i);
      listed.emplace(list_->entries.signal_type(i),
                     std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
    FetchedPage page;
    Status s = banks_.ForEachEntry(config_.bank_id, {}, [&](const bank::BankEntry& e) -> Status {
      if (page.updates.size() >= options_.page_rows) return Status::Ok();
      ASSIGN_OR_RETURN(std::string raw, bank::SignalValueToBytes(e.signal_type, e.value));
      if (listed.contains({e.signal_type, raw})) return Status::Ok();
      page.updates.push_back(HashUpdate{.type = e.signal_type,
                                        .value = e.value,
                                        .opinion = Opinion::kWithdrawn,
                                        .source_ref = e.source_ref,
                                        .reason = "no longer in the list"});
      return Status::Ok();
    });
    RETURN_IF_ERROR(s);
    const bool last = page.updates.size() < options_.page_rows;
    page.done = last;
    page.next_cursor = last ? fmt::format("{}:done", digest_)
                            : fmt::format("{}:gone:{}", digest_, done_so_far + page.updates.size());
    return page;
  }

  const ExchangeConfig config_;
  const FileOptions options_;
  const std::string secret_;
  bank::BankStore& banks_;
  const std::chrono::seconds timeout_;
  std::optional<bank::ParsedList> list_;  // loaded on the first Fetch, kept for the sync
  std::string digest_;
  std::optional<std::chrono::seconds> retry_after_;
};

}  // namespace

Result<std::unique_ptr<Exchange>> OpenFileExchange(const ExchangeConfig& config, std::string secret,
                                                   const OpenOptions& options) {
  ASSIGN_OR_RETURN(FileOptions o, ParseFileOptions(config));
  if (options.banks == nullptr) {
    return InvalidArgumentError(fmt::format("exchange {}: no bank store given", config.name));
  }
  return std::unique_ptr<Exchange>(
      std::make_unique<FileExchange>(config, std::move(o), std::move(secret), options));
}

}  // namespace vigil::exchange::internal
