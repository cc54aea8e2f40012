// The standard-form data file against the annex as transcribed in
// ../shared/specs/eu-2024-2916-standard-form.md: the test reads the spec's markdown itself (its
// tables, and the templates it gives for categories 5 and 7) and checks that the built-in form
// has every row, in order, with the annex's wording, and nothing else.
#include "transparency/standard_form.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::transparency {
namespace {

namespace fs = std::filesystem;
const fs::path kSpec = fs::path(VIGIL_SHARED_DIR) / "specs" / "eu-2024-2916-standard-form.md";

std::string Trim(std::string s) {
  const char* ws = " \t\r";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line.substr(1));  // after the leading '|'
  std::string cell;
  while (std::getline(in, cell, '|')) cells.push_back(Trim(cell));
  if (!cells.empty() && cells.back().empty()) cells.pop_back();
  return cells;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A row as the spec gives it. `text` may hold "…" (the spec elides the rest of a repeated
// phrase): then the form's wording must start with the part before it.
struct SpecRow {
  std::string group, text, description;
  bool optional = false;
  bool description_is_prefix = false;
};

struct Block {
  std::string group, object, description, base_noun;
};

struct Spec {
  std::map<int, std::string> titles;
  std::string category6_description;
  std::map<int, std::vector<SpecRow>> rows;  // categories with tables (1-4, 6, 8, 9)
  std::vector<Block> blocks;                 // category 5
  std::vector<std::string> template5;        // category 5, 9 rows
  std::vector<std::pair<std::string, std::string>> template7;  // category 7: text, heading
};

Spec ReadSpec(const std::string& markdown) {
  Spec spec;
  std::stringstream in(markdown);
  std::string line;
  int category = 0;
  bool annex = false;
  const std::regex heading(R"(^### (\d)\) (.*)$)");
  const std::regex numbered(R"(^(\d+)\. (.*)$)");
  const std::regex block(R"re(^- (.+) × (.+) \("(.+)"\)\. Base noun: "(.+)"$)re");
  std::smatch m;
  while (std::getline(in, line)) {
    if (StartsWith(line, "## ANNEX")) annex = true;
    if (StartsWith(line, "## Implementation notes")) break;
    if (!annex) continue;
    if (std::regex_match(line, m, heading)) {
      category = std::stoi(m[1]);
      spec.titles[category] = m[2];
      continue;
    }
    if (category == 6 && StartsWith(line, "Category description: \"")) {
      spec.category6_description = line.substr(23, line.rfind('"') - 23);
    }
    if (category == 5 && std::regex_match(line, m, block)) {
      spec.blocks.push_back({m[1], m[2], m[3], m[4]});
    }
    if ((category == 5 || category == 7) && std::regex_match(line, m, numbered)) {
      std::string text = m[2];
      if (category == 5) {
        spec.template5.push_back(text);
      } else {
        const size_t bracket = text.rfind(" [");
        spec.template7.emplace_back(text.substr(0, bracket),
                                    text.substr(bracket + 2, text.size() - bracket - 3));
      }
      continue;
    }
    if (line.empty() || line[0] != '|' || StartsWith(line, "|---")) continue;
    std::vector<std::string> cells = Cells(line);
    if (cells.empty() || cells[0] == "Subcategory" || cells[0] == "Group") continue;  // headers
    SpecRow row;
    if (cells[0] == "(no subcategory)") {
      row.description = cells.at(1);
    } else if (category == 4 || category == 8) {
      row = {cells.at(0), cells.at(1), cells.size() > 2 ? cells[2] : ""};
    } else if (category == 6) {
      row = {cells.at(0), cells.at(1), ""};
    } else {
      row = {"", cells.at(0), cells.size() > 1 ? cells[1] : ""};
    }
    spec.rows[category].push_back(row);
  }
  return spec;
}

// Category 5's 45 rows from the spec's template and its substitution rules.
std::vector<SpecRow> ExpandCategory5(const Spec& spec) {
  const std::string known_items = "content items removed as constituting known CSAM";
  std::vector<SpecRow> rows;
  for (const Block& b : spec.blocks) {
    const std::string noun = ReplaceAll(b.base_noun, "(s)", "s");
    const bool accounts = b.object != "content items";
    const std::string adjective = noun.substr(noun.find("constituting ") + 13);
    for (size_t k = 0; k < spec.template5.size(); ++k) {
      std::string t = spec.template5[k];
      SpecRow row{b.group, "", b.description};
      if (EndsWith(t, " (opt)")) {
        row.optional = true;
        t.resize(t.size() - 6);
      }
      if (!accounts) {
        row.text = ReplaceAll(t, "known CSAM", adjective);
      } else if (k == 0 || k == 3 || k == 7) {
        row.text = ReplaceAll(t, known_items, noun);
      } else {
        // "removal of the content item" becomes "suspension of the user account in the EU", and
        // "restore or keep the removal" "... the suspension"; the rest of the wording is checked
        // as a prefix up to the substitution.
        const std::string from = t.find("restore or keep the removal") != std::string::npos
                                     ? "restore or keep the removal"
                                     : "removal";  // "removal of the content item" or "removal …"
        const std::string to = from == "restore or keep the removal"
                                   ? "restore or keep the suspension"
                                   : "suspension of the user account in the EU";
        row.text = t.substr(0, t.find(from)) + to + " …";
      }
      rows.push_back(row);
    }
  }
  return rows;
}

std::vector<SpecRow> ExpandCategory7(const Spec& spec) {
  const std::vector<std::string> groups = {"Known CSAM", "New CSAM", "Solicitation"};
  const std::vector<std::string> indicators = {"hashes", "AI classifiers", "AI classifiers"};
  const std::vector<std::string> flagged = {"known CSAM", "possible new CSAM",
                                            "possible solicitation"};
  std::vector<SpecRow> rows;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (const auto& [text, heading] : spec.template7) {
      std::string t = ReplaceAll(text, "hashes | AI classifiers", indicators[g]);
      t = ReplaceAll(t, "known CSAM | possible new CSAM | possible solicitation", flagged[g]);
      rows.push_back({groups[g], t, heading, false, /*description_is_prefix=*/true});
    }
  }
  return rows;
}

class StandardFormTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSpec)) GTEST_SKIP() << "shared spec not found: " << kSpec;
    std::ifstream in(kSpec);
    std::stringstream text;
    text << in.rdbuf();
    spec_ = ReadSpec(text.str());
    auto form = BuiltInForm(kDefaultFormId);
    ASSERT_TRUE(form.ok()) << form.status().ToString();
    form_ = *form;
  }

  std::vector<FormRow> RowsOf(int category) const {
    std::vector<FormRow> out;
    for (const FormRow& r : form_.rows) {
      if (r.category == category) out.push_back(r);
    }
    return out;
  }

  void ExpectRows(int category, const std::vector<SpecRow>& expected) const {
    const std::vector<FormRow> rows = RowsOf(category);
    ASSERT_EQ(rows.size(), expected.size()) << "category " << category;
    for (size_t i = 0; i < rows.size(); ++i) {
      const SpecRow& e = expected[i];
      SCOPED_TRACE(rows[i].id);
      EXPECT_EQ(rows[i].group, e.group);
      if (size_t cut = e.text.find("…"); cut != std::string::npos) {
        EXPECT_TRUE(StartsWith(rows[i].subcategory, Trim(e.text.substr(0, cut))))
            << rows[i].subcategory << "\n does not start with\n"
            << e.text;
      } else {
        EXPECT_EQ(rows[i].subcategory, e.text);
      }
      if (e.description_is_prefix) {
        EXPECT_TRUE(StartsWith(rows[i].description, e.description)) << rows[i].description;
      } else {
        EXPECT_EQ(rows[i].description, e.description);
      }
      EXPECT_EQ(rows[i].optional, e.optional);
    }
  }

  Spec spec_;
  StandardForm form_;
};

