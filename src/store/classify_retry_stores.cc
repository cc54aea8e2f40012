// Kept items of failed classifications on SQLite and PostgreSQL (classify_retry_stores.h).
#include "store/classify_retry_stores.h"

#include <fmt/format.h>

#include <charconv>

namespace vigil::store {
namespace {

using privacy_sql::SqlArg;
using privacy_sql::SqlRow;
using privacy_sql::SqlSession;

constexpr char kHex[] = "0123456789abcdef";

std::string ToHex(std::span<const uint8_t> bytes) {
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

Result<std::vector<uint8_t>> FromHex(std::string_view hex, std::string_view key) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) {
    return DataLossError(fmt::format("classify_retries {}: content is not hex", key));
  }
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return DataLossError(fmt::format("classify_retries {}: content is not hex", key));
    }
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return out;
}

int64_t Seconds(TimePoint t) { return t.time_since_epoch().count(); }

Result<int64_t> Int(const std::optional<std::string>& v, std::string_view what) {
  int64_t n = 0;
  if (!v || std::from_chars(v->data(), v->data() + v->size(), n).ec != std::errc()) {
    return DataLossError(fmt::format("classify_retries: bad {}", what));
  }
  return n;
}

Result<classify::RetryItem> ItemOf(classify::RetryKind kind, const SqlRow& r) {
  classify::RetryItem item;
  item.kind = kind;
  item.key = r[0].value_or("");
  item.source = r[1].value_or("");
  item.account_id = r[2].value_or("");
  item.surface = r[8].value_or("");
  item.region = r[9].value_or("");
  item.sealed_account_id = r[10];
  ASSIGN_OR_RETURN(item.bytes, FromHex(r[3].value_or(""), item.key));
  item.error = r[4].value_or("");
  ASSIGN_OR_RETURN(item.attempts, Int(r[5], "attempts"));
  ASSIGN_OR_RETURN(int64_t first, Int(r[6], "created_at"));
  ASSIGN_OR_RETURN(int64_t last, Int(r[7], "last_failed_at"));
  item.first_failed_at = TimePoint(std::chrono::seconds(first));
  item.last_failed_at = TimePoint(std::chrono::seconds(last));
  return item;
}

}  // namespace

Result<int64_t> SqlRetryStore::Keep(const classify::RetryItem& item) {
  if (item.key.empty()) return InvalidArgumentError("a kept item needs a key");
  const std::string kind(classify::RetryKindName(item.kind));
  int64_t attempts = 0;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    // purposes and expires_at are stamped by the table's trigger from the retention policy.
    ASSIGN_OR_RETURN(int64_t raised,
                     s.Exec("UPDATE classify_retries SET error = $1, attempts = attempts + 1, "
                            "last_failed_at = $2 WHERE kind = $3 AND item_key = $4",
                            {item.error, Seconds(item.last_failed_at), kind, item.key}));
    if (raised == 0) {
      ASSIGN_OR_RETURN(
          int64_t added,
          s.Exec("INSERT INTO classify_retries (kind, item_key, source, account_id, content, "
                 "bytes, error, attempts, created_at, last_failed_at, surface, region, "
                 "sealed_account_id) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12)",
                 {kind, item.key, item.source, item.account_id, ToHex(item.bytes),
                  static_cast<int64_t>(item.bytes.size()), item.error, Seconds(item.last_failed_at),
                  Seconds(item.last_failed_at), item.surface, item.region,
                  item.sealed_account_id ? SqlArg(*item.sealed_account_id) : SqlArg()}));
      if (added != 1) return InternalError("classify_retries: the item was not kept");
    }
    ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                     s.Query("SELECT attempts FROM classify_retries WHERE kind = $1 AND "
                             "item_key = $2",
                             {kind, item.key}));
    if (rows.size() != 1) return InternalError("classify_retries: the kept item is missing");
    ASSIGN_OR_RETURN(attempts, Int(rows[0][0], "attempts"));
    return Status::Ok();
  }));
  return attempts;
}

Result<std::vector<classify::RetryItem>> SqlRetryStore::Pending(classify::RetryKind kind,
                                                                size_t limit) {
  std::vector<classify::RetryItem> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        s.Query("SELECT item_key, source, account_id, content, error, attempts, created_at, "
                "last_failed_at, surface, region, sealed_account_id FROM classify_retries "
                "WHERE kind = $1 "
                "ORDER BY created_at, item_key LIMIT $2",
                {std::string(classify::RetryKindName(kind)),
                 static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX))}));
    for (const SqlRow& r : rows) {
      ASSIGN_OR_RETURN(classify::RetryItem item, ItemOf(kind, r));
      out.push_back(std::move(item));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqlRetryStore::Done(classify::RetryKind kind, const std::string& key) {
  return transact_([&](SqlSession& s) -> Status {
    return s
        .Exec("DELETE FROM classify_retries WHERE kind = $1 AND item_key = $2",
              {std::string(classify::RetryKindName(kind)), key})
        .status();
  });
}

}  // namespace vigil::store
