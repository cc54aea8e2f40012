// The evidence store options shared by `vigil purge`, `vigil cases decide` and `vigil serve`:
// --evidence-dir DIR (or VIGIL_EVIDENCE_DIR) and the master keys from --evidence-keys FILE or the
// VIGIL_EVIDENCE_KEYS variable (key file text), --evidence-key-id choosing the current key.
#ifndef VIGIL_CLI_EVIDENCE_OPTIONS_H_
#define VIGIL_CLI_EVIDENCE_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "core/result.h"
#include "privacy/evidence_store.h"

namespace vigil::cli {

struct EvidenceFlags {
  std::string dir;
  std::string keys_file;
  std::string key_id;
};

void AddEvidenceOptions(CLI::App& cmd, EvidenceFlags& flags);

// The evidence store, or null when no directory is configured; errors name the key source or
// the directory.
Result<std::unique_ptr<privacy::EvidenceStore>> OpenEvidenceStore(const EvidenceFlags& flags);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_EVIDENCE_OPTIONS_H_
