// The two SqlSession backends: SQLite (statements on the shared connection under its mutex,
// exceptions converted by CatchSqlite) and PostgreSQL ("?" rewritten to $n, parameters sent in
// text form with their type).
#include "store/sql_session.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/pg_case_rows.h"
#include "store/pg_connection.h"
#include "store/sqlite_case_rows.h"
#include "store/sqlite_errors.h"

namespace vigil::store {

namespace {

class SqliteSession final : public SqlSession {
 public:
  explicit SqliteSession(SQLite::Database& db) : db_(db) {}

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    SQLite::Statement q(db_, std::string(sql));
    Bind(q, params);
    std::vector<SqlRow> rows;
    while (q.executeStep()) {
      SqlRow row;
      for (int i = 0; i < q.getColumnCount(); ++i) {
        const SQLite::Column c = q.getColumn(i);
        row.push_back(c.isNull() ? std::nullopt : std::optional<std::string>(c.getString()));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    SQLite::Statement q(db_, std::string(sql));
    Bind(q, params);
    return static_cast<int64_t>(q.exec());
  }

  Result<bool> ApplyCaseChange(const cases::CaseChange& change) override {
    return sqlite_cases::ApplyChange(db_, change);
  }

 private:
  static void Bind(SQLite::Statement& q, const std::vector<SqlValue>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      if (const auto* n = std::get_if<int64_t>(&params[i])) {
        q.bind(at, *n);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        q.bind(at, *s);
      } else {
        q.bind(at);
      }
    }
  }

  SQLite::Database& db_;
};

// "?" -> "$1", "$2", ...: the statements hold no "?" inside literals.
std::string Numbered(std::string_view sql) {
  std::string out;
  int n = 0;
  for (char ch : sql) {
    if (ch == '?') {
      out += fmt::format("${}", ++n);
    } else {
      out += ch;
    }
  }
  return out;
}

class PgSession final : public SqlSession {
 public:
  explicit PgSession(PgConnection& conn) : conn_(conn) {}

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    ASSIGN_OR_RETURN(PgResult r, conn_.Exec(Numbered(sql), Params(params)));
    std::vector<SqlRow> rows;
    for (int i = 0; i < r.rows(); ++i) {
      SqlRow row;
      for (int j = 0; j < r.columns(); ++j) {
        row.push_back(r.IsNull(i, j) ? std::nullopt
                                     : std::optional<std::string>(std::string(r.Text(i, j))));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    ASSIGN_OR_RETURN(PgResult r, conn_.Exec(Numbered(sql), Params(params)));
    return static_cast<int64_t>(r.affected_rows());
  }

  Result<bool> ApplyCaseChange(const cases::CaseChange& change) override {
    return pg_cases::ApplyChange(conn_, change);
  }

 private:
  static PgParams Params(const std::vector<SqlValue>& params) {
    PgParams p;
    for (const SqlValue& v : params) {
      if (const auto* n = std::get_if<int64_t>(&v)) {
        p.Int(*n);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        p.Text(*s);
      } else {
        p.Null();
      }
    }
    return p;
  }

  PgConnection& conn_;
};

}  // namespace

SqlTransactor MakeSqliteTransactor(SQLite::Database& db, std::mutex& mu, std::string path) {
  return [&db, &mu, path](const std::function<Status(SqlSession&)>& fn) -> Status {
    std::lock_guard<std::mutex> lock(mu);
    return CatchSqlite(path, [&]() -> Status {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      SqliteSession session(db);
      RETURN_IF_ERROR(fn(session));
      tx.commit();
      return Status::Ok();
    });
  };
}

SqlTransactor MakePostgresTransactor(PgPool& pool) {
  return [&pool](const std::function<Status(SqlSession&)>& fn) -> Status {
    ASSIGN_OR_RETURN(PgPool::Lease conn, pool.Acquire());
    ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(*conn));
    PgSession session(*conn);
    RETURN_IF_ERROR(fn(session));
    return tx.Commit();
  };
}

}  // namespace vigil::store
