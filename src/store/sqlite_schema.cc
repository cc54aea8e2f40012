#include "store/sqlite_schema.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

namespace vigil::store {
namespace {

// Times are Unix seconds (UTC); hash values are raw bytes, half the size of hex and compared
// bytewise by the unique index. signal_type holds vigil's type name so the file is readable
// with the sqlite3 shell. Entries are never deleted (retired_at marks them), hence RESTRICT.
constexpr std::string_view kV1Banks = R"sql(
CREATE TABLE banks (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  owner        TEXT    NOT NULL DEFAULT '',
  description  TEXT    NOT NULL DEFAULT '',
  source_list  TEXT    NOT NULL DEFAULT '',
  auto_action  INTEGER NOT NULL DEFAULT 0 CHECK (auto_action IN (0, 1)),
  created_at   INTEGER NOT NULL
);
CREATE TABLE bank_entries (
  id                  INTEGER PRIMARY KEY,
  bank_id             INTEGER NOT NULL REFERENCES banks (id) ON DELETE RESTRICT,
  signal_type         TEXT    NOT NULL,
  value               BLOB    NOT NULL,
  added_at            INTEGER NOT NULL,
  source_ref          TEXT    NOT NULL DEFAULT '',
  verifications       INTEGER NOT NULL DEFAULT 0 CHECK (verifications >= 0),
  needs_verification  INTEGER NOT NULL DEFAULT 0 CHECK (needs_verification IN (0, 1)),
  retired_at          INTEGER,
  retired_reason      TEXT    NOT NULL DEFAULT '',
  UNIQUE (bank_id, signal_type, value)
);
-- Streams a bank's entries in id order without sorting (the rowid is implicitly in the index).
CREATE INDEX bank_entries_by_bank ON bank_entries (bank_id);
)sql";

// Cases and human review (docs/review.md). Enum values are vigil's names ("in_review",
// "confirmed_new") so the file reads well in the sqlite3 shell. bank_entry_id is not a foreign
// key: a case keeps its flags even if banks move to another database. case_events is the audit
// trail: append-only, enforced by triggers (a later migration adds hash chaining). The partial
// unique index allows one open alert per subject, so concurrent openers cannot raise two.
constexpr std::string_view kV2Cases = R"sql(
CREATE TABLE cases (
  id                INTEGER PRIMARY KEY,
  version           INTEGER NOT NULL CHECK (version >= 1),
  account_id        TEXT    NOT NULL,
  surface           TEXT    NOT NULL,
  eu                INTEGER NOT NULL CHECK (eu IN (0, 1)),
  priority          INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  state             TEXT    NOT NULL,
  lease_reviewer    TEXT,
  lease_expires_at  INTEGER,
  outcome           TEXT,
  decided_at        INTEGER,
  actioned_at       INTEGER,
  reported_at       INTEGER,
  qa_state          TEXT    NOT NULL,
  CHECK ((lease_reviewer IS NULL) = (lease_expires_at IS NULL))
);
CREATE INDEX cases_review_queue ON cases (state, priority DESC, created_at, id);
CREATE INDEX cases_qa_queue ON cases (qa_state, priority DESC, created_at, id);
CREATE TABLE case_items (
  case_id       INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  position      INTEGER NOT NULL,
  item_id       TEXT    NOT NULL,
  content_type  TEXT    NOT NULL,
  received_at   INTEGER NOT NULL,
  PRIMARY KEY (case_id, position)
);
CREATE TABLE case_flags (
  id                INTEGER PRIMARY KEY,
  case_id           INTEGER NOT NULL,
  item_position     INTEGER NOT NULL,
  technology        TEXT    NOT NULL,
  category          TEXT    NOT NULL,
  raw_value         REAL    NOT NULL,
  bank_entry_id     INTEGER,
  bank_name         TEXT    NOT NULL DEFAULT '',
  bank_auto_action  INTEGER NOT NULL DEFAULT 0 CHECK (bank_auto_action IN (0, 1)),
  flagged_at        INTEGER NOT NULL,
  FOREIGN KEY (case_id, item_position) REFERENCES case_items (case_id, position)
);
CREATE INDEX case_flags_by_case ON case_flags (case_id);
CREATE INDEX case_flags_by_technology ON case_flags (technology, flagged_at);
CREATE INDEX case_flags_by_entry ON case_flags (bank_entry_id, flagged_at)
  WHERE bank_entry_id IS NOT NULL;
CREATE TABLE case_reviews (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  kind        TEXT    NOT NULL,
  reviewer    TEXT    NOT NULL,
  decision    TEXT    NOT NULL,
  rationale   TEXT    NOT NULL,
  decided_at  INTEGER NOT NULL
);
CREATE INDEX case_reviews_by_case ON case_reviews (case_id);
CREATE TABLE false_positives (
  id             INTEGER PRIMARY KEY,
  case_id        INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  item_id        TEXT    NOT NULL,
  technology     TEXT    NOT NULL,
  raw_value      REAL    NOT NULL,
  bank_entry_id  INTEGER,
  reviewer       TEXT    NOT NULL,
  recorded_at    INTEGER NOT NULL
);
CREATE INDEX false_positives_by_time ON false_positives (recorded_at);
CREATE TABLE verification_requests (
  id             INTEGER PRIMARY KEY,
  case_id        INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  bank_entry_id  INTEGER NOT NULL,
  bank_name      TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  delivered_at   INTEGER
);
CREATE INDEX verification_requests_pending ON verification_requests (case_id)
  WHERE delivered_at IS NULL;
CREATE TABLE cluster_alerts (
  id                  INTEGER PRIMARY KEY,
  subject             TEXT    NOT NULL,
  subject_key         TEXT    NOT NULL,
  flag_count          INTEGER NOT NULL,
  threshold           INTEGER NOT NULL,
  window_seconds      INTEGER NOT NULL,
  raised_at           INTEGER NOT NULL,
  case_id             INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  paused_auto_action  INTEGER NOT NULL CHECK (paused_auto_action IN (0, 1)),
  acknowledged_at     INTEGER,
  acknowledged_by     TEXT    NOT NULL DEFAULT '',
  note                TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX cluster_alerts_one_open ON cluster_alerts (subject, subject_key)
  WHERE acknowledged_at IS NULL;
CREATE TABLE auto_action_pauses (
  subject      TEXT    NOT NULL,
  subject_key  TEXT    NOT NULL,
  paused_at    INTEGER NOT NULL,
  alert_id     INTEGER NOT NULL REFERENCES cluster_alerts (id) ON DELETE RESTRICT,
  PRIMARY KEY (subject, subject_key)
);
CREATE TABLE reviewer_settings (
  reviewer            TEXT    PRIMARY KEY,
  blur_percent        INTEGER NOT NULL CHECK (blur_percent BETWEEN 0 AND 100),
  greyscale           INTEGER NOT NULL CHECK (greyscale IN (0, 1)),
  daily_exposure_cap  INTEGER NOT NULL CHECK (daily_exposure_cap >= 1)
);
CREATE TABLE reviewer_exposure (
  reviewer  TEXT    NOT NULL,
  day       INTEGER NOT NULL,
  items     INTEGER NOT NULL CHECK (items >= 0),
  PRIMARY KEY (reviewer, day)
);
CREATE TABLE case_events (
  id       INTEGER PRIMARY KEY,
  case_id  INTEGER REFERENCES cases (id) ON DELETE RESTRICT,
  at       INTEGER NOT NULL,
  actor    TEXT    NOT NULL,
  action   TEXT    NOT NULL,
  details  TEXT    NOT NULL
);
CREATE INDEX case_events_by_case ON case_events (case_id) WHERE case_id IS NOT NULL;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
  BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
  BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
)sql";

// Aggregate counts only (Art 3(1)(h)): no item, account or hash of unflagged content is kept.
constexpr std::string_view kV3Volume = R"sql(
CREATE TABLE volume_counters (
  day           INTEGER NOT NULL,
  technology    TEXT    NOT NULL,
  content_type  TEXT    NOT NULL,
  region        TEXT    NOT NULL CHECK (region IN ('eu', 'non-eu', 'unknown')),
  processed     INTEGER NOT NULL DEFAULT 0 CHECK (processed >= 0),
  flagged       INTEGER NOT NULL DEFAULT 0 CHECK (flagged >= 0),
  PRIMARY KEY (day, technology, content_type, region)
) WITHOUT ROWID;
)sql";

