// Parsing hash lists: every format, every kind of bad row with its line number, hostile input,
// and the atomic, idempotent import into a bank.
#include "bank/import.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "bank/in_memory_bank_store.h"

namespace vigil::bank {

void PrintTo(const ImportIssue& issue, std::ostream* os) {
  *os << "{" << issue.line << ", \"" << issue.message << "\"}";
}

namespace {

const std::string kPdqA(64, 'a');
const std::string kPdqB(64, 'b');
const std::string kMd5(32, 'd');

Result<ParsedList> Parse(const std::string& text, ImportOptions options) {
  std::istringstream in(text);
  return ParseList(in, options);
}
ImportOptions Format(ListFormat format) { return {.format = format}; }

std::vector<ImportIssue> Issues(std::initializer_list<std::pair<uint64_t, std::string>> list) {
  std::vector<ImportIssue> out;
  for (const auto& [line, msg] : list) out.push_back({line, msg});
  return out;
}

TEST(CsvImportTest, ReadsRequiredAndProvenanceColumns) {
  auto p = Parse(
      "signal_type,signal_value,source_ref,added_at,verifications,needs_verification,extra\n"
      "pdq," +
          kPdqA +
          ",\"NCMEC, id 1\",2024-05-01T12:00:00Z,2,true,ignored\n"
          "MD5," +
          std::string(32, 'D') + ",,,,,\n",
      Format(ListFormat::kCsv));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->rows, 2u);
  EXPECT_EQ(p->invalid_rows, 0u);
  ASSERT_EQ(p->entries.size(), 2u);
  NewEntry a = p->entries.Get(0);
  EXPECT_EQ(a.signal_type, SignalType::kPdq);
  EXPECT_EQ(a.value, kPdqA);
  EXPECT_EQ(a.source_ref, "NCMEC, id 1");
  EXPECT_EQ(FormatUtc(*a.added_at), "2024-05-01T12:00:00Z");
  EXPECT_EQ(a.verifications, 2);
  EXPECT_TRUE(a.needs_verification);
  NewEntry b = p->entries.Get(1);
  EXPECT_EQ(b.signal_type, SignalType::kMd5);
  EXPECT_EQ(b.value, kMd5);
  EXPECT_FALSE(b.added_at.has_value());
  EXPECT_EQ(b.verifications, 0);
}

TEST(CsvImportTest, QuotedFieldsMaySpanLinesAndKeepLineNumbersRight) {
  auto p =
      Parse("signal_value,source_ref,signal_type\r\n" + kPdqA +
                ",\"two\r\nlines, \"\"quoted\"\"\",pdq\r\n\r\n" + kPdqB + ",x,pdq\r\nbad,,pdq\r\n",
            Format(ListFormat::kCsv));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->entries.size(), 2u);
  EXPECT_EQ(p->entries.source_ref(0), "two\nlines, \"quoted\"");
  EXPECT_EQ(p->invalid, Issues({{6, "pdq value needs 64 hex digits, got 3 characters"}}));
}

TEST(CsvImportTest, ByteOrderMarkIsIgnored) {
  auto p =
      Parse("\xEF\xBB\xBFsignal_type,signal_value\npdq," + kPdqA + "\n", Format(ListFormat::kCsv));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->entries.size(), 1u);
}

TEST(CsvImportTest, DefaultTypeMakesTypeColumnOptional) {
  ImportOptions options{.format = ListFormat::kCsv, .default_type = SignalType::kMd5};
  auto p = Parse("signal_value\n" + kMd5 + "\n", options);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->entries.Get(0).signal_type, SignalType::kMd5);
}

TEST(CsvImportTest, HeaderWithoutRequiredColumnFailsWholeFile) {
  auto p = Parse("pdq," + kPdqA + "\n", Format(ListFormat::kCsv));
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(),
            "line 1: CSV header lacks column 'signal_type'; the first line must name the columns, "
            "e.g. signal_type,signal_value");
  EXPECT_EQ(Parse("signal_type\n", Format(ListFormat::kCsv)).status().message(),
            "line 1: CSV header lacks column 'signal_value'; the first line must name the columns, "
            "e.g. signal_type,signal_value");
  EXPECT_EQ(
      Parse("signal_type,signal_value,signal_type\n", Format(ListFormat::kCsv)).status().message(),
      "line 1: CSV header names column 'signal_type' twice");
  EXPECT_EQ(Parse("\"signal_type,signal_value\n", Format(ListFormat::kCsv)).status().message(),
            "line 1: CSV header: malformed CSV: quoted field not closed before the end of the "
            "input");
}

