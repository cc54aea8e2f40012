#include "store/share_queue_store.h"

#include <fmt/format.h>

#include <charconv>

#include "bank/signal.h"

namespace vigil::store {
namespace {

using exchange::QueuedShare;
using exchange::ShareState;

constexpr char kColumns[] =
    "id, exchange_id, request_id, signal_type, value, source_ref, state, attempts, "
    "next_attempt_at, last_error, created_at, shared_at, remote_id, withdrawn_at";

int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Result<int64_t> IntOf(const std::optional<std::string>& v, std::string_view what) {
  int64_t out = 0;
  if (!v || std::from_chars(v->data(), v->data() + v->size(), out).ec != std::errc()) {
    return DataLossError(fmt::format("exchange_shares: malformed {}", what));
  }
  return out;
}

TimePoint TimeOf(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

Result<QueuedShare> RowToShare(const SqlRow& r) {
  QueuedShare q;
  ASSIGN_OR_RETURN(q.id, IntOf(r[0], "id"));
  ASSIGN_OR_RETURN(q.exchange_id, IntOf(r[1], "exchange_id"));
  ASSIGN_OR_RETURN(q.request_id, IntOf(r[2], "request_id"));
  ASSIGN_OR_RETURN(q.hash.type, bank::ParseSignalType(r[3].value_or("")));
  q.hash.value = r[4].value_or("");
  q.hash.source_ref = r[5].value_or("");
  ASSIGN_OR_RETURN(q.state, exchange::ParseShareState(r[6].value_or("")));
  ASSIGN_OR_RETURN(int64_t attempts, IntOf(r[7], "attempts"));
  q.attempts = static_cast<int>(attempts);
  ASSIGN_OR_RETURN(int64_t next, IntOf(r[8], "next_attempt_at"));
  q.next_attempt_at = TimeOf(next);
  q.last_error = r[9].value_or("");
  ASSIGN_OR_RETURN(int64_t created, IntOf(r[10], "created_at"));
  q.created_at = TimeOf(created);
  if (r[11]) {
    ASSIGN_OR_RETURN(int64_t shared, IntOf(r[11], "shared_at"));
    q.shared_at = TimeOf(shared);
  }
  q.remote_id = r[12].value_or("");
  if (r[13]) {
    ASSIGN_OR_RETURN(int64_t withdrawn, IntOf(r[13], "withdrawn_at"));
    q.withdrawn_at = TimeOf(withdrawn);
  }
  return q;
}

}  // namespace

Result<int64_t> SqlShareQueue::LastRequest() {
  int64_t out = 0;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(
        auto rows, s.Query("SELECT last_request_id FROM exchange_share_progress WHERE id = 1", {}));
    if (rows.empty()) return Status::Ok();  // nothing copied yet
    ASSIGN_OR_RETURN(out, IntOf(rows[0][0], "last_request_id"));
    return Status::Ok();
  }));
  return out;
}

Result<bool> SqlShareQueue::Enqueue(int64_t expected_last, int64_t request_id,
                                    std::span<const exchange::SharedHash> hashes, TimePoint now) {
  bool moved = false;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    // The mark first: when another outbox moved it, nothing else is written.
    // The first copy creates the row; request ids start at 1, so 0 only ever means "no row".
    ASSIGN_OR_RETURN(
        int64_t n,
        expected_last == 0
            ? s.Exec("INSERT INTO exchange_share_progress (id, last_request_id) VALUES (1, ?) "
                     "ON CONFLICT (id) DO NOTHING",
                     {request_id})
            : s.Exec("UPDATE exchange_share_progress SET last_request_id = ? WHERE id = 1 AND "
                     "last_request_id = ?",
                     {request_id, expected_last}));
    if (n == 0) return Status::Ok();
    moved = true;
    for (const exchange::SharedHash& h : hashes) {
      RETURN_IF_ERROR(s.Exec("INSERT INTO exchange_share_claims (request_id, signal_type, value) "
                             "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             {request_id, std::string(bank::SignalTypeName(h.type)), h.value})
                          .status());
      RETURN_IF_ERROR(
          s.Exec("INSERT INTO exchange_shares (exchange_id, request_id, signal_type, value, "
                 "source_ref, state, attempts, next_attempt_at, last_error, created_at) "
                 "SELECT id, ?, ?, ?, ?, 'pending', 0, ?, '', ? FROM exchanges WHERE share "
                 // Confirmed again after it was withdrawn: queued (or kept at the partner) again.
                 "ON CONFLICT (exchange_id, signal_type, value) DO UPDATE SET state = CASE WHEN "
                 "exchange_shares.state IN ('withdrawing', 'withdraw_refused') THEN 'shared' "
                 "ELSE 'pending' END, request_id = excluded.request_id, attempts = 0, "
                 "next_attempt_at = excluded.next_attempt_at, last_error = '', withdrawn_at = NULL "
                 "WHERE "
                 "exchange_shares.state IN ('cancelled', 'withdrawn', 'withdrawing', "
                 "'withdraw_refused')",
                 {request_id, std::string(bank::SignalTypeName(h.type)), h.value, h.source_ref,
                  Seconds(now), Seconds(now)})
              .status());
    }
    return Status::Ok();
  }));
  return moved;
}

