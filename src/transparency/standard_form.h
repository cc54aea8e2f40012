// The standard form of a provider's annual report as versioned data.
//
// Art 3(4) of Regulation (EU) 2021/1232 lets the Commission fix the report's form by implementing
// act; Implementing Regulation (EU) 2024/2916 did so (its annex: nine categories, one per item
// of Art 3(1)(g)(vii)). A successor act may change the rows, so the form is data: one JSON file
// per act under data/standard-form/, embedded in the binary at build time, each row carrying the
// form's wording and the key of the vigil figure that answers it. A new act is a new file.
//
// Thread safety: plain values and free functions.
#ifndef VIGIL_TRANSPARENCY_STANDARD_FORM_H_
#define VIGIL_TRANSPARENCY_STANDARD_FORM_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::transparency {

// The act that lays down the form, as cited in reports.
struct FormAct {
  std::string id{};     // file name without ".json", e.g. "2024-2916"
  std::string title{};  // "Commission Implementing Regulation (EU) 2024/2916"
  std::string subject{};
  std::string celex{};
  std::string eli{};
  std::string official_journal{};
  std::string in_force_from{};
  std::string legal_basis{};
  std::string report_article{};
  std::string due{};
  std::string status_note{};
};

// One of the items (1)-(9) of Art 3(1)(g)(vii).
struct FormCategory {
  int number = 0;
  std::string title{};
  std::string description{};
};

// What kind of answer a row takes.
enum class AnswerKind { kCount, kText, kYesNo, kRate, kDuration };
std::string_view AnswerKindName(AnswerKind kind);  // "count", "text", "yes_no", "rate", "duration"

// One row of the annex.
struct FormRow {
  std::string id{};  // "<category>.<n>", numbered in the annex's order
  int category = 0;
  std::string ref{};          // the form's own label where it has one ("A1", "B2/A2")
  std::string group{};        // the annex's sub-group header ("Known CSAM", ...), or empty
  std::string subcategory{};  // the annex's wording
  std::string description{};  // the annex's description column
  bool optional = false;      // marked "(optional)" in the annex
  AnswerKind answer = AnswerKind::kText;
  std::string figure{};  // the key of the report figure that answers it
};

struct StandardForm {
  FormAct act{};
  std::vector<FormCategory> categories{};
  std::vector<FormRow> rows{};  // in the annex's order
};

// Parses a form file. kInvalidArgument naming `source` and the row for malformed JSON, missing
// fields, unknown answer kinds, duplicate row ids or figures, rows of undeclared categories and
// categories without rows.
Result<StandardForm> ParseStandardForm(std::string_view json, std::string_view source);

// The forms embedded at build time from data/standard-form/*.json, by id; kNotFound naming the
// known ids otherwise.
Result<StandardForm> BuiltInForm(std::string_view id);
std::vector<std::string> BuiltInFormIds();
// The id of the form reports use unless told otherwise.
inline constexpr char kDefaultFormId[] = "2024-2916";

// Reads and parses a form file (at most 4 MiB); errors name the path.
Result<StandardForm> LoadStandardForm(const std::string& path);

}  // namespace vigil::transparency

#endif  // VIGIL_TRANSPARENCY_STANDARD_FORM_H_