// Grouping (docs/review.md "Grouping"): items join an open case after it was opened, so each
// item records when (the items already stored joined at their case's creation) and keeps its
// hashes; a lease records how many items its holder was shown (existing leases saw them all).
// Item hashes are lowercase hex text, not raw bytes like bank values: they are records shown in
// the console and reports, never matched against, so nothing is gained by converting them.
constexpr std::string_view kV4CaseGroups = R"sql(
ALTER TABLE case_items ADD COLUMN added_at INTEGER NOT NULL DEFAULT 0;
UPDATE case_items SET added_at = (SELECT created_at FROM cases WHERE cases.id = case_items.case_id);
ALTER TABLE cases ADD COLUMN lease_items INTEGER NOT NULL DEFAULT 0 CHECK (lease_items >= 0);
UPDATE cases SET lease_items = (SELECT COUNT(*) FROM case_items WHERE case_items.case_id = cases.id)
  WHERE lease_reviewer IS NOT NULL;
CREATE TABLE case_item_hashes (
  case_id        INTEGER NOT NULL,
  item_position  INTEGER NOT NULL,
  algorithm      TEXT    NOT NULL,
  hex            TEXT    NOT NULL,
  PRIMARY KEY (case_id, item_position, algorithm),
  FOREIGN KEY (case_id, item_position) REFERENCES case_items (case_id, position)
);
CREATE INDEX cases_open_by_account ON cases (account_id, surface, id)
  WHERE state IN ('new', 'in_review');
)sql";

