#include "store/pg_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cassert>
#include <charconv>

#include "store/pg_errors.h"

namespace vigil::store {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); they are fixed across versions, and the
// header that names them belongs to the server's development package, not libpq's.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
// Lets the server infer the type from where the parameter is used.
constexpr Oid kUnspecifiedOid = 0;

// COPY data goes out in slices because PQputCopyData takes an int length.
constexpr size_t kCopySliceBytes = 1 << 20;

// Library code writes nothing to stderr, which is libpq's default for NOTICE and WARNING
// messages; they are informational ("table already exists, skipping").
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

std::unique_ptr<pg_result, PgResultDeleter> Own(PGresult* result) {
  return std::unique_ptr<pg_result, PgResultDeleter>(result);
}

}  // namespace

void PgConnDeleter::operator()(pg_conn* conn) const { PQfinish(conn); }
void PgResultDeleter::operator()(pg_result* result) const { PQclear(result); }

PgParams& PgParams::Int(int64_t value) {
  params_.push_back({std::to_string(value), kInt8Oid, false, false});
  return *this;
}

PgParams& PgParams::Text(std::string_view value) {
  params_.push_back({std::string(value), kTextOid, false, false});
  return *this;
}

PgParams& PgParams::Bytes(std::span<const uint8_t> value) {
  params_.push_back({std::string(value.begin(), value.end()), kByteaOid, true, false});
  return *this;
}

PgParams& PgParams::Bool(bool value) {
  params_.push_back({value ? "t" : "f", kBoolOid, false, false});
  return *this;
}

PgParams& PgParams::Null() {
  params_.push_back({std::string(), kUnspecifiedOid, false, true});
  return *this;
}

PgParams& PgParams::OptionalInt(std::optional<int64_t> value) {
  if (!value) {
    params_.push_back({std::string(), kInt8Oid, false, true});
    return *this;
  }
  return Int(*value);
}

PgResult::PgResult(std::unique_ptr<pg_result, PgResultDeleter> result)
    : result_(std::move(result)) {}

int PgResult::rows() const { return PQntuples(result_.get()); }
int PgResult::columns() const { return PQnfields(result_.get()); }

bool PgResult::IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }

std::string_view PgResult::Text(int row, int col) const {
  return {PQgetvalue(result_.get(), row, col),
          static_cast<size_t>(PQgetlength(result_.get(), row, col))};
}

int64_t PgResult::Int(int row, int col) const {
  const std::string_view text = Text(row, col);
  int64_t value = 0;
  [[maybe_unused]] const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  assert(ec == std::errc() && end == text.data() + text.size() && "column is not an integer");
  return value;
}

bool PgResult::Bool(int row, int col) const { return Text(row, col) == "t"; }

std::string_view PgResult::ByteaHex(int row, int col) const {
  const std::string_view text = Text(row, col);
  if (!text.starts_with("\\x")) return {};
  return text.substr(2);
}

uint64_t PgResult::affected_rows() const {
  const std::string_view text = PQcmdTuples(result_.get());
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string_view PgResult::command_tag() const { return PQcmdStatus(result_.get()); }

PgConnection::PgConnection(PassKey, std::unique_ptr<pg_conn, PgConnDeleter> conn, PgUrl url)
    : conn_(std::move(conn)), url_(std::move(url)) {}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const PgConnectOptions& options) {
  const std::string timeout = std::to_string(options.connect_timeout.count());
  // Keywords before "dbname" are defaults the URL may override; those after it win over the URL.
  // The client encoding is forced because every string vigil sends and parses is UTF-8.
  const char* const keywords[] = {"connect_timeout", "fallback_application_name", "dbname",
                                  "client_encoding", nullptr};
  const char* const values[] = {timeout.c_str(), "vigil", options.url.url.c_str(), "UTF8", nullptr};
  std::unique_ptr<pg_conn, PgConnDeleter> conn(
      PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) {
    return ResourceExhaustedError(
        fmt::format("{}: out of memory opening a connection", options.url.redacted));
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return PgConnectStatus(ScrubPassword(PQerrorMessage(conn.get()), options.url.password),
                           options.url.redacted);
  }
  PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  auto out = std::make_unique<PgConnection>(PassKey(), std::move(conn), options.url);
  RETURN_IF_ERROR(
      out->ExecScript(fmt::format("SET lock_timeout = {}; SET bytea_output = 'hex'; "
                                  "SET client_min_messages = 'warning'",
                                  options.lock_timeout.count())));
  return out;
}

