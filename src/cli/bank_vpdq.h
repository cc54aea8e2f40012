// `vigil bank import --format vpdq` and `vigil bank export --format vpdq`: reference vPDQ files
// (one video per file, `frameNumber,quality,pdqHex,timestamp` lines) in and out of a bank.
#ifndef VIGIL_CLI_BANK_VPDQ_H_
#define VIGIL_CLI_BANK_VPDQ_H_

#include <string>
#include <vector>

#include "bank/bank.h"

namespace vigil::cli {

struct VpdqImportFlags {
  std::string bank;
  std::vector<std::string> files;
  std::string source_ref;  // default: each file's name
  int verifications = 0;
  bool needs_verification = false;
  bool quiet = false;
};

// Reads every file, then adds one entry per file in one transaction: a bad file (each is
// reported with its line) or a failed write leaves the bank unchanged. Returns the exit code.
int ImportVpdqFiles(bank::BankStore& store, const VpdqImportFlags& flags);

// Writes each vPDQ entry of `bank` as DIR/<entry id>.txt in the reference format, plus
// DIR/entries.csv naming each file's entry and provenance. Other types are skipped and counted.
// Returns the exit code.
int ExportVpdqFiles(bank::BankStore& store, const bank::Bank& bank, const std::string& dir,
                    bool include_retired, bool quiet);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_BANK_VPDQ_H_