// The hash-chained audit log (audit/audit.h). seq is assigned by the store, one past the last,
// inside the appending transaction, so the chain cannot fork; the triggers refuse edits and
// deletions through SQL (someone bypassing them is caught by `vigil audit verify`).
constexpr std::string_view kV5Audit = R"sql(
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY CHECK (seq >= 1),
  at         INTEGER NOT NULL,
  actor      TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  origin     TEXT    NOT NULL,
  details    TEXT    NOT NULL,
  prev_hash  TEXT    NOT NULL,
  hash       TEXT    NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

// vPDQ entries (bank/vpdq_value.h) need no change here: SQLite's unique index holds values of
// any size. The version exists so both backends keep the same numbering (PostgreSQL changes its
// unique index).
constexpr std::string_view kV7VpdqEntries = R"sql(
SELECT 1;
)sql";

// API keys of the HTTP service (docs/server.md): only the SHA-256 of each secret is stored.
// Keys are revoked, never deleted, so audit records naming a key stay resolvable.
constexpr std::string_view kV6ApiKeys = R"sql(
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  roles        TEXT    NOT NULL,
  secret_hash  TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER
);
CREATE TRIGGER api_keys_no_delete BEFORE DELETE ON api_keys
  BEGIN SELECT RAISE(ABORT, 'API keys are revoked, never deleted'); END;
)sql";

// Data protection (docs/privacy.md, Art 3(1)(h)): every record holding personal data or media
// carries its purposes and an expiry. A case and all its records expire together, at the case's
// creation plus the longest of its purposes in retention_policy (items that join later go with
// it: earlier than their own limit, never later); triggers stamp new rows, so every writer gets
// it. The report tables (migration 9, which a fresh database applies after this one) carry no
// columns of their own: they hold no personal data beyond the case id and are erased with it. Legal
// holds suspend expiry. Erasure (purge at expiry, or a "not CSAM" decision) keeps the case's
// error-accounting skeleton (technology, bank entry, decision, dates) and clears the rest, so
// case_events may be rewritten for an erased case only to blank its details. DPIA records gate
// technologies (Art 3(1)(c)-(d)); erasure_counts feed the annual report.
constexpr std::string_view kV8Privacy = R"sql(
CREATE TABLE retention_policy (
  purpose       TEXT    PRIMARY KEY CHECK (purpose IN ('reporting', 'blocking', 'hashing',
                                                       'redress', 'law_enforcement')),
  max_age_days  INTEGER NOT NULL CHECK (max_age_days BETWEEN 1 AND 365),
  updated_at    INTEGER NOT NULL
);
INSERT INTO retention_policy (purpose, max_age_days, updated_at) VALUES
  ('reporting', 365, 0), ('blocking', 365, 0), ('hashing', 365, 0), ('redress', 180, 0),
  ('law_enforcement', 365, 0);
ALTER TABLE cases ADD COLUMN purposes TEXT NOT NULL
  DEFAULT 'reporting,blocking,redress,law_enforcement';
ALTER TABLE cases ADD COLUMN expires_at INTEGER;
ALTER TABLE cases ADD COLUMN erased_at INTEGER;
ALTER TABLE cases ADD COLUMN erased_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE case_items ADD COLUMN purposes TEXT NOT NULL
  DEFAULT 'reporting,blocking,redress,law_enforcement';
ALTER TABLE case_items ADD COLUMN expires_at INTEGER;
ALTER TABLE case_item_hashes ADD COLUMN purposes TEXT NOT NULL
  DEFAULT 'reporting,blocking,hashing,law_enforcement';
ALTER TABLE case_item_hashes ADD COLUMN expires_at INTEGER;
CREATE TABLE evidence_files (
  case_id        INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  item_position  INTEGER NOT NULL,
  file           TEXT    NOT NULL,
  bytes          INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  purposes       TEXT    NOT NULL DEFAULT 'reporting,blocking,redress,law_enforcement',
  expires_at     INTEGER,
  PRIMARY KEY (case_id, item_position)
);
UPDATE cases SET expires_at = created_at + 86400 * 365;
UPDATE case_items SET expires_at = (SELECT expires_at FROM cases WHERE id = case_id);
UPDATE case_item_hashes SET expires_at = (SELECT expires_at FROM cases WHERE id = case_id);
CREATE INDEX cases_by_expiry ON cases (expires_at) WHERE erased_at IS NULL;
CREATE TRIGGER cases_expiry AFTER INSERT ON cases WHEN NEW.expires_at IS NULL BEGIN
  UPDATE cases SET expires_at = NEW.created_at + 86400 * COALESCE((SELECT MAX(max_age_days)
    FROM retention_policy WHERE instr(',' || NEW.purposes || ',', ',' || purpose || ',') > 0),
    365) WHERE id = NEW.id;
