// Account identifiers inside vigil (Art 3(1)(h)-(i); GDPR Art 4(5), 32): cases, items, holds and
// redress records name an account only by its pseudonym (pseudonym.h, keyed HMAC whose key is
// outside the database). The clear identifier that a hotline report must carry (NCMEC's
// espIdentifier) is kept once per case, sealed with the evidence master key (evidence_cipher.h,
// for the id "account:case:<id>", so a value copied to another case fails to open), and opened
// only while a report is built by whoever holds that key. It expires and is erased with its case.
//
// Thread safety: AccountIds is immutable after Load and safe to share; the functions are as safe
// as the store they are given.
#ifndef VIGIL_PRIVACY_ACCOUNT_IDENTITY_H_
#define VIGIL_PRIVACY_ACCOUNT_IDENTITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "privacy/evidence_cipher.h"
#include "privacy/privacy_store.h"
#include "privacy/pseudonym.h"

namespace vigil::privacy {

// Longest clear account id accepted (bytes).
inline constexpr size_t kMaxAccountIdBytes = 1024;

// The evidence id a case's clear account id is sealed for: "account:case:<id>".
std::string AccountSealId(int64_t case_id);

// Seals `clear` for case `case_id` and stores it; a case keeps the first id stored (every item of
// a case belongs to one account). kInvalidArgument for an empty or over-long id, or one that is
// already a pseudonym (the clear id would be lost); the store's errors otherwise.
Status KeepClearAccountId(PrivacyStore& store, const EvidenceCipher& cipher, int64_t case_id,
                          std::string_view clear, TimePoint now);

// The clear account id of case `case_id`: nullopt when none was kept (or the case was erased);
// kDataLoss naming the case when the stored value is damaged or sealed for another case;
// kNotFound naming the key id when its master key is not configured.
Result<std::optional<std::string>> RevealClearAccountId(PrivacyStore& store,
                                                        const EvidenceCipher& cipher,
                                                        int64_t case_id);

// Scale-out (docs/privacy.md): ingest that pseudonymises publishes a job with the pseudonym and
// the clear id sealed for "account:pseudonym:<pseudonym>" (so a sealed value copied beside
// another pseudonym fails to open); the worker opens it, checks it is the clear id of that
// pseudonym, and keeps it with KeepClearAccountId for the case it opens.
std::string AccountJobSealId(std::string_view pseudonym);

// A job's account as ingest publishes it.
struct JobAccount {
  std::string account_id{};                        // the pseudonym
  std::optional<std::string> sealed_account_id{};  // hex; nullopt when passed through
};

// With `account` clear: its pseudonym under the current key and the clear id sealed (hex). With
// `account` already a pseudonym (Pseudonymiser::LooksPseudonymised): `account` unchanged and no
// sealed id (its clear id was never here). kInvalidArgument for an empty or over-long id.
Result<JobAccount> SealAccountForJob(const Pseudonymiser& pseudonyms, const EvidenceCipher& cipher,
                                     std::string_view account);

// The clear account id sealed in a job for `pseudonym`, checked to be that pseudonym's clear id
// under one of `pseudonyms`' keys. Errors name `where` (e.g. "job VIGIL_JOBS:5"):
// kInvalidArgument when `pseudonym` is not a pseudonym or `sealed_hex` is not hex; kDataLoss when
// the seal does not open (damaged, truncated, sealed for another pseudonym, wrong master key) or
// the clear id does not give the pseudonym; kNotFound naming the key id when the master key or
// the pseudonym's key is not configured.
Result<std::string> OpenJobAccount(const Pseudonymiser& pseudonyms, const EvidenceCipher& cipher,
                                   std::string_view pseudonym, std::string_view sealed_hex,
                                   std::string_view where);

// The pseudonymisation keys from a key file (`key_file`) or, when that is empty, from the key
// file text in `env_text` (VIGIL_PSEUDONYM_KEYS); `current_id` chooses the key for new
// pseudonyms (the last key in the file when empty: rotation appends). kInvalidArgument naming
// the source when neither is given or the keys are malformed; kNotFound when the file is missing.
Result<Pseudonymiser> LoadPseudonymiser(const std::string& key_file, std::string_view env_text,
                                        std::string current_id);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_ACCOUNT_IDENTITY_H_
