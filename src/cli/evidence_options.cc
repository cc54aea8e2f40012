#include "cli/evidence_options.h"

#include <cstdlib>

namespace vigil::cli {

void AddEvidenceOptions(CLI::App& cmd, EvidenceFlags& flags) {
  cmd.add_option("--evidence-dir", flags.dir,
                 "Encrypted evidence directory (default: VIGIL_EVIDENCE_DIR; none when unset)");
  cmd.add_option("--evidence-keys", flags.keys_file,
                 "Master key file, '<id> <64 hex>' per line (default: VIGIL_EVIDENCE_KEYS text)");
  cmd.add_option("--evidence-key-id", flags.key_id, "Master key for new files (default: first)");
}

Result<std::unique_ptr<privacy::EvidenceStore>> OpenEvidenceStore(const EvidenceFlags& flags) {
  std::string dir = flags.dir;
  if (dir.empty()) {
    const char* env = std::getenv("VIGIL_EVIDENCE_DIR");
    if (env != nullptr) dir = env;
  }
  if (dir.empty()) return std::unique_ptr<privacy::EvidenceStore>();
  const char* keys_env = std::getenv("VIGIL_EVIDENCE_KEYS");
  ASSIGN_OR_RETURN(
      privacy::EvidenceCipher cipher,
      privacy::LoadEvidenceCipher(flags.keys_file, keys_env ? keys_env : "", flags.key_id));
  return privacy::EvidenceStore::Open(dir, std::move(cipher));
}

}  // namespace vigil::cli