TEST_F(StandardFormTest, SpecParsesIntoTheAnnexShape) {
  // Guards the parser itself: the spec's own counts (nine categories, 45 rows in category 5,
  // 14 per group in category 7).
  EXPECT_EQ(spec_.titles.size(), 9u);
  EXPECT_EQ(spec_.blocks.size(), 5u);
  EXPECT_EQ(spec_.template5.size(), 9u);
  EXPECT_EQ(spec_.template7.size(), 14u);
  EXPECT_EQ(spec_.rows[1].size(), 12u);
  EXPECT_EQ(spec_.rows[4].size(), 15u);
  EXPECT_EQ(spec_.rows[6].size(), 15u);
  EXPECT_EQ(spec_.rows[8].size(), 13u);
  EXPECT_EQ(spec_.rows[9].size(), 3u);
}

TEST_F(StandardFormTest, CategoriesHaveTheAnnexTitles) {
  ASSERT_EQ(form_.categories.size(), spec_.titles.size());
  for (const FormCategory& c : form_.categories) {
    EXPECT_EQ(c.title, spec_.titles.at(c.number)) << "category " << c.number;
  }
  EXPECT_EQ(form_.categories.at(5).description, spec_.category6_description);
}

TEST_F(StandardFormTest, TableCategoriesHaveEveryRowInOrder) {
  for (int category : {1, 2, 3, 4, 6, 8, 9}) ExpectRows(category, spec_.rows[category]);
}

