// The evidence store: media of flagged items kept encrypted at rest (Art 3(1)(h)-(i)) under one
// directory, one file per item ("case-<id>/item-<position>.vgev", sealed by EvidenceCipher for
// the evidence id "case:<id>/item:<position>", so a file moved to another item fails to open).
// Files are written atomically (temporary file, then rename; mode 0600) and indexed in the
// PrivacyStore row first, file second (StoreEvidence), so a crash can leave a row without its
// file (reads say so) but never a file the purge does not know about.
//
// Thread safety: an EvidenceStore is immutable after Open; its calls touch distinct files and
// are safe from several threads.
#ifndef VIGIL_PRIVACY_EVIDENCE_STORE_H_
#define VIGIL_PRIVACY_EVIDENCE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "privacy/evidence_cipher.h"
#include "privacy/privacy_store.h"

namespace vigil::privacy {

// Largest evidence file read back (sealed size).
inline constexpr uint64_t kMaxEvidenceBytes = uint64_t{1} << 30;

class EvidenceStore {
 public:
  // Creates `dir` (mode 0700) when missing. kInvalidArgument when it exists and is not a
  // directory; kUnavailable when it cannot be created.
  static Result<std::unique_ptr<EvidenceStore>> Open(std::filesystem::path dir,
                                                     EvidenceCipher cipher);

  // "case-42/item-3.vgev".
  static std::string FileFor(int64_t case_id, int64_t position);

  // Seals `plain` and writes it; the sealed size.
  Result<int64_t> Write(int64_t case_id, int64_t position, std::span<const uint8_t> plain) const;
  // Reads and opens the file: kNotFound naming the file when it is missing; kDataLoss naming the
  // file when it was changed, truncated or belongs to another item; kNotFound naming the key id
  // when its master key is not configured.
  Result<std::vector<uint8_t>> Read(int64_t case_id, int64_t position) const;
  // Deletes every file of the case (nothing to do when there is none).
  Status RemoveCase(int64_t case_id) const;
  // Every evidence file under the directory, relative, sorted (temporary files excluded).
  Result<std::vector<std::string>> ListFiles() const;

  const std::filesystem::path& dir() const { return dir_; }
  // The cipher, for records sealed beside the files (account_identity.h).
  const EvidenceCipher& cipher() const { return cipher_; }

 private:
  EvidenceStore(std::filesystem::path dir, EvidenceCipher cipher)
      : dir_(std::move(dir)), cipher_(std::move(cipher)) {}

  std::filesystem::path dir_;
  EvidenceCipher cipher_;
};

// Writes evidence of an item: the index row, then the file.
Status StoreEvidence(PrivacyStore& store, const EvidenceStore& evidence, int64_t case_id,
                     int64_t position, std::span<const uint8_t> plain, TimePoint now);

// The cipher from a master key file (`key_file`) or, when that is empty, from the key file text
// in `env_text` (the VIGIL_EVIDENCE_KEYS environment variable); `current_id` chooses the key for
// new files (the first key when empty). kInvalidArgument naming the source when neither is
// given or the keys are malformed; kNotFound when the file does not exist.
Result<EvidenceCipher> LoadEvidenceCipher(const std::string& key_file, std::string_view env_text,
                                          std::string current_id);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_EVIDENCE_STORE_H_