END;
CREATE TRIGGER case_items_expiry AFTER INSERT ON case_items WHEN NEW.expires_at IS NULL BEGIN
  UPDATE case_items SET expires_at = (SELECT expires_at FROM cases WHERE id = NEW.case_id)
    WHERE case_id = NEW.case_id AND position = NEW.position;
END;
CREATE TRIGGER case_item_hashes_expiry AFTER INSERT ON case_item_hashes
  WHEN NEW.expires_at IS NULL BEGIN
  UPDATE case_item_hashes SET expires_at = (SELECT expires_at FROM cases WHERE id = NEW.case_id)
    WHERE case_id = NEW.case_id AND item_position = NEW.item_position
      AND algorithm = NEW.algorithm;
END;
CREATE TRIGGER evidence_files_expiry AFTER INSERT ON evidence_files
  WHEN NEW.expires_at IS NULL BEGIN
  UPDATE evidence_files SET expires_at = (SELECT expires_at FROM cases WHERE id = NEW.case_id)
    WHERE case_id = NEW.case_id AND item_position = NEW.item_position;
END;
DROP TRIGGER case_events_no_update;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
  WHEN NOT (NEW.details = '(erased)' AND NEW.id = OLD.id AND NEW.case_id IS OLD.case_id
            AND NEW.at = OLD.at AND NEW.actor = OLD.actor AND NEW.action = OLD.action
            AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id AND erased_at IS NOT NULL))
  BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TABLE legal_holds (
  id           INTEGER PRIMARY KEY,
  subject      TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  placed_by    TEXT    NOT NULL,
  placed_at    INTEGER NOT NULL,
  review_at    INTEGER,
  ends_at      INTEGER,
  released_at  INTEGER,
  released_by  TEXT    NOT NULL DEFAULT '',
  CHECK (review_at IS NOT NULL OR ends_at IS NOT NULL)
);
CREATE INDEX legal_holds_by_subject ON legal_holds (subject);
CREATE TABLE erasure_counts (
  day      INTEGER NOT NULL,
  reason   TEXT    NOT NULL,
  purpose  TEXT    NOT NULL,
  records  INTEGER NOT NULL CHECK (records >= 0),
  PRIMARY KEY (day, reason, purpose)
);
CREATE TABLE dpia_records (
  id            INTEGER PRIMARY KEY,
  technology    TEXT    NOT NULL,
  assessed_on   INTEGER NOT NULL,
  authority     TEXT    NOT NULL,
  outcome       TEXT    NOT NULL,
  link          TEXT    NOT NULL,
  recorded_by   TEXT    NOT NULL,
  recorded_at   INTEGER NOT NULL
);
CREATE INDEX dpia_records_by_technology ON dpia_records (technology);
)sql";

// Art 3(1)(j): report requests written with the decision (cases), and their deliveries (report
// outbox), one per request.
constexpr std::string_view kV9ReportOutbox = R"sql(
CREATE TABLE report_requests (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  destination  TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  UNIQUE (case_id, destination)
);
CREATE TABLE report_deliveries (
  request_id       INTEGER PRIMARY KEY,
  case_id          INTEGER NOT NULL,
  destination      TEXT    NOT NULL,
  confirmed_at     INTEGER NOT NULL,
  state            TEXT    NOT NULL,
  progress         TEXT    NOT NULL,
  attempts         INTEGER NOT NULL,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT    NOT NULL,
  remote_id        INTEGER,
  delivered_at     INTEGER,
  version          INTEGER NOT NULL
);
CREATE INDEX report_deliveries_due ON report_deliveries (next_attempt_at)
  WHERE state = 'pending';
CREATE INDEX report_deliveries_case ON report_deliveries (case_id);
)sql";

