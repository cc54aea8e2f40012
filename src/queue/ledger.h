// JobLedger: which items the scale-out workers have processed, so that a job delivered twice
// (a worker died after its commit but before its ack, or the ack was lost) is not processed
// twice: no second case, flag, counter or report.
//
// A row is keyed by the item and the technology version that processed it: a later version of
// the detection technologies may legitimately scan the same item again. RunOnce writes the row
// in the SAME transaction as everything `work` writes through the same database (cases, flags,
// volume counters, report requests), so either both are committed or neither is; a concurrent
// RunOnce of the same key waits for the first to finish and then finds the row.
//
// Data minimisation (Art 3(1)(h) of Regulation (EU) 2021/1232): the row holds a SHA-256 of the
// item id, never the id itself, and rows are kept only while a job can still be redelivered
// (PurgeBefore, called by the workers); the case of a flagged item keeps what review needs.
//
// Thread safety: implementations are safe from several threads and processes.
#ifndef VIGIL_QUEUE_LEDGER_H_
#define VIGIL_QUEUE_LEDGER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::queue {

struct LedgerKey {
  std::string item_key;            // lowercase hex SHA-256 of the item id (ItemKeyOf)
  std::string technology_version;  // e.g. "pdq@1+md5@1+sha256@1"
  auto operator<=>(const LedgerKey&) const = default;
};

// What processing an item produced.
struct LedgerOutcome {
  bool flagged = false;
  std::optional<int64_t> case_id;  // the case the item was filed into
  bool operator==(const LedgerOutcome&) const = default;
};

struct LedgerRecord {
  LedgerKey key;
  std::string job_id;  // the queue's id of the delivery that did the work
  std::string worker;  // the worker's name
  LedgerOutcome outcome;
  TimePoint processed_at{};
};

struct RunOnceResult {
  bool ran = false;     // false: the key was processed before and `work` did not run
  LedgerRecord record;  // this run's record, or the earlier one
};

class JobLedger {
 public:
  virtual ~JobLedger() = default;

  // Runs `work` unless `claim.key` is recorded, and records it with work's outcome, in one
  // transaction with work's writes to the same database. An error from `work` writes nothing
  // (neither the row nor work's writes) and is returned. kInvalidArgument for an empty key
  // part; kUnavailable when the database cannot be reached or a lock wait times out;
  // kUnimplemented on a backend that cannot span one transaction over several stores (SQLite).
  virtual Result<RunOnceResult> RunOnce(const LedgerRecord& claim,
                                        const std::function<Result<LedgerOutcome>()>& work) = 0;

  // The record of `key`, or nullopt.
  virtual Result<std::optional<LedgerRecord>> Get(const LedgerKey& key) = 0;

  // How many records there are.
  virtual Result<int64_t> Count() = 0;

  // Deletes the records processed before `before`; how many.
  virtual Result<int64_t> PurgeBefore(TimePoint before) = 0;
};

// The ledger key part of an item id: lowercase hex SHA-256 (ledger.cc).
std::string ItemKeyOf(std::string_view item_id);

// Checks a key's parts (shared by the backends): kInvalidArgument naming the empty part.
Status ValidateLedgerKey(const LedgerKey& key);

// The in-memory fake. `work` runs outside the lock, with the key marked in progress so that a
// concurrent RunOnce of the same key waits for it, as a database's row lock would make it.
class InMemoryJobLedger final : public JobLedger {
 public:
  Result<RunOnceResult> RunOnce(const LedgerRecord& claim,
                                const std::function<Result<LedgerOutcome>()>& work) override;
  Result<std::optional<LedgerRecord>> Get(const LedgerKey& key) override;
  Result<int64_t> Count() override;
  Result<int64_t> PurgeBefore(TimePoint before) override;

 private:
  std::mutex mu_;
  std::condition_variable done_;
  std::map<LedgerKey, LedgerRecord> records_;  // guarded by mu_
  std::set<LedgerKey> in_progress_;            // guarded by mu_
};

}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_LEDGER_H_