Status PgConnection::ErrorOf(const pg_result* result) const {
  std::string message;
  std::string_view sqlstate;
  if (result == nullptr) {
    message = PQerrorMessage(conn_.get());
  } else {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (state != nullptr) sqlstate = state;
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    message = primary != nullptr ? primary : PQresultErrorMessage(result);
    // The detail names the offending key or value ("Key (name)=(x) already exists.").
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
      message = fmt::format("{} ({})", message, detail);
    }
  }
  message = ScrubPassword(std::move(message), url_.password);
  if (PQstatus(conn_.get()) == CONNECTION_BAD) {
    // Whatever the server said last, a dead connection is a matter of retrying on a new one.
    return UnavailableError(
        fmt::format("{}: connection to the server lost: {}", name(), OneLine(message)));
  }
  return PgErrorStatus(sqlstate, message, name());
}

Result<PgResult> PgConnection::Exec(std::string_view sql, const PgParams& params) {
  const std::string text(sql);
  const size_t n = params.size();
  std::vector<Oid> types(n);
  std::vector<const char*> values(n);
  std::vector<int> lengths(n);
  std::vector<int> formats(n);
  for (size_t i = 0; i < n; ++i) {
    const PgParams::Param& p = params.params_[i];
    types[i] = p.type_oid;
    values[i] = p.null ? nullptr : p.value.data();
    lengths[i] = static_cast<int>(p.value.size());
    formats[i] = p.binary ? 1 : 0;
  }
  auto result = Own(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(n), types.data(),
                                 values.data(), lengths.data(), formats.data(),
                                 /*resultFormat=*/0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorOf(result.get());
  return PgResult(std::move(result));
}

Status PgConnection::ExecScript(std::string_view sql) {
  const std::string text(sql);
  // PQexec returns the last statement's result; an error stops the script at that statement.
  auto result = Own(PQexec(conn_.get(), text.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorOf(result.get());
  return Status::Ok();
}

Result<uint64_t> PgConnection::CopyIn(std::string_view copy_sql, std::string_view data) {
  const std::string text(copy_sql);
  {
    auto start = Own(PQexec(conn_.get(), text.c_str()));
    if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) return ErrorOf(start.get());
  }
  bool sent = true;
  for (size_t pos = 0; pos < data.size() && sent; pos += kCopySliceBytes) {
    const size_t n = std::min(kCopySliceBytes, data.size() - pos);
    sent = PQputCopyData(conn_.get(), data.data() + pos, static_cast<int>(n)) == 1;
  }
  // Ending with an error message makes the server abort the COPY instead of committing a
  // partial input.
  if (PQputCopyEnd(conn_.get(), sent ? nullptr : "vigil: sending COPY data failed") != 1) {
    sent = false;
  }
  // Every result must be read before the connection accepts the next command.
  std::unique_ptr<pg_result, PgResultDeleter> outcome;
  while (auto next = Own(PQgetResult(conn_.get()))) {
    if (!outcome || PQresultStatus(next.get()) != PGRES_COMMAND_OK) outcome = std::move(next);
  }
  if (!outcome || PQresultStatus(outcome.get()) != PGRES_COMMAND_OK || !sent) {
    return ErrorOf(outcome.get());
  }
  return PgResult(std::move(outcome)).affected_rows();
}

bool PgConnection::reusable() const {
  return PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

bool PgConnection::in_transaction() const {
  return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE;
}

// One name serves every nesting depth: ROLLBACK TO and RELEASE act on the newest savepoint of
// that name, which is always the innermost open one.
constexpr char kSavepoint[] = "vigil_nested";

Result<PgTransaction> PgTransaction::Begin(PgConnection& conn, std::string_view begin) {
  if (conn.in_transaction()) {
    RETURN_IF_ERROR(conn.ExecScript(fmt::format("SAVEPOINT {}", kSavepoint)));
    return PgTransaction(conn, true);
  }
  RETURN_IF_ERROR(conn.ExecScript(begin));
  return PgTransaction(conn, false);
}

PgTransaction::~PgTransaction() {
  if (conn_ == nullptr) return;
  if (nested_) {
    // Undoes this part only; the outer transaction goes on (or fails itself if this fails).
    conn_->ExecScript(fmt::format("ROLLBACK TO SAVEPOINT {0}; RELEASE SAVEPOINT {0}", kSavepoint))
        .IgnoreError();
    return;
  }
  // A failed ROLLBACK means the connection is gone, and the server rolls back on its own.
  conn_->ExecScript("ROLLBACK").IgnoreError();
}

Status PgTransaction::Commit() {
  assert(conn_ != nullptr && "Commit on a finished transaction");
  PgConnection* conn = conn_;
  conn_ = nullptr;
  if (nested_) return conn->ExecScript(fmt::format("RELEASE SAVEPOINT {}", kSavepoint));
  ASSIGN_OR_RETURN(PgResult done, conn->Exec("COMMIT"));
  // COMMIT of a transaction that an error aborted succeeds with the tag ROLLBACK.
  if (done.command_tag() != "COMMIT") {
    return InternalError(fmt::format("{}: the transaction was rolled back", conn->name()));
  }
  return Status::Ok();
}

}  // namespace vigil::store
