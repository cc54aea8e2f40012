// Pseudonymisation of user and account identifiers (Art 3(1)(h) safeguards; GDPR Art 4(5)):
// vigil stores "p1.<key id>.<hex HMAC-SHA-256(key, identifier)>" instead of the identifier, so
// records of one account can be grouped and looked up by anyone holding the identifier and the
// key, while the database alone reveals nothing.
//
// Keys rotate: new pseudonyms use the current key; lookups try every configured key
// (AllPseudonyms), so records written under an older key are still found until they expire.
//
// A key file holds one key per line, "<key id> <hex secret>", with '#' comments; the secret is at
// least 32 bytes; ids are 1-16 of [A-Za-z0-9_-]. The current key is chosen by id.
//
// Thread safety: a Pseudonymiser is immutable after Create and safe to share.
#ifndef VIGIL_PRIVACY_PSEUDONYM_H_
#define VIGIL_PRIVACY_PSEUDONYM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::privacy {

struct PseudonymKey {
  std::string id{};
  std::vector<uint8_t> secret{};
};

// Parses a key file's text; `name` (the file) is used in errors, which name the line but never
// print a secret.
Result<std::vector<PseudonymKey>> ParsePseudonymKeys(std::string_view text, std::string_view name);

class Pseudonymiser {
 public:
  // kInvalidArgument when `keys` is empty, has duplicate or malformed ids, short secrets, or
  // lacks `current_id`.
  static Result<Pseudonymiser> Create(std::vector<PseudonymKey> keys, std::string_view current_id);

  // The pseudonym of `identifier` under the current key. Deterministic.
  std::string Pseudonymise(std::string_view identifier) const;

  // Its pseudonyms under every key, current first: what to look up after a rotation.
  std::vector<std::string> AllPseudonyms(std::string_view identifier) const;

  // The pseudonym of `identifier` under key `key_id` (what a pseudonym written under an older key
  // is checked against); kNotFound naming the key id when it is not among the keys.
  Result<std::string> PseudonymiseUnder(std::string_view key_id, std::string_view identifier) const;

  // The key id of a pseudonym ("k1" of "p1.k1.<hex>"); empty when `value` is not a pseudonym.
  static std::string_view KeyIdOf(std::string_view value);

  // True when `value` has the shape of a vigil pseudonym (so callers can refuse to pseudonymise
  // twice or to store a clear identifier where a pseudonym is expected).
  static bool LooksPseudonymised(std::string_view value);

  const std::string& current_key_id() const { return keys_.front().id; }

 private:
  explicit Pseudonymiser(std::vector<PseudonymKey> keys) : keys_(std::move(keys)) {}
  static std::string Under(const PseudonymKey& key, std::string_view identifier);

  std::vector<PseudonymKey> keys_;  // the current key first
};

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_PSEUDONYM_H_
