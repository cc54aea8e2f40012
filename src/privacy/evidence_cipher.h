// Encryption of evidence at rest (Art 3(1)(h)-(i): stored material protected against unlawful
// access): each evidence file gets its own random key, wrapped by a master key, and its bytes are
// sealed with libsodium's secretstream (XChaCha20-Poly1305) in 64 KiB chunks, the last one marked
// final. Opening detects any change, reordering, truncation or extension of the file, a wrong
// master key, and a file stored under another evidence id (the id is authenticated with the
// wrapped key).
//
// Layout: "VGEV" 0x01 | key id length (1 byte) | key id | wrap nonce (24) | wrapped file key
// (32 + 16) | secretstream header (24) | chunks, each a 4-byte little-endian length then that
// many bytes of ciphertext.
//
// Master keys rotate: a keyring holds several by id; new files use the current one, old files
// name theirs.
//
// Thread safety: an EvidenceCipher is immutable after Create and safe to share.
#ifndef VIGIL_PRIVACY_EVIDENCE_CIPHER_H_
#define VIGIL_PRIVACY_EVIDENCE_CIPHER_H_

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::privacy {

using MasterKey = std::array<uint8_t, 32>;

// Parses a master key file: "<key id> <64 hex digits>" per line, '#' comments (the same shape as
// the pseudonymisation key file, but keys are exactly 32 bytes). Errors name the line, never the
// key.
Result<std::map<std::string, MasterKey>> ParseMasterKeys(std::string_view text,
                                                         std::string_view name);

class EvidenceCipher {
 public:
  // kInvalidArgument when `keys` lacks `current_id` or an id is not 1-16 of [A-Za-z0-9_-];
  // kInternal when libsodium cannot start.
  static Result<EvidenceCipher> Create(std::map<std::string, MasterKey> keys,
                                       std::string current_id);

  // Seals `plain` for the evidence `id` (e.g. "case:42/item:7"; non-empty, at most 255 bytes)
  // under the current master key.
  Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> plain, std::string_view id) const;

  // Opens what Seal produced for the same `id`. kDataLoss naming `id` and what is wrong for a
  // damaged, truncated, extended or foreign file; kNotFound when its master key id is not in the
  // keyring.
  Result<std::vector<uint8_t>> Open(std::span<const uint8_t> sealed, std::string_view id) const;

 private:
  EvidenceCipher(std::map<std::string, MasterKey> keys, std::string current_id)
      : keys_(std::move(keys)), current_id_(std::move(current_id)) {}

  std::map<std::string, MasterKey> keys_;
  std::string current_id_;
};

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_EVIDENCE_CIPHER_H_