TEST(CsvImportTest, EmptyInputIsAnErrorButHeaderOnlyIsNot) {
  EXPECT_EQ(Parse("", Format(ListFormat::kCsv)).status().message(),
            "empty input: no rows to import");
  EXPECT_EQ(Parse("\n  \n", Format(ListFormat::kCsv)).status().message(),
            "empty input: no rows to import");
  auto p = Parse("signal_type,signal_value\n", Format(ListFormat::kCsv));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->rows, 0u);
}

TEST(CsvImportTest, EveryBadRowIsReportedWithItsLine) {
  const std::string text =
      "signal_type,signal_value,added_at,verifications\n"  // 1
      "pdq," +
      kPdqA +
      ",,\n"  // 2 ok
      "pdq," +
      kPdqA.substr(1) +
      ",,\n"  // 3 short
      "pdq,zz" +
      kPdqA.substr(2) +
      ",,\n"  // 4 non-hex
      "tmk," +
      kPdqA +
      ",,\n"      // 5 unknown type
      "pdq,,,\n"  // 6 missing value
      ",," +
      kPdqB +
      ",\n"  // 7 columns shifted
      "pdq," +
      kPdqB +
      "\n"  // 8 too few fields
      "pdq,\"" +
      kPdqB +
      "\"x,,\n"        // 9 text after quote
      "pdq,ab\"c,,\n"  // 10 quote in unquoted field
      "pdq," +
      kPdqB +
      ",yesterday,\n"  // 11 bad time
      "pdq," +
      kPdqB +
      ",,many\n"  // 12 bad number
      "md5," +
      kMd5 + ",,-1\n";                                                                // 13 negative
  std::string with_nul = text + "pdq," + kPdqB + ",," + std::string(1, '\0') + "\n";  // 14
  auto p = Parse(with_nul, Format(ListFormat::kCsv));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->rows, 13u);
  EXPECT_EQ(p->entries.size(), 1u);
  EXPECT_EQ(p->invalid_rows, 12u);
  EXPECT_EQ(
      p->invalid,
      Issues({
          {3, "pdq value needs 64 hex digits, got 63 characters"},
          {4, "pdq value has a non-hex character 'z' at position 1"},
          {5, "unknown signal type 'tmk' (known: pdq, md5, sha256, vpdq, video_md5, video_sha256)"},
          {6, "missing signal_value"},
          {7, "missing signal_type"},
          {8, "row has 2 fields, the header has 4"},
          {9, "malformed CSV: text after the closing quote in column 2"},
          {10, "malformed CSV: quote inside an unquoted field in column 2"},
          {11,
           "added_at: bad timestamp 'yesterday': not a date (expected UTC like "
           "2024-05-01T12:30:00Z or 2024-05-01)"},
          {12, "verifications: 'many' is not a whole number"},
          {13, "verifications must be 0..1000, got -1"},
          {14, "line contains a NUL byte"},
      }));
}

TEST(CsvImportTest, UnterminatedQuoteAtEndIsOneBadRow) {
  auto p =
      Parse("signal_type,signal_value\npdq," + kPdqA + "\npdq,\"abc\n\n", Format(ListFormat::kCsv));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->entries.size(), 1u);
  EXPECT_EQ(p->invalid,
            Issues({{3, "malformed CSV: quoted field not closed before the end of the input"}}));
}

TEST(JsonLinesImportTest, ReadsKnownKeysIgnoresOthers) {
  auto p = Parse(R"({"signal_type":"pdq","signal_value":")" + kPdqA +
                     R"(","source_ref":"a\"b","added_at":"2024-05-01","verifications":1,)"
                     R"("needs_verification":false,"meta":{"x":[1,2,{"y":null}]},"n":1.5})"
                     "\n\n"
                     R"({"signal_type":"video_md5","signal_value":")" +
                     kMd5 +
                     R"(","source_ref":null})"
                     "\n",
                 Format(ListFormat::kJsonLines));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->entries.size(), 2u) << (p->invalid.empty() ? "" : p->invalid[0].message);
  NewEntry a = p->entries.Get(0);
  EXPECT_EQ(a.source_ref, "a\"b");
  EXPECT_EQ(FormatUtc(*a.added_at), "2024-05-01T00:00:00Z");
  EXPECT_EQ(a.verifications, 1);
  EXPECT_EQ(p->entries.Get(1).signal_type, SignalType::kMd5);
  EXPECT_EQ(p->entries.Get(1).source_ref, "");
}

