// Formatting review cases for `vigil cases` and `vigil scan`: one summary line per case, a
// detailed text view listing every item, and JSON with the same fields.
#ifndef VIGIL_CLI_CASE_OUTPUT_H_
#define VIGIL_CLI_CASE_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "cases/cases.h"

namespace vigil::cli {

// The case as JSON: its fields, every item (id, content type, received and added times, hashes,
// flags with raw values and bank entries) and every review. Times are RFC 3339 UTC.
nlohmann::ordered_json CaseJson(const cases::Case& c);

// "case N  STATE  priority=P items=K account=A technologies=T,... [held-by=R] [outcome=O]\n"
std::string CaseLine(const cases::Case& c);

// A multi-line view for a reviewer: the case, its lease and outcome, each item with its times,
// hashes and flags, and the reviews, oldest first.
std::string CaseDetail(const cases::Case& c);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_CASE_OUTPUT_H_
