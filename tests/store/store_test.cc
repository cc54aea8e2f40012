// OpenDatabase: URLs, files that are not vigil databases, locking, and the on-disk encoding.
#include "store/store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "bank/bank.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using std::chrono_literals::operator""ms;

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("vigil_open_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  ~StoreTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }

  fs::path dir_;
};

TEST_F(StoreTest, UnknownSchemeOrEmptyUrlIsInvalidArgument) {
  EXPECT_EQ(OpenDatabase("mysql://h/db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenDatabase("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenDatabase("sqlite:").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, SqlitePrefixesNameTheSameFile) {
  const std::string path = Path("a.db");
  {
    auto db = OpenDatabase("sqlite:" + path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->banks().CreateBank({.name = "x"}).ok());
  }
  auto plain = OpenDatabase(path);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE((*plain)->banks().GetBank("x").ok());
  auto url = OpenDatabase("sqlite://" + path);  // sqlite:///abs/path
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE((*url)->banks().GetBank("x").ok());
}

TEST_F(StoreTest, MissingFileWithoutCreateIsNotFoundAndCreatesNothing) {
  const std::string path = Path("missing.db");
  auto db = OpenDatabase(path, {.create_if_missing = false});
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db.status().message(), "database " + path + " does not exist");
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(StoreTest, MissingDirectoryIsNotFoundNamingIt) {
  auto db = OpenDatabase(Path("no/such/dir/v.db"));
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound);
  EXPECT_NE(db.status().message().find(Path("no/such/dir")), std::string::npos);
}

TEST_F(StoreTest, DirectoryIsInvalidArgument) {
  EXPECT_EQ(OpenDatabase(dir_.string()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, TextFileIsDataLossNamingIt) {
  const std::string path = Path("list.csv");
  Write(path, "signal_type,signal_value\npdq,abc\n" + std::string(4096, 'x'));
  auto db = OpenDatabase(path);
  EXPECT_EQ(db.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status().message();
}

TEST_F(StoreTest, AnotherApplicationsDatabaseIsLeftAlone) {
  const std::string path = Path("other.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE photos (id INTEGER)");
  }
  auto db = OpenDatabase(path);
  EXPECT_EQ(db.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("another application"), std::string::npos);
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(raw, "SELECT COUNT(*) FROM sqlite_master");
  q.executeStep();
  EXPECT_EQ(q.getColumn(0).getInt(), 1);  // still only `photos`
}

TEST_F(StoreTest, LockedDatabaseIsUnavailable) {
  const std::string path = Path("locked.db");
  auto db = OpenDatabase(path, {.busy_timeout = 50ms});
  ASSERT_TRUE(db.ok());
  auto bank = (*db)->banks().CreateBank({.name = "b"});
  ASSERT_TRUE(bank.ok());

  SQLite::Database other(path, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  auto created = (*db)->banks().CreateBank({.name = "c"});
  EXPECT_EQ(created.status().code(), StatusCode::kUnavailable) << created.status().ToString();
  bank::EntryBatch batch;
  ASSERT_TRUE(batch.Add({.value = std::string(64, 'a')}).ok());
  EXPECT_EQ((*db)->banks().AddEntries(bank->id, batch).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(OpenDatabase(path, {.busy_timeout = 50ms}).status().code(), StatusCode::kUnavailable);
  other.exec("ROLLBACK");
  EXPECT_TRUE((*db)->banks().CreateBank({.name = "c"}).ok());
}

TEST_F(StoreTest, HashValuesAreStoredAsRawBytes) {
  const std::string path = Path("bytes.db");
  {
    auto db = OpenDatabase(path);
    ASSERT_TRUE(db.ok());
    auto bank = (*db)->banks().CreateBank({.name = "b"});
    bank::EntryBatch batch;
    ASSERT_TRUE(batch
                    .Add({.signal_type = bank::SignalType::kMd5,
                          .value = "D41D8CD98F00B204E9800998ECF8427E"})
                    .ok());
    ASSERT_TRUE((*db)->banks().AddEntries(bank->id, batch).ok());
  }
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(raw, "SELECT signal_type, typeof(value), hex(value) FROM bank_entries");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "md5");
  EXPECT_EQ(q.getColumn(1).getString(), "blob");
  EXPECT_EQ(q.getColumn(2).getString(), "D41D8CD98F00B204E9800998ECF8427E");
}

TEST_F(StoreTest, WalAndForeignKeysAreOn) {
  const std::string path = Path("wal.db");
  auto db = OpenDatabase(path);
  ASSERT_TRUE(db.ok());
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(raw, "PRAGMA journal_mode");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "wal");
  // An entry pointing at no bank is refused by the schema itself.
  SQLite::Database rw(path, SQLite::OPEN_READWRITE);
  rw.exec("PRAGMA foreign_keys = ON");
  EXPECT_THROW(rw.exec("INSERT INTO bank_entries (bank_id, signal_type, value, added_at) "
                       "VALUES (42, 'pdq', x'00', 0)"),
               SQLite::Exception);
}

TEST_F(StoreTest, LatestSchemaVersionMatchesAppliedMigrations) {
  auto db = OpenDatabase(Path("v.db"));
  ASSERT_TRUE(db.ok());
  auto migrations = (*db)->AppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  EXPECT_EQ(migrations->back().version, LatestSchemaVersion());
}

}  // namespace
}  // namespace vigil::store
