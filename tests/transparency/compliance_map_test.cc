// docs/compliance.md against the duties it maps and the tests it names: every duty of
// ../shared/specs/compliance-duties.md has a row with the same wording, every row has a status
// that says plainly what is missing, and every test it names is in the ctest list of this build.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line.substr(1));
  std::string cell;
  while (std::getline(in, cell, '|')) {
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells.push_back(cell);
  }
  return cells;
}

// Rows of the markdown table whose first cell is a number, by that number.
std::map<int, std::vector<std::string>> NumberedRows(const std::string& markdown) {
  std::map<int, std::vector<std::string>> rows;
  std::stringstream in(markdown);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 2 || line[0] != '|') continue;
    std::vector<std::string> cells = Cells(line);
    if (cells.empty() || cells[0].empty() ||
        !std::isdigit(static_cast<unsigned char>(cells[0][0]))) {
      continue;
    }
    rows[std::stoi(cells[0])] = cells;
  }
  return rows;
}

// Every test ctest knows in this build, reduced to Suite.Name (instantiation prefixes and
// parameter suffixes dropped).
std::set<std::string> CtestNames() {
  std::set<std::string> names;
  const std::string cmd =
      std::string("'") + VIGIL_CTEST + "' --test-dir '" + VIGIL_BINARY_DIR + "' -N 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return names;
  char buf[4096];
  const std::regex test(R"(Test +#[0-9]+: (\S+))");
  std::smatch m;
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    std::string line(buf);
    if (!std::regex_search(line, m, test)) continue;
    std::string name = m[1];
    std::stringstream parts(name);
    std::string part;
    while (std::getline(parts, part, '/')) {
      if (part.find('.') != std::string::npos) names.insert(part);
    }
  }
  pclose(pipe);
  return names;
}

const fs::path kDuties = fs::path(VIGIL_SHARED_DIR) / "specs" / "compliance-duties.md";
const fs::path kMap = fs::path(VIGIL_SOURCE_DIR) / "docs" / "compliance.md";

TEST(ComplianceMap, EveryDutyHasARowWithItsWordingAndAPlainStatus) {
  if (!fs::exists(kDuties)) GTEST_SKIP() << "shared spec not found: " << kDuties;
  const auto duties = NumberedRows(Read(kDuties));
  const auto map = NumberedRows(Read(kMap));
  ASSERT_EQ(duties.size(), 22u);
  ASSERT_EQ(map.size(), duties.size());
  for (const auto& [n, duty] : duties) {
    SCOPED_TRACE("duty " + std::to_string(n));
    ASSERT_TRUE(map.count(n));
    const std::vector<std::string>& row = map.at(n);
    ASSERT_EQ(row.size(), 5u);
    EXPECT_EQ(row[1], duty.at(1));
    const std::string& status = row[2];
    const bool done = status.rfind("done", 0) == 0;
    EXPECT_TRUE(done || status.rfind("partly: ", 0) == 0 || status.rfind("not yet: ", 0) == 0)
        << status;
    if (!done) {
      EXPECT_TRUE(std::regex_search(status, std::regex("issue [0-9]+"))) << status;
    }
    if (status.rfind("not yet", 0) != 0) {
      EXPECT_NE(row[4], "") << "a row that is not 'not yet' names its tests";
    }
  }
}

TEST(ComplianceMap, EveryNamedTestExistsInThisBuild) {
  const std::set<std::string> known = CtestNames();
  ASSERT_GT(known.size(), 100u) << "could not list the tests with " << VIGIL_CTEST;
  const std::regex named("`([A-Za-z0-9_]+\\.[A-Za-z0-9_]+)`");
  int checked = 0;
  for (const auto& [n, row] : NumberedRows(Read(kMap))) {
    const std::string& tests = row.at(4);
    for (auto it = std::sregex_iterator(tests.begin(), tests.end(), named);
         it != std::sregex_iterator(); ++it) {
      ++checked;
      EXPECT_TRUE(known.count((*it)[1]))
          << "duty " << n << " names " << (*it)[1] << ", which is not a test of this build";
    }
  }
  EXPECT_GT(checked, 30);
}

}  // namespace