Result<std::vector<QueuedShare>> SqlShareQueue::DueIn(std::string_view state,
                                                      exchange::ExchangeId id, TimePoint now,
                                                      size_t limit) {
  std::vector<QueuedShare> out;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(auto rows,
                     s.Query(fmt::format("SELECT {} FROM exchange_shares WHERE "
                                         "exchange_id = ? AND state = ? AND "
                                         "next_attempt_at <= ? ORDER BY "
                                         "next_attempt_at, id LIMIT ?",
                                         kColumns),
                             {id, std::string(state), Seconds(now), static_cast<int64_t>(limit)}));
    for (const SqlRow& r : rows) {
      ASSIGN_OR_RETURN(QueuedShare q, RowToShare(r));
      out.push_back(std::move(q));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<QueuedShare>> SqlShareQueue::Due(exchange::ExchangeId id, TimePoint now,
                                                    size_t limit) {
  return DueIn("pending", id, now, limit);
}

Result<std::vector<QueuedShare>> SqlShareQueue::DueWithdrawals(exchange::ExchangeId id,
                                                               TimePoint now, size_t limit) {
  return DueIn("withdrawing", id, now, limit);
}

Result<bool> SqlShareQueue::Settle(const QueuedShare& q, TimePoint now) {
  const bool sharing = q.state == ShareState::kPending || q.state == ShareState::kShared ||
                       q.state == ShareState::kRefused;
  bool settled = false;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    const SqlValue shared_at = q.shared_at ? SqlValue(Seconds(*q.shared_at)) : SqlValue();
    const SqlValue withdrawn_at = q.withdrawn_at ? SqlValue(Seconds(*q.withdrawn_at)) : SqlValue();
    ASSIGN_OR_RETURN(
        int64_t n,
        s.Exec(
            "UPDATE exchange_shares SET state = ?, attempts = ?, next_attempt_at = ?, "
            "last_error = ?, shared_at = COALESCE(?, shared_at), remote_id = CASE WHEN ? = 1 "
            "THEN ? ELSE remote_id END, withdrawn_at = COALESCE(?, withdrawn_at) WHERE id = ? AND "
            "state = ?",
            {std::string(exchange::ShareStateName(q.state)), static_cast<int64_t>(q.attempts),
             Seconds(q.next_attempt_at), q.last_error, shared_at,
             static_cast<int64_t>(q.state == ShareState::kShared), q.remote_id, withdrawn_at, q.id,
             std::string(sharing ? "pending" : "withdrawing")}));
    if (n == 0 && q.state == ShareState::kShared) {
      // Accepted while a reversal cancelled it: the partner has it, so it must be withdrawn.
      ASSIGN_OR_RETURN(n, s.Exec("UPDATE exchange_shares SET state = 'withdrawing', attempts = "
                                 "0, next_attempt_at = ?, last_error = '', shared_at = ?, "
                                 "remote_id = ?, withdrawn_at = ? WHERE id = ? AND state = "
                                 "'cancelled'",
                                 {Seconds(now), shared_at, q.remote_id, Seconds(now), q.id}));
    }
    if (n == 0) {
      ASSIGN_OR_RETURN(auto rows, s.Query("SELECT 1 FROM exchange_shares WHERE id = ?", {q.id}));
      if (rows.empty()) return NotFoundError(fmt::format("no queued share {}", q.id));
      return Status::Ok();
    }
    settled = true;
    if (q.state != ShareState::kShared) return Status::Ok();
    // Art 7: counted with the row, so the annual report's list never misses or doubles one.
    return s
        .Exec(
            "INSERT INTO exchange_contacts (day, organisation, kind, direction, hashes) "
            "SELECT ?, organisation, organisation_kind, 'shared', 1 FROM exchanges WHERE id = "
            "(SELECT exchange_id FROM exchange_shares WHERE id = ?) ON CONFLICT (day, "
            "organisation, kind, direction) DO UPDATE SET hashes = exchange_contacts.hashes + "
            "excluded.hashes",
            {exchange::DayOf(now), q.id})
        .status();
  }));
  return settled;
}

