// The data map cannot drift from the schema: every table of a freshly migrated database is in
// the map, and every table in the map exists.
#include "privacy/data_map.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "store/store.h"

namespace vigil::privacy {
namespace {

TEST(DataMapTest, CoversExactlyTheTablesOfTheSchema) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("vigil_datamap_" + std::to_string(::getpid()) + ".db"))
                               .string();
  std::filesystem::remove(path);
  {
    auto db = store::OpenDatabase(path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
  }
  std::set<std::string> tables;
  {
    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    SQLite::Statement q(raw,
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                        "'sqlite_%'");
    while (q.executeStep()) tables.insert(q.getColumn(0).getString());
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  ASSERT_FALSE(tables.empty());

  std::set<std::string> mapped;
  for (const DataMapEntry& e : DataMap()) {
    EXPECT_TRUE(mapped.insert(std::string(e.table)).second) << e.table << " is mapped twice";
    EXPECT_FALSE(e.holds.empty() || e.personal_data.empty() || e.purposes.empty() ||
                 e.retention.empty() || e.readers.empty())
        << e.table << " has an empty column";
  }
  for (const std::string& t : tables) {
    EXPECT_TRUE(mapped.contains(t))
        << "table " << t << " is not in the data map: add a row to src/privacy/data_map.cc "
        << "saying what it holds, which personal data, why, for how long and who reads it";
  }
  for (const std::string& t : mapped) {
    EXPECT_TRUE(tables.contains(t))
        << "the data map names table " << t << ", which the schema no longer has";
  }
}

}  // namespace
}  // namespace vigil::privacy

namespace vigil::privacy {
namespace {

// Every table a purge deletes from says what its rows are counted under (issue 8), and the case
// tables name the purposes their trigger stamps.
TEST(DataMapTest, EveryPurgedTableNamesThePurposesItsRowsAreCountedUnder) {
  for (const char* table :
       {"audit_log", "legal_holds", "dpia_records", "reviewer_exposure", "classify_retries",
        "cases", "case_items", "case_item_hashes", "evidence_files", "case_accounts"}) {
    auto purposes = PurgedAs(table);
    ASSERT_TRUE(purposes.ok()) << purposes.status().ToString();
    EXPECT_FALSE(purposes->empty()) << table;
    for (const std::string& p : *purposes) {
      EXPECT_EQ(p.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos) << p;
    }
  }
  EXPECT_EQ(*PurgedAs("cases"),
            (std::vector<std::string>{"reporting", "blocking", "redress", "law_enforcement"}));
  auto none = PurgedAs("schema_migrations");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("schema_migrations"), std::string::npos);
}

}  // namespace
}  // namespace vigil::privacy
