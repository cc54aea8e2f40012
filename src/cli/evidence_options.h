// The evidence store options shared by `vigil scan`, `vigil purge`, `vigil cases decide`,
// `vigil report ncmec|send` and `vigil serve`:
// --evidence-dir DIR (or VIGIL_EVIDENCE_DIR) and the master keys from --evidence-keys FILE or the
// VIGIL_EVIDENCE_KEYS variable (key file text), --evidence-key-id choosing the current key.
#ifndef VIGIL_CLI_EVIDENCE_OPTIONS_H_
#define VIGIL_CLI_EVIDENCE_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "privacy/evidence_store.h"
#include "privacy/pseudonym.h"

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

// The evidence store a hotline report reads media (and the sealed clear account id) from:
// kInvalidArgument when none is configured, since reports read nothing from plain directories.
Result<std::unique_ptr<privacy::EvidenceStore>> OpenReportEvidence(const EvidenceFlags& flags);

// Pseudonymisation keys (privacy/pseudonym.h): --pseudonym-keys FILE or the VIGIL_PSEUDONYM_KEYS
// variable (key file text), --pseudonym-key-id choosing the current key (default: the last).
struct PseudonymFlags {
  std::string keys_file;
  std::string key_id;
};

void AddPseudonymOptions(CLI::App& cmd, PseudonymFlags& flags);

// The pseudonymiser, or nullopt when no keys are configured; errors name the key source.
Result<std::optional<privacy::Pseudonymiser>> LoadPseudonyms(const PseudonymFlags& flags);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_EVIDENCE_OPTIONS_H_
