// The generic PostgreSQL plumbing: URL checks and redaction, SQLSTATE mapping, parameters,
// transactions, binary COPY and the migration runner.
#include "store/pg_connection.h"

#include <gtest/gtest.h>

#include "store/pg_copy.h"
#include "store/pg_errors.h"
#include "store/pg_schema.h"
#include "store/pg_test_database.h"
#include "store/pg_url.h"

namespace vigil::store {
namespace {

using testing::MustCreateScratch;
using testing::ScratchDatabase;

TEST(PgUrlTest, RedactionDropsThePasswordFromUserAndQuery) {
  EXPECT_EQ(RedactPgUrl("postgresql://vigil:s3cret@db:5432/v"), "postgresql://vigil@db:5432/v");
  EXPECT_EQ(RedactPgUrl("postgres://vigil:p@ss@word@db/v"), "postgres://vigil@db/v");
  EXPECT_EQ(RedactPgUrl("postgresql://db/v?sslmode=require&password=s3cret&connect_timeout=3"),
            "postgresql://db/v?sslmode=require&connect_timeout=3");
  EXPECT_EQ(RedactPgUrl("postgresql://db/v?password=s3cret"), "postgresql://db/v");
  EXPECT_EQ(RedactPgUrl("postgresql://vigil@db"), "postgresql://vigil@db");
}

TEST(PgUrlTest, ParseKeepsThePasswordForScrubbingOnly) {
  auto url = ParsePgUrl("postgresql://vigil:s3cret@db:5432/v");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->redacted, "postgresql://vigil@db:5432/v");
  EXPECT_EQ(ScrubPassword("auth s3cret failed", url->password), "auth **** failed");
  EXPECT_EQ(ScrubPassword("a b c", "a"), "a b c");  // too short to scrub without mangling
}

TEST(PgUrlTest, MalformedUrlsAreInvalidArgumentWithoutThePassword) {
  for (const char* url :
       {"postgresql://vigil:s3cret@db:notaport/v", "postgresql://vigil:s3cret@db:70000/v",
        "postgresql://vigil:s3cret@[::1/v", "postgresql://vigil:s3cret@db/v?bogus_option=1",
        "postgresql://vigil:s3cret%zz@db/v", "mysql://vigil:s3cret@db/v"}) {
    auto parsed = ParsePgUrl(url);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(parsed.status().message().find("s3cret"), std::string::npos)
        << parsed.status().message();
  }
  EXPECT_TRUE(ParsePgUrl("postgresql://a:5432,b:5433/v").ok());  // multi-host
  EXPECT_TRUE(ParsePgUrl("postgres://").ok());                   // all from PG* defaults
}

TEST(PgErrorsTest, SqlStatesMapToVigilCodes) {
  const std::pair<const char*, StatusCode> cases[] = {
      {"23505", StatusCode::kAlreadyExists},
      {"23503", StatusCode::kNotFound},
      {"23514", StatusCode::kInvalidArgument},
      {"22021", StatusCode::kInvalidArgument},
      {"40001", StatusCode::kUnavailable},
      {"40P01", StatusCode::kUnavailable},
      {"55P03", StatusCode::kUnavailable},
      {"57014", StatusCode::kUnavailable},
      {"08006", StatusCode::kUnavailable},
      {"57P01", StatusCode::kUnavailable},
      {"53300", StatusCode::kUnavailable},
      {"53200", StatusCode::kResourceExhausted},
      {"", StatusCode::kUnavailable},
      {"28P01", StatusCode::kPermissionDenied},
      {"42501", StatusCode::kPermissionDenied},
      {"3D000", StatusCode::kNotFound},
      {"25006", StatusCode::kFailedPrecondition},
      {"XX001", StatusCode::kDataLoss},
      {"42P01", StatusCode::kInternal},
      {"42601", StatusCode::kInternal},
  };
  for (const auto& [state, code] : cases) {
    Status s = PgErrorStatus(state, "ERROR:  it broke\n", "postgresql://h/db");
    EXPECT_EQ(s.code(), code) << state;
    EXPECT_TRUE(s.message().starts_with("postgresql://h/db: it broke")) << s.message();
  }
}

TEST(PgErrorsTest, ConnectFailuresThatRetryingCannotFixAreRecognised) {
  EXPECT_EQ(PgConnectStatus("FATAL:  password authentication failed for user \"v\"", "x").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(PgConnectStatus("FATAL:  database \"nope\" does not exist", "x").code(),
            StatusCode::kNotFound);
  Status refused = PgConnectStatus(
      "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the "
      "server running on that host and accepting TCP/IP connections?\n",
      "postgresql://v@127.0.0.1:1/db");
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.message(),
            "postgresql://v@127.0.0.1:1/db: connection to server at \"127.0.0.1\", port 1 failed: "
            "Connection refused Is the server running on that host and accepting TCP/IP "
            "connections?");
}

TEST(PgCopyTest, BinaryFormatFraming) {
  PgBinaryCopy copy;
  copy.BeginRow(2);
  copy.Int32(7);
  copy.Null();
  EXPECT_EQ(copy.rows(), 1u);
  const std::string data = copy.Finish();
  const std::string want = std::string("PGCOPY\n\377\r\n\0", 11) + std::string(8, '\0') +
                           std::string("\0\2\0\0\0\4\0\0\0\7\377\377\377\377\377\377", 16);
  EXPECT_EQ(data, want);
  EXPECT_EQ(copy.rows(), 0u);
}

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_POSTGRES();
    db_ = MustCreateScratch();
    ASSERT_NE(db_, nullptr);
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }
  int64_t Count(const std::string& table) {
    auto r = conn_->Exec("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->Int(0, 0) : -1;
  }

  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<PgConnection> conn_;
};