// Redress (docs/redress.md): actions on decided cases, user notices (Art 3(1)(g)(vi); the
// outbox row is written in the action's transaction), complaints against actions with their
// second review, and judicial complaints (Art 5). Rows holding personal data name their purpose
// and expiry (Art 3(1)(h)). One action per (case, kind, item), one complaint per action.
constexpr std::string_view kV10Redress = R"sql(
CREATE TABLE redress_actions (
  id               INTEGER PRIMARY KEY,
  case_id          INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  kind             TEXT    NOT NULL,
  item_id          TEXT    NOT NULL,
  account_id       TEXT    NOT NULL,
  reason           TEXT    NOT NULL,
  technologies     TEXT    NOT NULL,
  actor            TEXT    NOT NULL,
  taken_at         INTEGER NOT NULL,
  reversed_at      INTEGER,
  reversed_by      TEXT    NOT NULL DEFAULT '',
  reversal_reason  TEXT    NOT NULL DEFAULT '',
  purpose          TEXT    NOT NULL,
  expires_at       INTEGER NOT NULL,
  UNIQUE (case_id, kind, item_id)
);
CREATE TABLE user_notices (
  id                INTEGER PRIMARY KEY,
  action_id         INTEGER NOT NULL REFERENCES redress_actions (id) ON DELETE RESTRICT,
  case_id           INTEGER NOT NULL,
  account_id        TEXT    NOT NULL,
  language          TEXT    NOT NULL,
  template_version  TEXT    NOT NULL,
  body              TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  attempts          INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  next_attempt_at   INTEGER NOT NULL,
  last_error        TEXT    NOT NULL,
  delivered_at      INTEGER,
  version           INTEGER NOT NULL,
  purpose           TEXT    NOT NULL,
  expires_at        INTEGER NOT NULL
);
CREATE INDEX user_notices_due ON user_notices (next_attempt_at) WHERE state = 'pending';
CREATE INDEX user_notices_case ON user_notices (case_id);
CREATE TABLE complaints (
  id               INTEGER PRIMARY KEY,
  action_id        INTEGER NOT NULL UNIQUE REFERENCES redress_actions (id) ON DELETE RESTRICT,
  case_id          INTEGER NOT NULL,
  account_id       TEXT    NOT NULL,
  filed_by         TEXT    NOT NULL,
  text             TEXT    NOT NULL,
  filed_at         INTEGER NOT NULL,
  state            TEXT    NOT NULL,
  outcome          TEXT    NOT NULL,
  reviewer         TEXT    NOT NULL,
  rationale        TEXT    NOT NULL,
  decided_at       INTEGER,
  report_followup  TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  purpose          TEXT    NOT NULL,
  expires_at       INTEGER NOT NULL
);
CREATE INDEX complaints_case ON complaints (case_id);
CREATE TABLE judicial_complaints (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  action_id    INTEGER,
  authority    TEXT    NOT NULL,
  reference    TEXT    NOT NULL,
  filed_at     INTEGER NOT NULL,
  outcome      TEXT    NOT NULL,
  outcome_at   INTEGER,
  recorded_by  TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  purpose      TEXT    NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX redress_actions_case ON redress_actions (case_id);
CREATE INDEX judicial_complaints_case ON judicial_complaints (case_id);
)sql";

// Art 3(1)(f): a classifier flag keeps the evidence behind it (the indicators that fired and
// their messages) for the reviewer.
constexpr std::string_view kV12FlagEvidence = R"sql(
ALTER TABLE case_flags ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
)sql";

// Version 13: the scale-out workers' job ledger (queue/ledger.h): one row per item and
// technology version processed, written in the transaction of the item's results. item_key is a
// SHA-256 of the item id, never the id (Art 3(1)(h)); rows are purged once the job can no longer
// be redelivered.
constexpr std::string_view kV13JobLedger = R"sql(
CREATE TABLE processed_items (
  item_key            TEXT    NOT NULL,
  technology_version  TEXT    NOT NULL,
  job_id              TEXT    NOT NULL,
  worker              TEXT    NOT NULL,
  flagged             INTEGER NOT NULL,
  case_id             INTEGER,
  processed_at        INTEGER NOT NULL,
  PRIMARY KEY (item_key, technology_version)
);
CREATE INDEX processed_items_processed_at ON processed_items (processed_at);
)sql";

// Hash exchanges (docs/exchanges.md): each feeds one bank; the row holds its sync state, updated
// in the same transaction as the bank entries of each page. credentials_ref names where the
// secret is ("env:NAME", "file:/path"), never the secret. exchange_contacts counts hashes
// received from and shared with each organisation per day, for the Art 7 list in the annual
// report.
constexpr std::string_view kV11Exchanges = R"sql(
CREATE TABLE exchanges (
  id                 INTEGER PRIMARY KEY,
  name               TEXT    NOT NULL UNIQUE,
  type               TEXT    NOT NULL,
  bank_id            INTEGER NOT NULL REFERENCES banks (id) ON DELETE RESTRICT,
  organisation       TEXT    NOT NULL,
  organisation_kind  TEXT    NOT NULL,
  endpoint           TEXT    NOT NULL,
  credentials_ref    TEXT    NOT NULL DEFAULT '',
  options            TEXT    NOT NULL DEFAULT '{}',
  share              INTEGER NOT NULL DEFAULT 0 CHECK (share IN (0, 1)),
  created_at         INTEGER NOT NULL,
  sync_cursor        TEXT    NOT NULL DEFAULT '',
  pages              INTEGER NOT NULL DEFAULT 0,
  added              INTEGER NOT NULL DEFAULT 0,
  updated            INTEGER NOT NULL DEFAULT 0,
  removed            INTEGER NOT NULL DEFAULT 0,
  last_sync_at       INTEGER,
  last_error         TEXT    NOT NULL DEFAULT '',
  last_error_at      INTEGER
);
CREATE TABLE exchange_contacts (
  day           INTEGER NOT NULL,
  organisation  TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  direction     TEXT    NOT NULL CHECK (direction IN ('received', 'shared')),
  hashes        INTEGER NOT NULL CHECK (hashes >= 0),
  PRIMARY KEY (day, organisation, kind, direction)
);
-- Withdrawals by record (NCMEC deletes records, not hashes) find a bank's entries by source_ref;
-- partial, so imports without references pay nothing.
CREATE INDEX bank_entries_by_source_ref ON bank_entries (bank_id, source_ref)
  WHERE source_ref <> '';
)sql";

