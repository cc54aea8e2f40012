// PgConnection: one libpq connection to a PostgreSQL server, with Status-returning calls and
// RAII for its handle, its results and its transactions.
//
// This is the generic plumbing under every PostgreSQL store (banks now, cases and reviews next):
// stores hold SQL and row mapping, this file holds libpq. Parameters travel separately from the
// SQL text ($1, $2, ...), so no value is ever quoted or escaped by hand. Errors are mapped by
// pg_errors.h and prefixed with the redacted URL; no message carries the password.
//
// Thread safety: a PgConnection is used by one thread at a time; PgPool (pg_pool.h) lends each
// call its own.
#ifndef VIGIL_STORE_PG_CONNECTION_H_
#define VIGIL_STORE_PG_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/pg_url.h"

// libpq's handle types, declared here so that only the .cc files include libpq-fe.h.
struct pg_conn;
struct pg_result;

namespace vigil::store {

struct PgConnDeleter {
  void operator()(pg_conn* conn) const;
};
struct PgResultDeleter {
  void operator()(pg_result* result) const;
};

// The parameters of one statement, in order ($1, $2, ...). Numbers and text are sent in text
// form, bytea in binary, each with its type so the server never has to guess.
class PgParams {
 public:
  PgParams& Int(int64_t value);
  PgParams& Text(std::string_view value);
  PgParams& Bytes(std::span<const uint8_t> value);
  PgParams& Bool(bool value);
  // A NULL whose type the server infers from where it is used.
  PgParams& Null();
  // Int(*value), or Null() when empty.
  PgParams& OptionalInt(std::optional<int64_t> value);

  size_t size() const { return params_.size(); }

 private:
  friend class PgConnection;
  struct Param {
    std::string value;
    uint32_t type_oid;
    bool binary;
    bool null;
  };
  std::vector<Param> params_;
};

// The rows of a successful statement, in text form (bytea as "\x" + lowercase hex).
class PgResult {
 public:
  explicit PgResult(std::unique_ptr<pg_result, PgResultDeleter> result);

  int rows() const;
  int columns() const;
  bool IsNull(int row, int col) const;
  std::string_view Text(int row, int col) const;
  // An integer column; a non-integer one is a bug in the query (asserts).
  int64_t Int(int row, int col) const;
  // A boolean column ("t" or "f").
  bool Bool(int row, int col) const;
  // A bytea column's hex digits without the "\x" prefix; empty if the value is not hex bytea.
  std::string_view ByteaHex(int row, int col) const;
  // Rows inserted, updated, deleted or copied by the statement.
  uint64_t affected_rows() const;
  // The command tag, e.g. "INSERT 0 5" or "COMMIT".
  std::string_view command_tag() const;

 private:
  std::unique_ptr<pg_result, PgResultDeleter> result_;
};

struct PgConnectOptions {
  PgUrl url;
  // How long a statement waits for a row or table lock (and migrations for the migration lock)
  // before failing with kUnavailable; PostgreSQL's lock_timeout.
  std::chrono::milliseconds lock_timeout{5000};
  // Used when the URL has no connect_timeout of its own.
  std::chrono::seconds connect_timeout{10};
};

class PgConnection {
 public:
  // Connects and prepares the session (lock_timeout, hex bytea output, no NOTICE chatter).
  // Errors as PgConnectStatus, named by the redacted URL.
  static Result<std::unique_ptr<PgConnection>> Connect(const PgConnectOptions& options);

  // Runs one statement. Errors as PgErrorStatus, prefixed with name().
  Result<PgResult> Exec(std::string_view sql, const PgParams& params = {});

  // Runs a script of several statements without parameters (schema migrations).
  Status ExecScript(std::string_view sql);

  // Runs `copy_sql` ("COPY t (...) FROM STDIN ...") and sends `data` as its input; the number
  // of rows copied. The COPY is aborted on the server if sending fails.
  Result<uint64_t> CopyIn(std::string_view copy_sql, std::string_view data);

  // True while the connection is up and outside any transaction, i.e. fit to lend again.
  bool reusable() const;

  // True while a transaction is open on it (PgTransaction then nests as a savepoint).
  bool in_transaction() const;

  // The redacted URL: the prefix of every message.
  const std::string& name() const { return url_.redacted; }

 private:
  struct PassKey {
    explicit PassKey() = default;
  };

 public:
  PgConnection(PassKey, std::unique_ptr<pg_conn, PgConnDeleter> conn, PgUrl url);

 private:
  // The Status for a failed result (null: libpq could not even make one).
  Status ErrorOf(const pg_result* result) const;

  std::unique_ptr<pg_conn, PgConnDeleter> conn_;
  const PgUrl url_;
};

// A transaction on one connection: BEGIN when made, ROLLBACK when destroyed uncommitted, so an
// early return (RETURN_IF_ERROR) leaves nothing half-written.
//
// Made on a connection already inside a transaction (a unit of work that pinned the connection
// to its thread, PgPool::Pin), it is a savepoint instead: Commit releases it, destruction rolls
// back to it, and only the outer transaction's COMMIT makes anything visible. `begin`'s isolation
// level then does not apply; the outer transaction's does.
class [[nodiscard]] PgTransaction {
 public:
  // Sends `begin` ("BEGIN", or e.g. "BEGIN ISOLATION LEVEL SERIALIZABLE"), or SAVEPOINT.
  static Result<PgTransaction> Begin(PgConnection& conn, std::string_view begin = "BEGIN");

  PgTransaction(PgTransaction&& other) noexcept : conn_(other.conn_), nested_(other.nested_) {
    other.conn_ = nullptr;
  }
  PgTransaction& operator=(PgTransaction&&) = delete;
  ~PgTransaction();

  // COMMIT. On error the transaction is over and nothing was written.
  Status Commit();

 private:
  PgTransaction(PgConnection& conn, bool nested) : conn_(&conn), nested_(nested) {}

  PgConnection* conn_;  // null once committed or moved from
  bool nested_;         // a savepoint inside an outer transaction
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_CONNECTION_H_