Result<int64_t> SqlShareQueue::LastWithdrawal() {
  int64_t out = 0;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(auto rows, s.Query("SELECT last_withdrawal_id FROM exchange_share_progress "
                                        "WHERE id = 1",
                                        {}));
    if (rows.empty()) return Status::Ok();  // nothing copied yet
    ASSIGN_OR_RETURN(out, IntOf(rows[0][0], "last_withdrawal_id"));
    return Status::Ok();
  }));
  return out;
}

Result<bool> SqlShareQueue::Withdraw(int64_t expected_last, int64_t withdrawal_id,
                                     int64_t share_request_id, TimePoint now) {
  bool moved = false;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    // The mark first: when another outbox moved it, nothing else is written. The row exists:
    // the share request was copied before (the outbox checks).
    ASSIGN_OR_RETURN(int64_t n, s.Exec("UPDATE exchange_share_progress SET last_withdrawal_id = "
                                       "? WHERE id = 1 AND last_withdrawal_id = ?",
                                       {withdrawal_id, expected_last}));
    if (n == 0) return Status::Ok();
    moved = true;
    RETURN_IF_ERROR(s.Exec("UPDATE exchange_share_claims SET withdrawn = 1 WHERE request_id = ?",
                           {share_request_id})
                        .status());
    // Art 7: a hash another confirmed, unreversed case also carries stays with the partners;
    // its rows move to the lowest such request, whose withdrawal will withdraw them.
    RETURN_IF_ERROR(
        s.Exec("UPDATE exchange_shares SET request_id = (SELECT MIN(c.request_id) FROM "
               "exchange_share_claims c WHERE c.signal_type = exchange_shares.signal_type AND "
               "c.value = exchange_shares.value AND c.withdrawn = 0) WHERE request_id = ? AND "
               "state IN ('pending', 'shared') AND EXISTS (SELECT 1 FROM exchange_share_claims c "
               "WHERE c.signal_type = exchange_shares.signal_type AND c.value = "
               "exchange_shares.value AND c.withdrawn = 0)",
               {share_request_id})
            .status());
    RETURN_IF_ERROR(s.Exec("UPDATE exchange_shares SET state = 'cancelled', withdrawn_at = ? "
                           "WHERE request_id = ? AND state = 'pending'",
                           {Seconds(now), share_request_id})
                        .status());
    return s
        .Exec(
            "UPDATE exchange_shares SET state = 'withdrawing', attempts = 0, next_attempt_at = "
            "?, last_error = '', withdrawn_at = ? WHERE request_id = ? AND state = 'shared'",
            {Seconds(now), Seconds(now), share_request_id})
        .status();
  }));
  return moved;
}

Result<exchange::ShareCounts> SqlShareQueue::Counts(exchange::ExchangeId id) {
  exchange::ShareCounts c;
  RETURN_IF_ERROR(transact_([&](SqlSession& s) -> Status {
    ASSIGN_OR_RETURN(auto rows, s.Query("SELECT state, COUNT(*), MIN(created_at) FROM "
                                        "exchange_shares WHERE exchange_id = ? GROUP BY state",
                                        {id}));
    for (const SqlRow& r : rows) {
      ASSIGN_OR_RETURN(ShareState state, exchange::ParseShareState(r[0].value_or("")));
      ASSIGN_OR_RETURN(int64_t n, IntOf(r[1], "count"));
      const auto count = static_cast<uint64_t>(n);
      switch (state) {
        case ShareState::kPending: {
          c.pending = count;
          ASSIGN_OR_RETURN(int64_t oldest, IntOf(r[2], "created_at"));
          c.oldest_pending = TimeOf(oldest);
          break;
        }
        case ShareState::kShared:
          c.shared = count;
          break;
        case ShareState::kRefused:
          c.refused = count;
          break;
        case ShareState::kCancelled:
          c.cancelled = count;
          break;
        case ShareState::kWithdrawing:
          c.withdrawing = count;
          break;
        case ShareState::kWithdrawn:
          c.withdrawn = count;
          break;
        case ShareState::kWithdrawRefused:
          c.withdraw_refused = count;
          break;
      }
    }
    ASSIGN_OR_RETURN(auto last,
                     s.Query("SELECT last_error FROM exchange_shares WHERE "
                             "exchange_id = ? AND state IN ('pending', 'withdrawing') AND "
                             "attempts > 0 "
                             "ORDER BY next_attempt_at DESC, id DESC LIMIT 1",
                             {id}));
    if (!last.empty()) c.last_error = last[0][0].value_or("");
    return Status::Ok();
  }));
  return c;
}

}  // namespace vigil::store