TEST_F(PgConnectionTest, ParametersRoundTripWithoutEscaping) {
  const std::string text = "it's \"quoted\"; DROP TABLE x; --\n\t\\ é";
  const uint8_t bytes[] = {0x00, 0xff, 0x5c, 0x27};
  auto r = conn_->Exec("SELECT $1::bigint, $2::text, $3::bytea, $4::text IS NULL, $5::boolean",
                       PgParams().Int(-9007199254740993).Text(text).Bytes(bytes).Null().Bool(true));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Int(0, 0), -9007199254740993);
  EXPECT_EQ(r->Text(0, 1), text);
  EXPECT_EQ(r->ByteaHex(0, 2), "00ff5c27");
  EXPECT_TRUE(r->Bool(0, 3));
  EXPECT_TRUE(r->Bool(0, 4));
}

TEST_F(PgConnectionTest, UniqueViolationIsAlreadyExistsNamingTheKey) {
  ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (x INTEGER UNIQUE)").ok());
  ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (1)").ok());
  auto again = conn_->Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("Key (x)=(1) already exists"), std::string::npos)
      << again.status().message();
  EXPECT_TRUE(again.status().message().starts_with(db_->url() + ": ")) << again.status().ToString();
}

TEST_F(PgConnectionTest, SerializationFailureIsUnavailable) {
  ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (x INTEGER)").ok());
  auto other = db_->Connect();
  ASSERT_TRUE(other.ok());
  // Write skew: each transaction reads what the other writes; SERIALIZABLE lets only one commit.
  for (PgConnection* c : {conn_.get(), other->get()}) {
    ASSERT_TRUE(c->ExecScript("BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT SUM(x) FROM t").ok());
  }
  ASSERT_TRUE(conn_->ExecScript("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE((*other)->ExecScript("INSERT INTO t VALUES (2)").ok());
  ASSERT_TRUE(conn_->ExecScript("COMMIT").ok());
  Status lost = (*other)->ExecScript("COMMIT");
  EXPECT_EQ(lost.code(), StatusCode::kUnavailable) << lost.ToString();
  EXPECT_NE(lost.message().find("retry"), std::string::npos) << lost.ToString();
}

TEST_F(PgConnectionTest, TransactionRollsBackUnlessCommitted) {
  ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (x INTEGER)").ok());
  {
    auto tx = PgTransaction::Begin(*conn_);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_EQ(Count("t"), 0);
  EXPECT_TRUE(conn_->reusable());
  {
    auto tx = PgTransaction::Begin(*conn_);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(Count("t"), 1);
}

TEST_F(PgConnectionTest, CommitOfAnAbortedTransactionIsAnError) {
  auto tx = PgTransaction::Begin(*conn_);
  ASSERT_TRUE(tx.ok());
  EXPECT_FALSE(conn_->Exec("SELECT * FROM no_such_table").ok());
  EXPECT_FALSE(tx->Commit().ok());
  EXPECT_TRUE(conn_->reusable());
}

TEST_F(PgConnectionTest, BinaryCopyLoadsRowsAsTheyAre) {
  ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (a BIGINT, b TEXT, c BYTEA, d BOOLEAN)").ok());
  PgBinaryCopy copy;
  const uint8_t bytes[] = {1, 2, 3};
  for (int i = 0; i < 3; ++i) {
    copy.BeginRow(4);
    copy.Int64(i);
    copy.Text("tab\there\nnewline \\ backslash");
    copy.Bytes(bytes);
    copy.Bool(i % 2 == 1);
  }
  copy.BeginRow(4);
  copy.OptionalInt64(std::nullopt);
  copy.Null();
  copy.Null();
  copy.Null();
  auto copied = conn_->CopyIn("COPY t FROM STDIN (FORMAT binary)", copy.Finish());
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(*copied, 4u);
  auto r = conn_->Exec("SELECT a, b, c, d FROM t WHERE a = 1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Text(0, 1), "tab\there\nnewline \\ backslash");
  EXPECT_EQ(r->ByteaHex(0, 2), "010203");
  EXPECT_TRUE(r->Bool(0, 3));
  EXPECT_EQ(Count("t WHERE a IS NULL AND b IS NULL"), 1);
}

TEST_F(PgConnectionTest, RejectedCopyIsAnErrorAndTheConnectionStaysUsable) {
  ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (b TEXT)").ok());
  PgBinaryCopy copy;
  copy.BeginRow(1);
  copy.Text(std::string_view("nul\0byte", 8));  // PostgreSQL text cannot hold NUL
  auto copied = conn_->CopyIn("COPY t FROM STDIN (FORMAT binary)", copy.Finish());
  EXPECT_EQ(copied.status().code(), StatusCode::kInvalidArgument) << copied.status().ToString();
  EXPECT_TRUE(conn_->reusable());
  EXPECT_EQ(Count("t"), 0);
}

TEST_F(PgConnectionTest, FailedMigrationLeavesThePreviousVersion) {
  const PgMigration good[] = {{1, "one", "CREATE TABLE a (x INTEGER)"},
                              {2, "two", "CREATE TABLE b (x INTEGER); CREATE TABLE c (x INTEGER)"}};
  const PgMigration bad[] = {good[0], {2, "two", "CREATE TABLE b (x INTEGER); CREATE TABLE ("}};
  const TimePoint t1(std::chrono::seconds(1000));
  ASSERT_TRUE(ApplyPgMigrations(*conn_, std::span(good, 1), t1).ok());
  Status failed = ApplyPgMigrations(*conn_, bad, t1 + std::chrono::seconds(1));
  EXPECT_EQ(failed.code(), StatusCode::kInternal) << failed.ToString();
  auto tables = conn_->Exec(
      "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
      "WHERE schemaname = 'public'");
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(tables->Text(0, 0), "a,schema_migrations");  // b was rolled back with the rest
  ASSERT_TRUE(ApplyPgMigrations(*conn_, good, t1 + std::chrono::seconds(2)).ok());
  auto applied = ReadPgMigrations(*conn_);
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->size(), 2u);
  EXPECT_EQ((*applied)[0].applied_at, t1);
  EXPECT_EQ((*applied)[1].name, "two");
  EXPECT_EQ((*applied)[1].applied_at, t1 + std::chrono::seconds(2));
}

TEST_F(PgConnectionTest, AMigrationLandingBelowTheNewestIsStillApplied) {
  // Versions are reserved per feature; 7 may ship before 5.
  const PgMigration early[] = {{1, "one", "CREATE TABLE a (x INTEGER)"},
                               {7, "seven", "CREATE TABLE g (x INTEGER)"}};
  const PgMigration later[] = {early[0], {5, "five", "CREATE TABLE e (x INTEGER)"}, early[1]};
  const TimePoint t1(std::chrono::seconds(1000));
  ASSERT_TRUE(ApplyPgMigrations(*conn_, early, t1).ok());
  ASSERT_TRUE(ApplyPgMigrations(*conn_, later, t1 + std::chrono::seconds(1)).ok());
  auto applied = ReadPgMigrations(*conn_);
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->size(), 3u);
  EXPECT_EQ((*applied)[1].version, 5);
  EXPECT_EQ((*applied)[1].applied_at, t1 + std::chrono::seconds(1));
  EXPECT_EQ((*applied)[2].applied_at, t1);  // not re-run
  EXPECT_EQ(Count("e"), 0);                 // the table exists
}

}  // namespace
}  // namespace vigil::store
