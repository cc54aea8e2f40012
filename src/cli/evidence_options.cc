#include "cli/evidence_options.h"

#include <cstdlib>

#include "privacy/account_identity.h"

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

Result<std::unique_ptr<privacy::EvidenceStore>> OpenReportEvidence(const EvidenceFlags& flags) {
  ASSIGN_OR_RETURN(std::unique_ptr<privacy::EvidenceStore> store, OpenEvidenceStore(flags));
  if (!store) {
    return InvalidArgumentError(
        "no evidence store: give --evidence-dir (or VIGIL_EVIDENCE_DIR) and its master keys; "
        "reports read media only from the encrypted evidence store");
  }
  return store;
}

void AddPseudonymOptions(CLI::App& cmd, PseudonymFlags& flags) {
  cmd.add_option("--pseudonym-keys", flags.keys_file,
                 "Pseudonymisation key file, '<id> <hex>' per line (default: "
                 "VIGIL_PSEUDONYM_KEYS text; none when unset)");
  cmd.add_option("--pseudonym-key-id", flags.key_id,
                 "Key for new pseudonyms (default: the last in the file)");
}

Result<std::optional<privacy::Pseudonymiser>> LoadPseudonyms(const PseudonymFlags& flags) {
  const char* env = std::getenv("VIGIL_PSEUDONYM_KEYS");
  if (flags.keys_file.empty() && (env == nullptr || *env == '\0')) {
    return std::optional<privacy::Pseudonymiser>();
  }
  ASSIGN_OR_RETURN(privacy::Pseudonymiser p,
                   privacy::LoadPseudonymiser(flags.keys_file, env ? env : "", flags.key_id));
  return std::optional<privacy::Pseudonymiser>(std::move(p));
}

}  // namespace vigil::cli