TEST_F(StandardFormTest, ComplaintCategoryHasTheFortyFiveTemplateRows) {
  const std::vector<SpecRow> expected = ExpandCategory5(spec_);
  ASSERT_EQ(expected.size(), 45u);
  ExpectRows(5, expected);
  int optional = 0;
  for (const FormRow& r : RowsOf(5)) optional += r.optional;
  EXPECT_EQ(optional, 20);  // the spec: "45 rows, 20 of them optional"
  // The one wording the spec spells out for the solicitation block.
  EXPECT_TRUE(
      EndsWith(RowsOf(5).at(41).subcategory,
               "against the suspension of the user account in the EU for soliciting a child"));
}

TEST_F(StandardFormTest, MeasuresCategoryHasFourteenRowsPerGroup) {
  ExpectRows(7, ExpandCategory7(spec_));
}

TEST_F(StandardFormTest, EveryRowHasAUniqueIdAndFigure) {
  EXPECT_EQ(form_.rows.size(), 147u);  // 12 + 1 + 1 + 15 + 45 + 15 + 42 + 13 + 3
  std::set<std::string> ids, figures;
  for (const FormRow& r : form_.rows) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    EXPECT_TRUE(figures.insert(r.figure).second) << r.figure;
  }
  EXPECT_EQ(form_.act.title, "Commission Implementing Regulation (EU) 2024/2916");
  EXPECT_EQ(form_.act.celex, "32024R2916");
}

TEST_F(StandardFormTest, ErrorRateRowsCarryTheFormsLabels) {
  std::vector<std::string> refs;
  for (const FormRow& r : RowsOf(6)) {
    if (!r.ref.empty()) refs.push_back(r.ref);
  }
  EXPECT_EQ(refs, (std::vector<std::string>{"A1", "B1", "B1/A1", "C1", "A2", "B2", "B2/A2", "C2",
                                            "A3", "B3", "B3/A3", "C3"}));
}

TEST(StandardFormFile, EmbeddedFormIsTheShippedFile) {
  const fs::path file = fs::path(VIGIL_SOURCE_DIR) / "data" / "standard-form" / "2024-2916.json";
  auto loaded = LoadStandardForm(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto built_in = BuiltInForm("2024-2916");
  ASSERT_TRUE(built_in.ok());
  EXPECT_EQ(loaded->rows.size(), built_in->rows.size());
  EXPECT_EQ(BuiltInFormIds(), std::vector<std::string>{"2024-2916"});
}

TEST(StandardFormFile, UnknownFormIdNamesTheKnownOnes) {
  auto form = BuiltInForm("2031-1");
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.status().code(), StatusCode::kNotFound);
  EXPECT_NE(form.status().message().find("2024-2916"), std::string::npos);
}

TEST(StandardFormFile, BadFormFilesAreRefusedWithTheirName) {
  struct Case {
    std::string json, expect;
  };
  const std::string head = R"({"format":"vigil-standard-form","act":{"id":"x","title":"t"},)"
                           R"("categories":[{"number":1,"title":"c"}],"rows":)";
  const std::string row = R"({"id":"1.1","category":1,"group":"","subcategory":"s",)"
                          R"("answer":"count","figure":"f"})";
  for (
      const Case& c : std::vector<Case>{
          {"{", "line 1: malformed JSON"},
          {std::string(100, '[') + std::string(100, ']'), "nested deeper"},
          {R"({"format":"other"})", "expected \"vigil-standard-form\""},
          {head + "[]}", "category 1 has no rows"},
          {head + "[" + row + "," + row + "]}", "row id 1.1 appears twice"},
          {head +
               R"([{"id":"1.1","category":2,"group":"","subcategory":"s","answer":"count","figure":"f"}]})",
           "undeclared category 2"},
          {head +
               R"([{"id":"1.1","category":1,"group":"","subcategory":"s","answer":"many","figure":"f"}]})",
           "answer \"many\""},
          {head +
               R"([{"id":"1.1","category":"1","group":"","subcategory":"s","answer":"count","figure":"f"}]})",
           "field \"category\" must be an integer"},
      }) {
    auto form = ParseStandardForm(c.json, "bad.json");
    ASSERT_FALSE(form.ok()) << c.json;
    EXPECT_NE(form.status().message().find("bad.json"), std::string::npos);
    EXPECT_NE(form.status().message().find(c.expect), std::string::npos) << form.status().message();
  }
}

}  // namespace
}  // namespace vigil::transparency