TEST(JsonLinesImportTest, EveryBadRowIsReportedWithItsLine) {
  const std::string v = R"("signal_value":")" + kPdqA + R"(")";
  const std::string text = "{\"signal_type\":\"pdq\"," + v +
                           "}\n"                                                  // 1 ok
                           "{\"signal_type\":\"pdq\"\n"                           // 2 truncated
                           "[1,2]\n"                                              // 3 array
                           "\"pdq\"\n"                                            // 4 string
                           "{\"signal_type\":\"pdq\",\"signal_type\":\"md5\"}\n"  // 5 dup key
                           "{\"signal_type\":3," +
                           v +
                           "}\n"  // 6 wrong type
                           "{\"signal_type\":\"pdq\"," +
                           v +
                           ",\"verifications\":\"2\"}\n"  // 7
                           "{\"signal_type\":\"pdq\"," +
                           v +
                           "} {}\n"                       // 8 two values
                           "{\"signal_type\":\"pdq\"}\n"  // 9 missing value
                           + std::string(100000, '[') +
                           "\n"  // 10 deep nesting
                           "{\"x\":" +
                           std::string(50, '[') +
                           "}\n"                             // 11 deep in unknown
                           "{\"signal_type\":{\"a\":1}}\n";  // 12 object value
  auto p = Parse(text, ImportOptions{.format = ListFormat::kJsonLines, .max_line_bytes = 200000});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->entries.size(), 1u);
  ASSERT_EQ(p->invalid.size(), 11u);
  std::vector<uint64_t> lines;
  for (const auto& issue : p->invalid) lines.push_back(issue.line);
  EXPECT_EQ(lines, (std::vector<uint64_t>{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(p->invalid[0].message.rfind("malformed JSON at column ", 0), 0u)
      << p->invalid[0].message;
  EXPECT_EQ(p->invalid[1].message, "expected a JSON object, got an array");
  EXPECT_EQ(p->invalid[2].message, "expected a JSON object, got a string");
  EXPECT_EQ(p->invalid[3].message, "duplicate key 'signal_type'");
  EXPECT_EQ(p->invalid[4].message, "signal_type must not be a number");
  EXPECT_EQ(p->invalid[5].message, "verifications must be a number, not a string");
  EXPECT_EQ(p->invalid[6].message.rfind("malformed JSON at column ", 0), 0u)
      << p->invalid[6].message;
  EXPECT_EQ(p->invalid[7].message, "missing signal_value");
  EXPECT_EQ(p->invalid[8].message, "expected a JSON object, got an array");
  EXPECT_EQ(p->invalid[9].message, "JSON nested deeper than 8 levels");
  EXPECT_EQ(p->invalid[10].message, "signal_type must not be an object");
}

TEST(ThreatExchangeImportTest, ReadsTypedLinesWithItsTypeNames) {
  auto p = Parse("pdq " + kPdqA + "\nvideo_md5 " + kMd5 + "\n\nvideo_sha256 " + kPdqB + "\n",
                 Format(ListFormat::kThreatExchange));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->entries.size(), 3u);
  EXPECT_EQ(p->entries.Get(1).signal_type, SignalType::kMd5);
  EXPECT_EQ(p->entries.Get(2).signal_type, SignalType::kSha256);
}

TEST(ThreatExchangeImportTest, BareHashesNeedAType) {
  ImportOptions typed{.format = ListFormat::kThreatExchange, .default_type = SignalType::kPdq};
  auto p = Parse(kPdqA + "\n  " + kPdqB + "  \n", typed);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->entries.size(), 2u);
  auto untyped = Parse(kPdqA + "\nmd5\n", Format(ListFormat::kThreatExchange));
  ASSERT_TRUE(untyped.ok());
  EXPECT_EQ(
      untyped->invalid,
      Issues({{1, "expected '<signal_type> <value>' (give a type for a file of bare hashes)"},
              {2, "expected '<signal_type> <value>' (give a type for a file of bare hashes)"}}));
}

TEST(ImportTest, DuplicateRowsAreReportedWithBothLinesAndDropped) {
  auto p = Parse(
      "pdq " + kPdqA + "\npdq " + kPdqB + "\nPDQ " + std::string(64, 'A') + "\npdq " + kPdqB + "\n",
      Format(ListFormat::kThreatExchange));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->entries.size(), 2u);
  EXPECT_EQ(p->duplicate_rows, 2u);
  EXPECT_EQ(p->duplicates, Issues({{3, "duplicate of line 1"}, {4, "duplicate of line 2"}}));
}