// Version 18 (docs/privacy.md): the clear account id a hotline report needs, kept only sealed
// (privacy/account_identity.h: encrypted with the evidence master key, for the evidence id
// "account:case:<id>") beside the pseudonymised cases.account_id; it expires and is erased with
// its case. audit_checkpoints lets the audit log's purge delete an expired prefix of the chain:
// a checkpoint names the last purged seq and its hash, so the rest still verifies from it; the
// delete trigger allows only rows a checkpoint covers, and checkpoints are never changed.
constexpr std::string_view kV18AccountsAndAuditPurge = R"sql(
CREATE TABLE case_accounts (
  case_id     INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE RESTRICT,
  sealed      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  purposes    TEXT    NOT NULL DEFAULT 'reporting,law_enforcement',
  expires_at  INTEGER
);
CREATE TRIGGER case_accounts_expiry AFTER INSERT ON case_accounts
  WHEN NEW.expires_at IS NULL BEGIN
  UPDATE case_accounts SET expires_at = (SELECT expires_at FROM cases WHERE id = NEW.case_id)
    WHERE case_id = NEW.case_id;
END;
CREATE TABLE audit_checkpoints (
  through_seq  INTEGER PRIMARY KEY CHECK (through_seq >= 1),
  hash         TEXT    NOT NULL,
  records      INTEGER NOT NULL CHECK (records >= 0),
  purged_at    INTEGER NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  WHEN NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE through_seq >= OLD.seq)
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

// A per-bank counter of entry changes (adds, retirements), so a process that keeps a bank in
// memory (the server's matcher) notices another process's changes with one row read
// (BankStore::GetChangeCount).
constexpr std::string_view kV15BankChanges = R"sql(
ALTER TABLE banks ADD COLUMN entry_changes INTEGER NOT NULL DEFAULT 0;
)sql";

// Sharing confirmed hashes (Art 7): share_requests are written by the case stores with a
// confirmed_new decision; the exchange share outbox copies each request's item hashes into
// exchange_shares, one row per consenting exchange and hash, and moves its mark in
// exchange_share_progress in the same transaction (no row until the first copy: a
// database that never shared holds nothing).
constexpr std::string_view kV19ExchangeShares = R"sql(
CREATE TABLE share_requests (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL UNIQUE REFERENCES cases (id) ON DELETE RESTRICT,
  created_at  INTEGER NOT NULL
);
CREATE TABLE exchange_shares (
  id               INTEGER PRIMARY KEY,
  exchange_id      INTEGER NOT NULL REFERENCES exchanges (id) ON DELETE RESTRICT,
  request_id       INTEGER NOT NULL,
  signal_type      TEXT    NOT NULL,
  value            TEXT    NOT NULL,
  source_ref       TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'shared', 'refused')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  shared_at        INTEGER,
  UNIQUE (exchange_id, signal_type, value)
);
CREATE INDEX exchange_shares_due ON exchange_shares (exchange_id, next_attempt_at)
  WHERE state = 'pending';
CREATE TABLE exchange_share_progress (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  last_request_id  INTEGER NOT NULL
);
)sql";

