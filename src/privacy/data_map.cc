#include "privacy/data_map.h"

#include <fmt/format.h>

#include <array>

namespace vigil::privacy {
namespace {

// Retention texts; "not yet enforced" is stated plainly where no purge covers a table.
constexpr std::string_view kCaseRetention =
    "with its case: expires_at = the case's creation + its longest purpose (at most 12 months), "
    "longer only under a legal hold; `vigil purge` erases it, and a \"not CSAM\" decision at once";
constexpr std::string_view kSkeleton =
    "the error-accounting skeleton stays after erasure (technology, bank entry, decision, dates); "
    "its personal fields are cleared with the case";
constexpr std::string_view kCasePurposes = "reporting, blocking, redress, law_enforcement";

constexpr std::array<DataMapEntry, 40> kDataMap = {{
    {"banks", "a named hash list", "none", "hashing (matching known material)",
     "while the operator keeps the bank", "admin, bank-manager, auditor"},
    {"bank_entries",
     "one hash of known material with its provenance, verification state and retirement",
     "none (hashes of material reliably identified as abuse, never of users' other content)",
     "hashing", "kept while its bank exists; retired entries are kept for error accounting",
     "admin, bank-manager, auditor"},
    {"cases", "one review case: the flagged account, state, lease, outcome and times",
     "account id (pseudonymised: keyed HMAC-SHA-256, key outside the database), surface, EU "
     "flag, reviewer id",
     kCasePurposes, kCaseRetention, "admin, reviewer, auditor", kCasePurposes},
    {"case_accounts",
     "the clear account id of a case, sealed with the evidence master key (only a holder of the "
     "key, i.e. who builds the hotline report, can open it)",
     "the account id in the operator's system, encrypted", "reporting, law_enforcement",
     kCaseRetention, "reporter (decrypted only while building a hotline report)",
     "reporting, law_enforcement"},
    {"case_items",
     "one flagged item of a case (item id, content type, time received, time it joined the case)",
     "item id of the user's content", kCasePurposes, kCaseRetention, "admin, reviewer, auditor",
     kCasePurposes},
    {"case_item_hashes", "the hashes of a flagged item (PDQ, MD5, SHA-256 as hex)",
     "hashes of the user's content (they identify the item, not the person)", kCasePurposes,
     kCaseRetention, "admin, reviewer, auditor, reporter", kCasePurposes},
    {"case_flags",
     "one technology's flag on an item (technology, raw score, bank entry, classifier evidence)",
     "none beyond the item it belongs to", kCasePurposes, kSkeleton,
     "admin, reviewer, auditor, reporter"},
    {"case_reviews", "a reviewer's decision with rationale and time", "reviewer id", kCasePurposes,
     "the decision stays for error accounting; the rationale is cleared with the case",
     "admin, reviewer, auditor"},
    {"false_positives",
     "an unconfirmed flag: technology, bank entry, decision, date (what error rates need)",
     "item id and reviewer until the case is erased, then none (Art 3(1)(h) minimisation)",
     "error accounting (Art 3(1)(e))",
     "kept for the annual report; personal fields cleared with the case",
     "admin, auditor, reporter"},
    {"verification_requests", "a bank entry flagged for verification after a false positive",
     "none", "hashing (keeping banks correct)", "until the entry is verified or retired",
     "admin, bank-manager, auditor"},
    {"report_requests", "a hotline report a confirmed decision calls for (case, destination)",
     "none beyond the case id", "reporting to hotlines (Art 3(1)(j))",
     "with its case (deleted when the case is erased)", "admin, auditor, reporter"},
    {"report_deliveries",
     "a hotline report's delivery: progress, attempts, the hotline's report id",
     "none beyond the case id", "reporting to hotlines and its delay (Art 3(1)(j))",
     "with its case (deleted when the case is erased)", "admin, auditor, reporter"},
    {"processed_items",
     "which items the scale-out workers processed, with which technology version, and the "
     "outcome (flagged, case id)",
     "a SHA-256 of the item id, never the id", "processing each item exactly once (Art 3(1)(h))",
     "until the job can no longer be redelivered (the workers purge rows older than the job "
     "stream's age limit, 24 hours by default)",
     "admin, auditor", "exactly_once_processing"},
    {"exchanges",
     "a hash exchange feeding a bank: source, endpoint, credentials reference, sync cursor and "
     "counts",
     "none (credentials are referenced, never stored)",
     "keeping banks of known material current (Art 3(1)(a)); the Art 7 list of organisations",
     "while the exchange is configured", "admin, bank-manager, auditor"},
    {"exchange_contacts", "hashes received from and shared with an organisation per day", "none",
     "the Art 7 list of organisations in the annual report (Art 3(1)(g)(vii))",
     "kept for the reporting period of the annual report", "admin, auditor, reporter"},
    {"share_requests", "a decision confirmed new material whose hashes may be shared", "none",
     "sharing confirmed hashes with organisations that agreed (Art 7)",
     "kept with the case's error-accounting skeleton", "admin, auditor"},
    {"share_withdrawals",
     "a reversal reinstated the content of a case whose hashes were offered to partners", "none",
     "withdrawing hashes shared with organisations once the material is no longer held to be "
     "abuse (Art 7)",
     "kept with the case's error-accounting skeleton", "admin, auditor"},
    {"exchange_shares",
     "a confirmed hash queued for, shared with, refused by or withdrawn from one exchange's "
     "organisation",
     "none (the hash of confirmed material and the case number)",
     "sharing confirmed hashes with organisations that agreed (Art 7); the list in the annual "
     "report",
     "while the exchange is configured", "admin, bank-manager, auditor"},
    {"exchange_share_claims",
     "which share request (case confirmed as new material) carried which hash, and whether its "
     "sharing was withdrawn",
     "none (the hash of confirmed material and the request number)",
     "withdrawing a shared hash only when no confirmed, unreversed case still carries it (Art 7)",
     "while the exchange is configured", "admin, bank-manager, auditor"},
    {"exchange_share_progress",
     "how far the share outbox has copied share requests and share withdrawals", "none",
     "delivering every share request and withdrawal exactly once into the queue", "one row, always",
     "admin"},
    {"cluster_alerts", "a burst of flags for one technology or bank entry", "none",
     "error limitation (Art 3(1)(e))", "kept for the reporting period of the annual report",
     "admin, bank-manager, auditor, reporter"},
    {"auto_action_pauses", "automatic action paused for a technology or bank entry", "none",
     "error limitation (Art 3(1)(e))", "while the pause lasts, then for the reporting period",
     "admin, bank-manager, auditor"},
    {"reviewer_settings", "a reviewer's wellness settings (blur, greyscale, exposure cap)",
     "reviewer id (staff)", "reviewer wellbeing", "while the reviewer works on vigil",
     "admin, the reviewer"},
    {"reviewer_exposure", "items a reviewer viewed per day", "reviewer id (staff)",
     "reviewer wellbeing (exposure caps)", "90 days; `vigil purge` deletes older days",
     "admin, the reviewer", "reviewer_wellbeing"},
    {"case_events", "every change of a case, written with the change", "actor ids, case ids",
     "accountability", "kept; the details (item ids) are blanked when the case is erased",
     "admin, auditor"},
    {"volume_counters", "per-day counts of items processed and flagged per technology",
     "none (aggregates only: unflagged items leave no other trace, Art 3(1)(h))",
     "annual report (Art 3(1)(g)(vii))", "kept for reporting periods", "admin, auditor, reporter"},
    {"audit_log", "hash-chained record of who did what, when, from where",
     "staff or client ids, remote addresses", "accountability (Art 3(1)(i) access control)",
     "365 days; `vigil purge` deletes the expired prefix of the chain behind a checkpoint "
     "(audit_checkpoints), stopping at the first record naming a held case or account and never "
     "taking the newest record; never edited",
     "admin, auditor", "accountability"},
    {"audit_checkpoints",
     "where the audit log's purge cut the chain: the last purged seq, its hash, how many records",
     "none", "accountability: the remaining audit log still verifies from the checkpoint",
     "for the life of the database (append-only)", "admin, auditor"},
    {"api_keys", "an API key of the HTTP service: name, roles, SHA-256 of its secret, revocation",
     "the key's name (may name a staff member or client system)",
     "access control of the HTTP API (Art 3(1)(i))",
     "kept after revocation so audit records naming the key stay resolvable", "admin"},
    {"redress_actions",
     "an action on a decided case (content removed or blocked, account suspended or closed, "
     "evidence preserved): reason, technologies, who, when, reversal",
     "pseudonymised account id, item id, staff ids", "blocking; law_enforcement (evidence)",
     "per row: purpose and expires_at (privacy/retention.h)", "admin, reviewer, auditor"},
    {"user_notices",
     "a notice to the user about an action (Art 3(1)(g)(vi)) and its delivery to the operator's "
     "webhook",
     "pseudonymised account id, the notice text", "redress",
     "per row: purpose and expires_at (privacy/retention.h)", "admin, auditor"},
    {"complaints", "a user's complaint against an action and its second review",
     "pseudonymised account id, the user's grounds, staff ids", "redress",
     "per row: purpose and expires_at; kept while pending (legal hold)",
     "admin, reviewer, auditor"},
    {"judicial_complaints", "a complaint taken to a judicial authority (Art 5) and its outcome",
     "court file number, staff ids", "redress",
     "per row: purpose and expires_at; kept while pending (legal hold)", "admin, auditor"},
    {"retention_policy", "the maximum age in days per purpose that new records are stamped with",
     "none", "retention (Art 3(1)(h))",
     "one row per purpose, replaced by `vigil privacy retention`", "admin, auditor"},
    {"evidence_files", "the index of an encrypted evidence file of a flagged item",
     "none itself; the file holds the user's media, encrypted", kCasePurposes, kCaseRetention,
     "admin, reviewer, auditor, reporter", kCasePurposes},
    {"legal_holds", "a hold on a case or account: reason, who placed it, end or review date",
     "the account id (as stored in cases) when the hold is on an account; staff ids",
     "pending complaints and legal procedures (Art 3(1)(h))",
     "while active, then 365 days after it ended or was released (the record of why data "
     "outlived its expiry); `vigil purge` deletes it then",
     "admin, auditor", "legal_procedures"},
    {"erasure_counts", "records erased per day, reason and purpose", "none (aggregates)",
     "annual report (retention.purged)", "kept for reporting periods", "admin, auditor, reporter"},
    {"dpia_records", "a DPIA / prior consultation per technology: date, authority, outcome, link",
     "staff id of who recorded it", "Art 3(1)(c)-(d): a technology needs one before use",
     "while it is the newest record of its technology, then 365 days after a newer one was "
     "recorded; `vigil purge` deletes it then",
     "admin, auditor", "impact_assessment"},
    {"classify_retries",
     "an item whose classifier failed (timeout, unreachable, nonsense score), kept byte for "
     "byte with its last error and attempt count until a later scan classifies and files it",
     "the item itself (a conversation or an image or video, as hex), its name, the "
     "pseudonymised account id, where it was uploaded (surface, region) and, with "
     "pseudonymisation, the clear account id sealed",
     "reporting, blocking (the item is still to be classified; nothing is lost)",
     "deleted as soon as the item is filed; per row purposes and expires_at from the retention "
     "policy; `vigil purge` deletes it at expiry unless its account is under a legal hold",
     "admin", "reporting, blocking"},
    {"schema_migrations", "which schema versions were applied and when", "none", "operations",
     "for the life of the database", "admin"},
}};

}  // namespace

std::span<const DataMapEntry> DataMap() { return kDataMap; }

Result<std::vector<std::string>> PurgedAs(std::string_view table) {
  for (const DataMapEntry& e : kDataMap) {
    if (e.table != table) continue;
    std::vector<std::string> out;
    std::string_view rest = e.purged_as;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view name = rest.substr(0, comma);
      while (name.starts_with(' ')) name.remove_prefix(1);
      if (!name.empty()) out.emplace_back(name);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (out.empty()) break;
    return out;
  }
  return NotFoundError(fmt::format(
      "the data map gives table '{}' no purpose to count its purged rows under", table));
}

}  // namespace vigil::privacy