TEST(ImportTest, HostileInputGivesRowErrorsNotCrashes) {
  std::mt19937 rng(7);
  std::string garbage;
  for (int i = 0; i < 200000; ++i) garbage += static_cast<char>(rng() & 0xff);
  for (ListFormat f : {ListFormat::kCsv, ListFormat::kJsonLines, ListFormat::kThreatExchange}) {
    auto p = Parse(garbage, Format(f));
    if (p.ok()) {
      EXPECT_EQ(p->entries.size(), 0u);
      EXPECT_GT(p->invalid_rows, 0u);
    } else {
      EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);  // a CSV header problem
    }
  }
  // One enormous line, no newline at all.
  auto huge = Parse(std::string(9 << 20, 'a'), Format(ListFormat::kThreatExchange));
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->invalid, Issues({{1, "line longer than 8388608 bytes"}}));
  auto huge_csv = Parse("signal_type,signal_value\n" + std::string(9 << 20, 'a') + "\npdq," + kPdqA,
                        Format(ListFormat::kCsv));
  ASSERT_TRUE(huge_csv.ok());
  EXPECT_EQ(huge_csv->invalid, Issues({{2, "record longer than 8388608 bytes"}}));
  EXPECT_EQ(huge_csv->entries.size(), 1u);
}

TEST(ImportTest, ListedIssuesAreCappedButAllCounted) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "pdq nothex\n";
  ImportOptions options{.format = ListFormat::kThreatExchange, .max_listed_issues = 5};
  auto p = Parse(text, options);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->invalid_rows, 50u);
  EXPECT_EQ(p->invalid.size(), 5u);
}

TEST(ImportTest, ParseProgressReportsBytesAndCanCancel) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "pdq " + kPdqA + "\n";
  uint64_t last = 0;
  ImportOptions options{.format = ListFormat::kThreatExchange};
  options.parse_progress = [&](uint64_t bytes) {
    last = bytes;
    return Status::Ok();
  };
  ASSERT_TRUE(Parse(text, options).ok());
  EXPECT_EQ(last, text.size());
  options.parse_progress = [](uint64_t) { return UnavailableError("cancelled"); };
  EXPECT_EQ(Parse(text, options).status(), UnavailableError("cancelled"));
}

class ImportListTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.CreateBank({.name = "b"}).ok()); }
  Result<ImportReport> Import(const std::string& text, ImportOptions options) {
    std::istringstream in(text);
    return ImportList(store_, "b", in, options);
  }
  uint64_t Count() { return store_.GetStats(store_.GetBank("b")->id)->total; }

  InMemoryBankStore store_;
};

TEST_F(ImportListTest, AnyInvalidRowMeansNothingIsWritten) {
  auto r = Import("pdq " + kPdqA + "\npdq bad\n", Format(ListFormat::kThreatExchange));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->written);
  EXPECT_EQ(r->status().message(),
            "1 of 2 rows are invalid; nothing was imported (fix them or skip invalid rows)");
  EXPECT_EQ(r->invalid, Issues({{2, "pdq value needs 64 hex digits, got 3 characters"}}));
  EXPECT_EQ(Count(), 0u);
}

TEST_F(ImportListTest, SkipInvalidWritesTheValidRows) {
  ImportOptions options{.format = ListFormat::kThreatExchange, .skip_invalid = true};
  auto r = Import("pdq " + kPdqA + "\npdq bad\n", options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->written);
  EXPECT_TRUE(r->status().ok());
  EXPECT_EQ(r->result.added, 1u);
  EXPECT_EQ(Count(), 1u);
}

TEST_F(ImportListTest, ReimportingIsIdempotent) {
  const std::string text = "pdq " + kPdqA + "\npdq " + kPdqB + "\n";
  auto first = Import(text, Format(ListFormat::kThreatExchange));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->result.added, 2u);
  auto second = Import(text, Format(ListFormat::kThreatExchange));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->result.added, 0u);
  EXPECT_EQ(second->result.already_present, 2u);
  EXPECT_EQ(Count(), 2u);
}

TEST_F(ImportListTest, UnknownBankFailsBeforeReading) {
  std::istringstream in("not even parsed");
  auto r = ImportList(store_, "nope", in, Format(ListFormat::kCsv));
  EXPECT_EQ(r.status(), NotFoundError("bank 'nope' does not exist"));
}

TEST(ListFormatTest, ParsesNames) {
  EXPECT_EQ(*ParseListFormat("te"), ListFormat::kThreatExchange);
  EXPECT_EQ(ParseListFormat("xml").status().message(),
            "unknown list format 'xml' (csv, jsonl or te)");
}

}  // namespace
}  // namespace vigil::bank