// Version 21: items whose classification failed through no fault of their own, kept byte for
// byte (hex) until a later scan files them (classify/retry_store.h). They are personal data held
// for reporting and blocking: purposes and expires_at are stamped on insert from the retention
// policy, like a case's (Art 3(1)(h)).
constexpr std::string_view kV21ClassifyRetries = R"sql(
CREATE TABLE classify_retries (
  kind            TEXT    NOT NULL CHECK (kind IN ('conversation', 'media')),
  item_key        TEXT    NOT NULL,
  source          TEXT    NOT NULL,
  account_id      TEXT    NOT NULL,
  content         TEXT    NOT NULL,
  bytes           INTEGER NOT NULL CHECK (bytes >= 0),
  error           TEXT    NOT NULL,
  attempts        INTEGER NOT NULL CHECK (attempts >= 1),
  created_at      INTEGER NOT NULL,
  last_failed_at  INTEGER NOT NULL,
  purposes        TEXT    NOT NULL DEFAULT 'reporting,blocking',
  expires_at      INTEGER,
  PRIMARY KEY (kind, item_key)
);
CREATE INDEX classify_retries_by_age ON classify_retries (kind, created_at);
CREATE TRIGGER classify_retries_expiry AFTER INSERT ON classify_retries
  WHEN NEW.expires_at IS NULL BEGIN
  UPDATE classify_retries SET expires_at = NEW.created_at + 86400 * COALESCE((SELECT
    MAX(max_age_days) FROM retention_policy WHERE instr(',' || NEW.purposes || ',', ',' ||
    purpose || ',') > 0), 365) WHERE kind = NEW.kind AND item_key = NEW.item_key;
END;
)sql";

// Version 22: withdrawing shared hashes (Art 7; docs/exchanges.md). share_withdrawals are written
// by the case stores with a reversal that reinstates content of a case confirmed as new
// material; the share outbox turns each into row states of exchange_shares: a row not yet sent
// is cancelled, a sent one waits to be withdrawn at the partner (remote_id: the partner's id of
// the shared record, e.g. a ThreatExchange descriptor). exchange_share_progress gets the
// withdrawals' mark.
constexpr std::string_view kV22ShareWithdrawals = R"sql(
CREATE TABLE share_withdrawals (
  id                INTEGER PRIMARY KEY,
  case_id           INTEGER NOT NULL UNIQUE REFERENCES cases (id) ON DELETE RESTRICT,
  share_request_id  INTEGER NOT NULL REFERENCES share_requests (id) ON DELETE RESTRICT,
  created_at        INTEGER NOT NULL
);
-- SQLite cannot change a CHECK constraint in place: the tables are rebuilt with their rows,
-- through temporary copies rather than ALTER TABLE ... RENAME, which re-checks every trigger of
-- the schema (and so fails on a database that skipped an unrelated migration).
CREATE TEMP TABLE exchange_shares_v19 AS SELECT * FROM exchange_shares;
CREATE TEMP TABLE exchange_share_progress_v19 AS SELECT * FROM exchange_share_progress;
DROP TABLE exchange_shares;
DROP TABLE exchange_share_progress;
CREATE TABLE exchange_shares (
  id               INTEGER PRIMARY KEY,
  exchange_id      INTEGER NOT NULL REFERENCES exchanges (id) ON DELETE RESTRICT,
  request_id       INTEGER NOT NULL,
  signal_type      TEXT    NOT NULL,
  value            TEXT    NOT NULL,
  source_ref       TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'shared', 'refused', 'cancelled',
                                                     'withdrawing', 'withdrawn',
                                                     'withdraw_refused')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  shared_at        INTEGER,
  remote_id        TEXT    NOT NULL DEFAULT '',
  withdrawn_at     INTEGER,
  UNIQUE (exchange_id, signal_type, value)
);
INSERT INTO exchange_shares (id, exchange_id, request_id, signal_type, value, source_ref, state,
  attempts, next_attempt_at, last_error, created_at, shared_at)
  SELECT id, exchange_id, request_id, signal_type, value, source_ref, state, attempts,
  next_attempt_at, last_error, created_at, shared_at FROM temp.exchange_shares_v19;
CREATE INDEX exchange_shares_due ON exchange_shares (exchange_id, next_attempt_at)
  WHERE state IN ('pending', 'withdrawing');
CREATE INDEX exchange_shares_by_request ON exchange_shares (request_id);
CREATE TABLE exchange_share_progress (
  id                  INTEGER PRIMARY KEY CHECK (id = 1),
  last_request_id     INTEGER NOT NULL,
  last_withdrawal_id  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO exchange_share_progress (id, last_request_id)
  SELECT id, last_request_id FROM temp.exchange_share_progress_v19;
DROP TABLE temp.exchange_shares_v19;
DROP TABLE temp.exchange_share_progress_v19;
)sql";

