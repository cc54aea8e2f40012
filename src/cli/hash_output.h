// Formatting `vigil hash` results as text, CSV or JSON lines.
#ifndef VIGIL_CLI_HASH_OUTPUT_H_
#define VIGIL_CLI_HASH_OUTPUT_H_

#include <string>

#include "core/result.h"
#include "detect/media_hasher.h"

namespace vigil::cli {

// kVpdq is Meta's vpdq-hash-video output (`frame,quality,pdq_hex,timestamp` per hashed frame),
// for videos only.
enum class HashFormat { kText, kCsv, kJsonl, kVpdq };

// Parses "text", "csv", "jsonl" or "vpdq".
Result<HashFormat> ParseHashFormat(const std::string& name);

// The CSV header line (with a newline), or "" for formats without one.
std::string HashHeader(HashFormat format, bool dihedral);

// One record for `file` (as given on the command line), ending in a newline. A video gives one
// record per hashed frame in CSV (file written as `FILE#t=SECONDS`, a W3C media fragment), one
// JSON object with a "vpdq" array in JSONL, a summary line plus a line per frame in text.
// kVpdq for an image is an error the caller reports (FormatHashRecord returns "").
std::string FormatHashRecord(HashFormat format, const std::string& file,
                             const detect::MediaHashes& hashes, bool dihedral);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_HASH_OUTPUT_H_
