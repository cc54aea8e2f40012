// Exporting banks: exact bytes of each format, and round trips through every format.
#include "bank/export.h"

#include <gtest/gtest.h>

#include <sstream>

#include "bank/in_memory_bank_store.h"

namespace vigil::bank {
namespace {

const TimePoint kT0 = std::chrono::sys_days(std::chrono::year(2024) / 5 / 1);
const std::string kPdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kMd5 = "d41d8cd98f00b204e9800998ecf8427e";

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bank_ = *store_.CreateBank({.name = "b"});
    EntryBatch batch;
    ASSERT_TRUE(batch
                    .Add({.signal_type = SignalType::kPdq,
                          .value = kPdq,
                          .source_ref = "TE \"id\", 1",
                          .added_at = kT0,
                          .verifications = 2})
                    .ok());
    ASSERT_TRUE(batch
                    .Add({.signal_type = SignalType::kMd5,
                          .value = kMd5,
                          .source_ref = "line\nbreak",
                          .added_at = kT0 + std::chrono::seconds(61),
                          .needs_verification = true})
                    .ok());
    ASSERT_TRUE(store_.AddEntries(bank_.id, batch).ok());
    clock_->Advance(std::chrono::hours(1));
  }

  std::string Export(ListFormat format, bool include_retired = false) {
    std::ostringstream out;
    auto n =
        ExportBank(store_, bank_.id, {.format = format, .include_retired = include_retired}, out);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return out.str();
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(kT0);
  InMemoryBankStore store_{clock_};
  Bank bank_;
};

TEST_F(ExportTest, CsvIsExact) {
  EXPECT_EQ(Export(ListFormat::kCsv),
            "signal_type,signal_value,added_at,source_ref,verifications,needs_verification,"
            "retired_at,retired_reason\n"
            "pdq," +
                kPdq +
                ",2024-05-01T00:00:00Z,\"TE \"\"id\"\", 1\",2,false,,\n"
                "md5," +
                kMd5 + ",2024-05-01T00:01:01Z,\"line\nbreak\",0,true,,\n");
}

TEST_F(ExportTest, JsonLinesIsExact) {
  EXPECT_EQ(Export(ListFormat::kJsonLines),
            R"({"signal_type":"pdq","signal_value":")" + kPdq +
                R"(","added_at":"2024-05-01T00:00:00Z","source_ref":"TE \"id\", 1",)"
                R"("verifications":2,"needs_verification":false})"
                "\n"
                R"({"signal_type":"md5","signal_value":")" +
                kMd5 +
                R"(","added_at":"2024-05-01T00:01:01Z","source_ref":"line\nbreak",)"
                R"("verifications":0,"needs_verification":true})"
                "\n");
}

TEST_F(ExportTest, ThreatExchangeUsesItsTypeNames) {
  EXPECT_EQ(Export(ListFormat::kThreatExchange), "pdq " + kPdq + "\nvideo_md5 " + kMd5 + "\n");
}

TEST_F(ExportTest, RetiredEntriesOnlyWhenAskedAndNotInTe) {
  const EntryId md5_id = store_.FindEntry(bank_.id, SignalType::kMd5, kMd5)->id;
  ASSERT_TRUE(store_.RetireEntry(md5_id, "false positive, \"confirmed\"").ok());
  EXPECT_EQ(Export(ListFormat::kThreatExchange), "pdq " + kPdq + "\n");
  const std::string csv = Export(ListFormat::kCsv, true);
  EXPECT_NE(csv.find(",0,true,2024-05-01T01:00:00Z,\"false positive, \"\"confirmed\"\"\"\n"),
            std::string::npos)
      << csv;
  const std::string json = Export(ListFormat::kJsonLines, true);
  EXPECT_NE(
      json.find(
          R"("retired_at":"2024-05-01T01:00:00Z","retired_reason":"false positive, \"confirmed\""})"),
      std::string::npos)
      << json;
  std::ostringstream out;
  EXPECT_EQ(ExportBank(store_, bank_.id,
                       {.format = ListFormat::kThreatExchange, .include_retired = true}, out)
                .status()
                .message(),
            "te format cannot mark retired entries; export them as csv or jsonl");
}

// Exports bank `from` in `format` and imports the text into a new bank; returns its entries.
std::vector<BankEntry> RoundTrip(InMemoryBankStore& store, BankId from, ListFormat format,
                                 const std::string& new_bank) {
  std::stringstream text;
  EXPECT_TRUE(
      ExportBank(store, from,
                 {.format = format, .include_retired = format != ListFormat::kThreatExchange}, text)
          .ok());
  EXPECT_TRUE(store.CreateBank({.name = new_bank}).ok());
  auto report = ImportList(store, new_bank, text, {.format = format});
  EXPECT_TRUE(report.ok() && report->written) << text.str();
  std::vector<BankEntry> out;
  EXPECT_TRUE(store
                  .ForEachEntry(store.GetBank(new_bank)->id, {.include_retired = true},
                                [&](const BankEntry& e) {
                                  out.push_back(e);
                                  return Status::Ok();
                                })
                  .ok());
  return out;
}

// What survives a round trip: everything but the ids.
void ExpectSameEntries(const std::vector<BankEntry>& a, const std::vector<BankEntry>& b,
                       bool provenance) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].signal_type, b[i].signal_type);
    EXPECT_EQ(a[i].value, b[i].value);
    if (!provenance) continue;
    EXPECT_EQ(a[i].added_at, b[i].added_at);
    EXPECT_EQ(a[i].source_ref, b[i].source_ref);
    EXPECT_EQ(a[i].verifications, b[i].verifications);
    EXPECT_EQ(a[i].needs_verification, b[i].needs_verification);
    EXPECT_EQ(a[i].retired, b[i].retired);
    EXPECT_EQ(a[i].retired_at, b[i].retired_at);
    EXPECT_EQ(a[i].retired_reason, b[i].retired_reason);
  }
}

TEST_F(ExportTest, CsvJsonLinesAndTeRoundTrip) {
  const EntryId md5_id = store_.FindEntry(bank_.id, SignalType::kMd5, kMd5)->id;
  ASSERT_TRUE(store_.RetireEntry(md5_id, "wrong, \"really\"").ok());
  std::vector<BankEntry> original;
  ASSERT_TRUE(store_
                  .ForEachEntry(bank_.id, {.include_retired = true},
                                [&](const BankEntry& e) {
                                  original.push_back(e);
                                  return Status::Ok();
                                })
                  .ok());

  auto via_csv = RoundTrip(store_, bank_.id, ListFormat::kCsv, "csv");
  ExpectSameEntries(original, via_csv, true);
  auto via_jsonl = RoundTrip(store_, store_.GetBank("csv")->id, ListFormat::kJsonLines, "jsonl");
  ExpectSameEntries(original, via_jsonl, true);
  auto via_te = RoundTrip(store_, store_.GetBank("jsonl")->id, ListFormat::kThreatExchange, "te");
  ASSERT_EQ(via_te.size(), 1u);  // te carries active entries only, without provenance
  EXPECT_EQ(via_te[0].value, kPdq);
  auto back_to_csv = RoundTrip(store_, store_.GetBank("te")->id, ListFormat::kCsv, "csv2");
  ExpectSameEntries(via_te, back_to_csv, true);
}

}  // namespace
}  // namespace vigil::bank