// Version 23: which share requests carry which hash (Art 7; docs/exchanges.md). exchange_shares
// keeps one row per exchange and hash, under the first request that queued it; a claim records
// every request that carried the hash, so a withdrawal leaves a hash with the partners while
// another confirmed case that was not reversed still carries it. Filled from the rows already
// queued (a request that found its hashes queued before this version left no trace to copy).
constexpr std::string_view kV23ShareClaims = R"sql(
CREATE TABLE exchange_share_claims (
  request_id   INTEGER NOT NULL,
  signal_type  TEXT    NOT NULL,
  value        TEXT    NOT NULL,
  withdrawn    INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
  PRIMARY KEY (request_id, signal_type, value)
);
CREATE INDEX exchange_share_claims_by_hash ON exchange_share_claims (signal_type, value);
INSERT INTO exchange_share_claims (request_id, signal_type, value, withdrawn)
  SELECT request_id, signal_type, value,
    MAX(CASE WHEN state IN ('cancelled', 'withdrawing', 'withdrawn', 'withdraw_refused') THEN 1
        ELSE 0 END)
  FROM exchange_shares GROUP BY request_id, signal_type, value;
)sql";

// Version 25: a kept item remembers where it was uploaded (surface, region: the retry counts it
// there, Art 8) and, with pseudonymisation, its clear account id sealed for the pseudonym, so a
// case filed by the retry can keep it for a hotline report like any other (docs/classify.md).
constexpr std::string_view kV25RetryOrigin = R"sql(
ALTER TABLE classify_retries ADD COLUMN surface TEXT NOT NULL DEFAULT '';
ALTER TABLE classify_retries ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE classify_retries ADD COLUMN sealed_account_id TEXT;
)sql";

constexpr SqliteMigration kMigrations[] = {
    {1, "banks and bank entries", kV1Banks},
    {2, "cases and human review", kV2Cases},
    {3, "volume counters", kV3Volume},
    {4, "case item grouping", kV4CaseGroups},
    {5, "audit log", kV5Audit},
    {6, "API keys", kV6ApiKeys},
    {7, "vpdq bank entries", kV7VpdqEntries},
    {8, "data protection", kV8Privacy},
    {9, "report outbox", kV9ReportOutbox},
    {10, "redress", kV10Redress},
    {11, "hash exchanges", kV11Exchanges},
    {12, "classifier flag evidence", kV12FlagEvidence},
    {13, "job ledger", kV13JobLedger},
    {15, "bank change counters", kV15BankChanges},
    {18, "account identities and audit purge", kV18AccountsAndAuditPurge},
    {19, "exchange shares", kV19ExchangeShares},
    {21, "classifier retries", kV21ClassifyRetries},
    {22, "share withdrawals", kV22ShareWithdrawals},
    {23, "share claims", kV23ShareClaims},
    {25, "kept items' origin", kV25RetryOrigin},
};

bool TableExists(SQLite::Database& db, const char* name) {
  SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.executeStep();
}

std::string OtherTables(SQLite::Database& db) {
  SQLite::Statement q(
      db, "SELECT group_concat(name, ', ') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
  q.executeStep();
  return q.getColumn(0).isNull() ? std::string() : q.getColumn(0).getString();
}

bool IsApplied(SQLite::Database& db, int version) {
  SQLite::Statement q(db, "SELECT 1 FROM schema_migrations WHERE version = ?");
  q.bind(1, version);
  return q.executeStep();
}

int AppliedVersion(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  q.executeStep();
  return q.getColumn(0).getInt();
}

}  // namespace

std::span<const SqliteMigration> SqliteMigrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Status MigrateSqlite(SQLite::Database& db, std::string_view path, TimePoint now) {
  // IMMEDIATE takes the write lock up front, so two processes opening a new file do not both
  // try to create the tables.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  if (!TableExists(db, "schema_migrations")) {
    // A statement still stepping blocks the commit, so queries live in helpers that end them.
    const std::string others = OtherTables(db);
    if (!others.empty()) {
      return FailedPreconditionError(
          fmt::format("{} is an SQLite database of another application (it has {}, but no "
                      "schema_migrations); refusing to modify it",
                      path, others));
    }
    db.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)");
  }
  const int current = AppliedVersion(db);
  if (current > LatestSchemaVersion()) {
    return FailedPreconditionError(fmt::format(
        "{} has schema version {}, newer than this vigil knows ({}); upgrade vigil to use it", path,
        current, LatestSchemaVersion()));
  }
  // Every migration not yet recorded, not only those above the newest: versions are reserved
  // per feature and may land out of order, so a database can lack one below its newest.
  for (const SqliteMigration& m : kMigrations) {
    if (IsApplied(db, m.version)) continue;
    db.exec(std::string(m.sql));
    SQLite::Statement record(
        db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    record.bind(1, m.version);
    record.bind(2, std::string(m.name));
    record.bind(3, static_cast<int64_t>(now.time_since_epoch().count()));
    record.exec();
  }
  tx.commit();
  return Status::Ok();
}

std::vector<Migration> ReadSqliteMigrations(SQLite::Database& db) {
  SQLite::Statement q(db,
                      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  std::vector<Migration> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getInt(), q.getColumn(1).getString(),
                   TimePoint(std::chrono::seconds(q.getColumn(2).getInt64()))});
  }
  return out;
}

}  // namespace vigil::store
