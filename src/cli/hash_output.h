// Formatting `vigil hash` results as text, CSV or JSON lines.
#ifndef VIGIL_CLI_HASH_OUTPUT_H_
#define VIGIL_CLI_HASH_OUTPUT_H_

#include <string>

#include "core/result.h"
#include "detect/media_hasher.h"

namespace vigil::cli {

enum class HashFormat { kText, kCsv, kJsonl };

// Parses "text", "csv" or "jsonl".
Result<HashFormat> ParseHashFormat(const std::string& name);

// The CSV header line (with a newline), or "" for formats without one.
std::string HashHeader(HashFormat format, bool dihedral);

// One record for `file` (as given on the command line), ending in a newline.
std::string FormatHashRecord(HashFormat format, const std::string& file,
                             const detect::MediaHashes& hashes, bool dihedral);

// RFC 4180 quoting when the field has a comma, quote or line break.
std::string CsvField(const std::string& field);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_HASH_OUTPUT_H_
