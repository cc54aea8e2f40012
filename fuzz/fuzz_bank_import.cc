// Bank list imports: CSV, JSON lines and threatexchange lists, as `vigil bank import` parses them.
// The first byte picks the format and options; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "bank/import.h"
#include "bank/list_rows.h"
#include "bank/signal.h"

using namespace vigil::bank;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ImportOptions options;
  options.format = mode % 3 == 0   ? ListFormat::kCsv
                   : mode % 3 == 1 ? ListFormat::kJsonLines
                                   : ListFormat::kThreatExchange;
  if (mode & 4) options.default_type = SignalType::kPdq;
  options.skip_invalid = (mode & 8) != 0;
  options.max_line_bytes = 1 << 16;
  options.max_listed_issues = 16;
  std::istringstream in(text);
  auto parsed = ParseList(in, options);
  if (parsed.ok() && parsed->invalid.size() > options.max_listed_issues) __builtin_trap();
  // The row parsers on their own, line by line.
  JsonRowParser json;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    (void)json.Parse(line);
    (void)ParseThreatExchangeLine(line, options.default_type);
  }
  return 0;
}
