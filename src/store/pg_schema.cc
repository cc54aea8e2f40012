#include "store/pg_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

namespace vigil::store {
namespace {

// Mirrors SQLite's version 1 (sqlite_schema.cc). Times are Unix seconds (UTC) in BIGINT rather
// than timestamptz, so both backends store the same numbers and TimePoint round-trips exactly
// without time-zone rules; to_timestamp(added_at) shows them in psql. Hash values are raw bytes
// (bytea) compared bytewise by the unique index. Ids are identity columns, so they rise with
// insertion like SQLite's rowids. Entries are never deleted (retired_at marks them), hence
// RESTRICT.
constexpr std::string_view kV1Banks = R"sql(
CREATE TABLE banks (
  id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  owner        TEXT    NOT NULL DEFAULT '',
  description  TEXT    NOT NULL DEFAULT '',
  source_list  TEXT    NOT NULL DEFAULT '',
  auto_action  BOOLEAN NOT NULL DEFAULT FALSE,
  created_at   BIGINT  NOT NULL
);
CREATE TABLE bank_entries (
  id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bank_id             BIGINT  NOT NULL REFERENCES banks (id) ON DELETE RESTRICT,
  signal_type         TEXT    NOT NULL,
  value               BYTEA   NOT NULL,
  added_at            BIGINT  NOT NULL,
  source_ref          TEXT    NOT NULL DEFAULT '',
  verifications       INTEGER NOT NULL DEFAULT 0 CHECK (verifications >= 0),
  needs_verification  BOOLEAN NOT NULL DEFAULT FALSE,
  retired_at          BIGINT,
  retired_reason      TEXT    NOT NULL DEFAULT '',
  UNIQUE (bank_id, signal_type, value)
);
-- Streams a bank's entries in id order (keyset pages) without sorting.
CREATE INDEX bank_entries_by_bank ON bank_entries (bank_id, id);
)sql";

// Mirrors SQLite's version 2 (sqlite_schema.cc), with the conventions of version 1: BIGINT
// seconds, identity ids, BOOLEAN flags, DOUBLE PRECISION scores. case_events is the audit trail:
// append-only, enforced by a trigger raising on UPDATE or DELETE (and TRUNCATE). The partial
// unique index allows one open alert per subject; the store also counts under a per-subject
// advisory lock so concurrent openings see each other's flags.
constexpr std::string_view kV2Cases = R"sql(
CREATE TABLE cases (
  id                BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version           BIGINT  NOT NULL CHECK (version >= 1),
  account_id        TEXT    NOT NULL,
  surface           TEXT    NOT NULL,
  eu                BOOLEAN NOT NULL,
  priority          INTEGER NOT NULL,
  created_at        BIGINT  NOT NULL,
  updated_at        BIGINT  NOT NULL,
  state             TEXT    NOT NULL,
  lease_reviewer    TEXT,
  lease_expires_at  BIGINT,
  outcome           TEXT,
  decided_at        BIGINT,
  actioned_at       BIGINT,
  reported_at       BIGINT,
  qa_state          TEXT    NOT NULL,
  CHECK ((lease_reviewer IS NULL) = (lease_expires_at IS NULL))
);
CREATE INDEX cases_review_queue ON cases (state, priority DESC, created_at, id);
CREATE INDEX cases_qa_queue ON cases (qa_state, priority DESC, created_at, id);
CREATE TABLE case_items (
  case_id       BIGINT  NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  position      INTEGER NOT NULL,
  item_id       TEXT    NOT NULL,
  content_type  TEXT    NOT NULL,
  received_at   BIGINT  NOT NULL,
  PRIMARY KEY (case_id, position)
);
CREATE TABLE case_flags (
  id                BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id           BIGINT  NOT NULL,
  item_position     INTEGER NOT NULL,
  technology        TEXT    NOT NULL,
  category          TEXT    NOT NULL,
  raw_value         DOUBLE PRECISION NOT NULL,
  bank_entry_id     BIGINT,
  bank_name         TEXT    NOT NULL DEFAULT '',
  bank_auto_action  BOOLEAN NOT NULL DEFAULT FALSE,
  flagged_at        BIGINT  NOT NULL,
  FOREIGN KEY (case_id, item_position) REFERENCES case_items (case_id, position)
);
CREATE INDEX case_flags_by_case ON case_flags (case_id);
CREATE INDEX case_flags_by_technology ON case_flags (technology, flagged_at);
CREATE INDEX case_flags_by_entry ON case_flags (bank_entry_id, flagged_at)
  WHERE bank_entry_id IS NOT NULL;
CREATE TABLE case_reviews (
  id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     BIGINT  NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  kind        TEXT    NOT NULL,
  reviewer    TEXT    NOT NULL,
  decision    TEXT    NOT NULL,
  rationale   TEXT    NOT NULL,
  decided_at  BIGINT  NOT NULL
);
CREATE INDEX case_reviews_by_case ON case_reviews (case_id);
CREATE TABLE false_positives (
  id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id        BIGINT  NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  item_id        TEXT    NOT NULL,
  technology     TEXT    NOT NULL,
  raw_value      DOUBLE PRECISION NOT NULL,
  bank_entry_id  BIGINT,
  reviewer       TEXT    NOT NULL,
  recorded_at    BIGINT  NOT NULL
);
CREATE INDEX false_positives_by_time ON false_positives (recorded_at);
CREATE TABLE verification_requests (
  id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id        BIGINT  NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  bank_entry_id  BIGINT  NOT NULL,
  bank_name      TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  created_at     BIGINT  NOT NULL,
  delivered_at   BIGINT
);
CREATE INDEX verification_requests_pending ON verification_requests (case_id)
  WHERE delivered_at IS NULL;
CREATE TABLE cluster_alerts (
  id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject             TEXT    NOT NULL,
  subject_key         TEXT    NOT NULL,
  flag_count          BIGINT  NOT NULL,
  threshold           BIGINT  NOT NULL,
  window_seconds      BIGINT  NOT NULL,
  raised_at           BIGINT  NOT NULL,
  case_id             BIGINT  NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  paused_auto_action  BOOLEAN NOT NULL,
  acknowledged_at     BIGINT,
  acknowledged_by     TEXT    NOT NULL DEFAULT '',
  note                TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX cluster_alerts_one_open ON cluster_alerts (subject, subject_key)
  WHERE acknowledged_at IS NULL;
CREATE TABLE auto_action_pauses (
  subject      TEXT    NOT NULL,
  subject_key  TEXT    NOT NULL,
  paused_at    BIGINT  NOT NULL,
  alert_id     BIGINT  NOT NULL REFERENCES cluster_alerts (id) ON DELETE RESTRICT,
  PRIMARY KEY (subject, subject_key)
);
CREATE TABLE reviewer_settings (
  reviewer            TEXT    PRIMARY KEY,
  blur_percent        INTEGER NOT NULL CHECK (blur_percent BETWEEN 0 AND 100),
  greyscale           BOOLEAN NOT NULL,
  daily_exposure_cap  INTEGER NOT NULL CHECK (daily_exposure_cap >= 1)
);
CREATE TABLE reviewer_exposure (
  reviewer  TEXT    NOT NULL,
  day       BIGINT  NOT NULL,
  items     BIGINT  NOT NULL CHECK (items >= 0),
  PRIMARY KEY (reviewer, day)
);
CREATE TABLE case_events (
  id       BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id  BIGINT  REFERENCES cases (id) ON DELETE RESTRICT,
  at       BIGINT  NOT NULL,
  actor    TEXT    NOT NULL,
  action   TEXT    NOT NULL,
  details  TEXT    NOT NULL
);
CREATE INDEX case_events_by_case ON case_events (case_id) WHERE case_id IS NOT NULL;
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'case_events is append-only';
END;
$$;
CREATE TRIGGER case_events_no_update_or_delete BEFORE UPDATE OR DELETE ON case_events
  FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
  FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();
)sql";

// Mirrors SQLite's version 3: aggregate counts only.
constexpr std::string_view kV3Volume = R"sql(
CREATE TABLE volume_counters (
  day           BIGINT NOT NULL,
  technology    TEXT   NOT NULL,
  content_type  TEXT   NOT NULL,
  region        TEXT   NOT NULL CHECK (region IN ('eu', 'non-eu', 'unknown')),
  processed     BIGINT NOT NULL DEFAULT 0 CHECK (processed >= 0),
  flagged       BIGINT NOT NULL DEFAULT 0 CHECK (flagged >= 0),
  PRIMARY KEY (day, technology, content_type, region)
);
)sql";

// Mirrors SQLite's version 4 (case item grouping): when each item joined its case, its hashes
// (lowercase hex; an identity id keeps their order) and how many items a lease's holder saw.
constexpr std::string_view kV4CaseGroups = R"sql(
ALTER TABLE case_items ADD COLUMN added_at BIGINT NOT NULL DEFAULT 0;
UPDATE case_items SET added_at = cases.created_at FROM cases WHERE cases.id = case_items.case_id;
ALTER TABLE case_items ALTER COLUMN added_at DROP DEFAULT;
ALTER TABLE cases ADD COLUMN lease_items BIGINT NOT NULL DEFAULT 0 CHECK (lease_items >= 0);
UPDATE cases SET lease_items = (SELECT COUNT(*) FROM case_items WHERE case_items.case_id = cases.id)
  WHERE lease_reviewer IS NOT NULL;
CREATE TABLE case_item_hashes (
  id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id        BIGINT  NOT NULL,
  item_position  INTEGER NOT NULL,
  algorithm      TEXT    NOT NULL,
  hex            TEXT    NOT NULL,
  UNIQUE (case_id, item_position, algorithm),
  FOREIGN KEY (case_id, item_position) REFERENCES case_items (case_id, position)
);
CREATE INDEX cases_open_by_account ON cases (account_id, surface, id)
  WHERE state IN ('new', 'in_review');
)sql";

// Mirrors SQLite's version 5: the hash-chained audit log, append-only.
constexpr std::string_view kV5Audit = R"sql(
CREATE TABLE audit_log (
  seq        BIGINT PRIMARY KEY CHECK (seq >= 1),
  at         BIGINT NOT NULL,
  actor      TEXT   NOT NULL,
  action     TEXT   NOT NULL,
  target     TEXT   NOT NULL,
  origin     TEXT   NOT NULL,
  details    TEXT   NOT NULL,
  prev_hash  TEXT   NOT NULL,
  hash       TEXT   NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
)sql";

// Mirrors SQLite's version 7 in name. A vPDQ value (a video's frame list, 49 bytes a frame)
// outgrows a btree entry (at most 2704 bytes), so entries are unique by the SHA-256 of their raw
// value instead of the value itself; for 32-byte hashes the index stays the same size.
constexpr std::string_view kV7VpdqEntries = R"sql(
ALTER TABLE bank_entries DROP CONSTRAINT bank_entries_bank_id_signal_type_value_key;
CREATE UNIQUE INDEX bank_entries_unique_value ON bank_entries (bank_id, signal_type, sha256(value));
)sql";

// Mirrors SQLite's version 6: API keys, revoked and never deleted.
constexpr std::string_view kV6ApiKeys = R"sql(
CREATE TABLE api_keys (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         TEXT   NOT NULL UNIQUE,
  roles        TEXT   NOT NULL,
  secret_hash  TEXT   NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT
);
CREATE FUNCTION api_keys_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'API keys are revoked, never deleted';
END $$;
CREATE TRIGGER api_keys_no_delete BEFORE DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION api_keys_no_delete();
)sql";

// Mirrors SQLite's version 8 (data protection; see sqlite_schema.cc): purposes and expiry,
// stamped by BEFORE INSERT triggers; legal holds; erasure counts; DPIA records; case_events may
// be rewritten only to blank the details of an erased case.
constexpr std::string_view kV8Privacy = R"sql(
CREATE TABLE retention_policy (
  purpose       TEXT    PRIMARY KEY CHECK (purpose IN ('reporting', 'blocking', 'hashing',
                                                       'redress', 'law_enforcement')),
  max_age_days  INTEGER NOT NULL CHECK (max_age_days BETWEEN 1 AND 365),
  updated_at    BIGINT  NOT NULL
);
INSERT INTO retention_policy (purpose, max_age_days, updated_at) VALUES
  ('reporting', 365, 0), ('blocking', 365, 0), ('hashing', 365, 0), ('redress', 180, 0),
  ('law_enforcement', 365, 0);
ALTER TABLE cases ADD COLUMN purposes TEXT NOT NULL
  DEFAULT 'reporting,blocking,redress,law_enforcement';
ALTER TABLE cases ADD COLUMN expires_at BIGINT;
ALTER TABLE cases ADD COLUMN erased_at BIGINT;
ALTER TABLE cases ADD COLUMN erased_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE case_items ADD COLUMN purposes TEXT NOT NULL
  DEFAULT 'reporting,blocking,redress,law_enforcement';
ALTER TABLE case_items ADD COLUMN expires_at BIGINT;
ALTER TABLE case_item_hashes ADD COLUMN purposes TEXT NOT NULL
  DEFAULT 'reporting,blocking,hashing,law_enforcement';
ALTER TABLE case_item_hashes ADD COLUMN expires_at BIGINT;
CREATE TABLE evidence_files (
  case_id        BIGINT NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  item_position  BIGINT NOT NULL,
  file           TEXT   NOT NULL,
  bytes          BIGINT NOT NULL,
  created_at     BIGINT NOT NULL,
  purposes       TEXT   NOT NULL DEFAULT 'reporting,blocking,redress,law_enforcement',
  expires_at     BIGINT,
  PRIMARY KEY (case_id, item_position)
);
UPDATE cases SET expires_at = created_at + 86400 * 365;
UPDATE case_items i SET expires_at = c.expires_at FROM cases c WHERE c.id = i.case_id;
UPDATE case_item_hashes h SET expires_at = c.expires_at FROM cases c WHERE c.id = h.case_id;
CREATE INDEX cases_by_expiry ON cases (expires_at) WHERE erased_at IS NULL;
CREATE FUNCTION vigil_case_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.expires_at IS NULL THEN
    NEW.expires_at := NEW.created_at + 86400 * COALESCE((SELECT MAX(max_age_days)
      FROM retention_policy WHERE purpose = ANY (string_to_array(NEW.purposes, ','))), 365);
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION vigil_record_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.expires_at IS NULL THEN
    NEW.expires_at := (SELECT expires_at FROM cases WHERE id = NEW.case_id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_expiry BEFORE INSERT ON cases
  FOR EACH ROW EXECUTE FUNCTION vigil_case_expiry();
CREATE TRIGGER case_items_expiry BEFORE INSERT ON case_items
  FOR EACH ROW EXECUTE FUNCTION vigil_record_expiry();
CREATE TRIGGER case_item_hashes_expiry BEFORE INSERT ON case_item_hashes
  FOR EACH ROW EXECUTE FUNCTION vigil_record_expiry();
CREATE TRIGGER evidence_files_expiry BEFORE INSERT ON evidence_files
  FOR EACH ROW EXECUTE FUNCTION vigil_record_expiry();
CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.details = '(erased)' AND NEW.id = OLD.id
     AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id AND NEW.at = OLD.at
     AND NEW.actor = OLD.actor AND NEW.action = OLD.action
     AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id AND erased_at IS NOT NULL) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'case_events is append-only';
END;
$$;
CREATE TABLE legal_holds (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject      TEXT   NOT NULL,
  reason       TEXT   NOT NULL,
  placed_by    TEXT   NOT NULL,
  placed_at    BIGINT NOT NULL,
  review_at    BIGINT,
  ends_at      BIGINT,
  released_at  BIGINT,
  released_by  TEXT   NOT NULL DEFAULT '',
  CHECK (review_at IS NOT NULL OR ends_at IS NOT NULL)
);
CREATE INDEX legal_holds_by_subject ON legal_holds (subject);
CREATE TABLE erasure_counts (
  day      BIGINT NOT NULL,
  reason   TEXT   NOT NULL,
  purpose  TEXT   NOT NULL,
  records  BIGINT NOT NULL CHECK (records >= 0),
  PRIMARY KEY (day, reason, purpose)
);
CREATE TABLE dpia_records (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  technology    TEXT   NOT NULL,
  assessed_on   BIGINT NOT NULL,
  authority     TEXT   NOT NULL,
  outcome       TEXT   NOT NULL,
  link          TEXT   NOT NULL,
  recorded_by   TEXT   NOT NULL,
  recorded_at   BIGINT NOT NULL
);
CREATE INDEX dpia_records_by_technology ON dpia_records (technology);
)sql";

// Mirrors SQLite's version 9: report requests (written with the decision) and deliveries.
constexpr std::string_view kV9ReportOutbox = R"sql(
CREATE TABLE report_requests (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id      BIGINT NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  destination  TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  UNIQUE (case_id, destination)
);
CREATE TABLE report_deliveries (
  request_id       BIGINT  PRIMARY KEY,
  case_id          BIGINT  NOT NULL,
  destination      TEXT    NOT NULL,
  confirmed_at     BIGINT  NOT NULL,
  state            TEXT    NOT NULL,
  progress         TEXT    NOT NULL,
  attempts         BIGINT  NOT NULL,
  next_attempt_at  BIGINT  NOT NULL,
  last_error       TEXT    NOT NULL,
  remote_id        BIGINT,
  delivered_at     BIGINT,
  version          BIGINT  NOT NULL
);
CREATE INDEX report_deliveries_due ON report_deliveries (next_attempt_at)
  WHERE state = 'pending';
CREATE INDEX report_deliveries_case ON report_deliveries (case_id);
)sql";

// Mirrors SQLite's version 10. Redress (docs/redress.md): actions on decided cases, user notices (Art 3(1)(g)(vi); the
// outbox row is written in the action's transaction), complaints against actions with their
// second review, and judicial complaints (Art 5). Rows holding personal data name their purpose
// and expiry (Art 3(1)(h)). One action per (case, kind, item), one complaint per action.
constexpr std::string_view kV10Redress = R"sql(
CREATE TABLE redress_actions (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id          BIGINT  NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  kind             TEXT    NOT NULL,
  item_id          TEXT    NOT NULL,
  account_id       TEXT    NOT NULL,
  reason           TEXT    NOT NULL,
  technologies     TEXT    NOT NULL,
  actor            TEXT    NOT NULL,
  taken_at         BIGINT  NOT NULL,
  reversed_at      BIGINT ,
  reversed_by      TEXT    NOT NULL DEFAULT '',
  reversal_reason  TEXT    NOT NULL DEFAULT '',
  purpose          TEXT    NOT NULL,
  expires_at       BIGINT  NOT NULL,
  UNIQUE (case_id, kind, item_id)
);
CREATE TABLE user_notices (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action_id         BIGINT  NOT NULL REFERENCES redress_actions (id) ON DELETE RESTRICT,
  case_id           BIGINT  NOT NULL,
  account_id        TEXT    NOT NULL,
  language          TEXT    NOT NULL,
  template_version  TEXT    NOT NULL,
  body              TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  attempts          BIGINT  NOT NULL,
  created_at        BIGINT  NOT NULL,
  next_attempt_at   BIGINT  NOT NULL,
  last_error        TEXT    NOT NULL,
  delivered_at      BIGINT ,
  version           BIGINT  NOT NULL,
  purpose           TEXT    NOT NULL,
  expires_at        BIGINT  NOT NULL
);
CREATE INDEX user_notices_due ON user_notices (next_attempt_at) WHERE state = 'pending';
CREATE INDEX user_notices_case ON user_notices (case_id);
CREATE TABLE complaints (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action_id        BIGINT  NOT NULL UNIQUE REFERENCES redress_actions (id) ON DELETE RESTRICT,
  case_id          BIGINT  NOT NULL,
  account_id       TEXT    NOT NULL,
  filed_by         TEXT    NOT NULL,
  text             TEXT    NOT NULL,
  filed_at         BIGINT  NOT NULL,
  state            TEXT    NOT NULL,
  outcome          TEXT    NOT NULL,
  reviewer         TEXT    NOT NULL,
  rationale        TEXT    NOT NULL,
  decided_at       BIGINT ,
  report_followup  TEXT    NOT NULL,
  version          BIGINT  NOT NULL,
  purpose          TEXT    NOT NULL,
  expires_at       BIGINT  NOT NULL
);
CREATE INDEX complaints_case ON complaints (case_id);
CREATE TABLE judicial_complaints (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id      BIGINT  NOT NULL REFERENCES cases (id) ON DELETE RESTRICT,
  action_id    BIGINT ,
  authority    TEXT    NOT NULL,
  reference    TEXT    NOT NULL,
  filed_at     BIGINT  NOT NULL,
  outcome      TEXT    NOT NULL,
  outcome_at   BIGINT ,
  recorded_by  TEXT    NOT NULL,
  version      BIGINT  NOT NULL,
  purpose      TEXT    NOT NULL,
  expires_at   BIGINT  NOT NULL
);
CREATE INDEX redress_actions_case ON redress_actions (case_id);
CREATE INDEX judicial_complaints_case ON judicial_complaints (case_id);
)sql";

// Mirrors SQLite's version 12: the evidence of a classifier flag.
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
  flagged             BOOLEAN NOT NULL,
  case_id             BIGINT,
  processed_at        BIGINT  NOT NULL,
  PRIMARY KEY (item_key, technology_version)
);
CREATE INDEX processed_items_processed_at ON processed_items (processed_at);
)sql";

// Mirrors SQLite's version 11: hash exchanges and the organisations hashes went to and came from.
constexpr std::string_view kV11Exchanges = R"sql(
CREATE TABLE exchanges (
  id                 BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name               TEXT    NOT NULL UNIQUE,
  type               TEXT    NOT NULL,
  bank_id            BIGINT  NOT NULL REFERENCES banks (id) ON DELETE RESTRICT,
  organisation       TEXT    NOT NULL,
  organisation_kind  TEXT    NOT NULL,
  endpoint           TEXT    NOT NULL,
  credentials_ref    TEXT    NOT NULL DEFAULT '',
  options            TEXT    NOT NULL DEFAULT '{}',
  share              BOOLEAN NOT NULL DEFAULT FALSE,
  created_at         BIGINT  NOT NULL,
  sync_cursor        TEXT    NOT NULL DEFAULT '',
  pages              BIGINT  NOT NULL DEFAULT 0,
  added              BIGINT  NOT NULL DEFAULT 0,
  updated            BIGINT  NOT NULL DEFAULT 0,
  removed            BIGINT  NOT NULL DEFAULT 0,
  last_sync_at       BIGINT,
  last_error         TEXT    NOT NULL DEFAULT '',
  last_error_at      BIGINT
);
CREATE TABLE exchange_contacts (
  day           BIGINT NOT NULL,
  organisation  TEXT   NOT NULL,
  kind          TEXT   NOT NULL,
  direction     TEXT   NOT NULL CHECK (direction IN ('received', 'shared')),
  hashes        BIGINT NOT NULL CHECK (hashes >= 0),
  PRIMARY KEY (day, organisation, kind, direction)
);
-- Withdrawals by record (NCMEC deletes records, not hashes) find a bank's entries by source_ref;
-- partial, so imports without references pay nothing.
CREATE INDEX bank_entries_by_source_ref ON bank_entries (bank_id, source_ref)
  WHERE source_ref <> '';
)sql";

// Mirrors SQLite's version 18: sealed clear account ids per case, and the audit log's purge
// checkpoints (a delete is allowed only for rows a checkpoint covers).
constexpr std::string_view kV18AccountsAndAuditPurge = R"sql(
CREATE TABLE case_accounts (
  case_id     BIGINT PRIMARY KEY REFERENCES cases (id) ON DELETE RESTRICT,
  sealed      TEXT   NOT NULL,
  created_at  BIGINT NOT NULL,
  purposes    TEXT   NOT NULL DEFAULT 'reporting,law_enforcement',
  expires_at  BIGINT
);
-- Its own function (the same as version 8's vigil_record_expiry), so this version does not
-- depend on 8 having been applied first.
CREATE FUNCTION vigil_case_account_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.expires_at IS NULL THEN
    NEW.expires_at := (SELECT expires_at FROM cases WHERE id = NEW.case_id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER case_accounts_expiry BEFORE INSERT ON case_accounts
  FOR EACH ROW EXECUTE FUNCTION vigil_case_account_expiry();
CREATE TABLE audit_checkpoints (
  through_seq  BIGINT PRIMARY KEY CHECK (through_seq >= 1),
  hash         TEXT   NOT NULL,
  records      BIGINT NOT NULL CHECK (records >= 0),
  purged_at    BIGINT NOT NULL
);
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is append-only';
END;
$$;
CREATE TRIGGER audit_checkpoints_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit_checkpoints WHERE through_seq >= OLD.seq) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
)sql";

// Mirrors SQLite's version 15: a per-bank counter of entry changes (BankStore::GetChangeCount).
constexpr std::string_view kV15BankChanges = R"sql(
ALTER TABLE banks ADD COLUMN entry_changes BIGINT NOT NULL DEFAULT 0;
)sql";

// Sharing confirmed hashes (Art 7): share_requests are written by the case stores with a
// confirmed_new decision; the exchange share outbox copies each request's item hashes into
// exchange_shares, one row per consenting exchange and hash, and moves its mark in
// exchange_share_progress in the same transaction (no row until the first copy: a
// database that never shared holds nothing).
constexpr std::string_view kV19ExchangeShares = R"sql(
CREATE TABLE share_requests (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     BIGINT NOT NULL UNIQUE REFERENCES cases (id) ON DELETE RESTRICT,
  created_at  BIGINT NOT NULL
);
CREATE TABLE exchange_shares (
  id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  exchange_id      BIGINT  NOT NULL REFERENCES exchanges (id) ON DELETE RESTRICT,
  request_id       BIGINT  NOT NULL,
  signal_type      TEXT    NOT NULL,
  value            TEXT    NOT NULL,
  source_ref       TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'shared', 'refused')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT  NOT NULL,
  last_error       TEXT    NOT NULL DEFAULT '',
  created_at       BIGINT  NOT NULL,
  shared_at        BIGINT,
  UNIQUE (exchange_id, signal_type, value)
);
CREATE INDEX exchange_shares_due ON exchange_shares (exchange_id, next_attempt_at)
  WHERE state = 'pending';
CREATE TABLE exchange_share_progress (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  last_request_id  BIGINT  NOT NULL
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
  bytes           BIGINT  NOT NULL CHECK (bytes >= 0),
  error           TEXT    NOT NULL,
  attempts        BIGINT  NOT NULL CHECK (attempts >= 1),
  created_at      BIGINT  NOT NULL,
  last_failed_at  BIGINT  NOT NULL,
  purposes        TEXT    NOT NULL DEFAULT 'reporting,blocking',
  expires_at      BIGINT,
  PRIMARY KEY (kind, item_key)
);
CREATE INDEX classify_retries_by_age ON classify_retries (kind, created_at);
-- created_at + the longest retention of the row's purposes, as vigil_case_expiry (migration 8)
-- computes it; its own function, so this migration does not depend on 8 being applied first.
CREATE FUNCTION vigil_retry_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.expires_at IS NULL THEN
    NEW.expires_at := NEW.created_at + 86400 * COALESCE((SELECT MAX(max_age_days)
      FROM retention_policy WHERE purpose = ANY (string_to_array(NEW.purposes, ','))), 365);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER classify_retries_expiry BEFORE INSERT ON classify_retries
  FOR EACH ROW EXECUTE FUNCTION vigil_retry_expiry();
)sql";

// Version 22: withdrawing shared hashes (Art 7; docs/exchanges.md). share_withdrawals are written
// by the case stores with a reversal that reinstates content of a case confirmed as new
// material; the share outbox turns each into row states of exchange_shares: a row not yet sent
// is cancelled, a sent one waits to be withdrawn at the partner (remote_id: the partner's id of
// the shared record, e.g. a ThreatExchange descriptor). exchange_share_progress gets the
// withdrawals' mark.
constexpr std::string_view kV22ShareWithdrawals = R"sql(
CREATE TABLE share_withdrawals (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id           BIGINT NOT NULL UNIQUE REFERENCES cases (id) ON DELETE RESTRICT,
  share_request_id  BIGINT NOT NULL REFERENCES share_requests (id) ON DELETE RESTRICT,
  created_at        BIGINT NOT NULL
);
ALTER TABLE exchange_shares DROP CONSTRAINT exchange_shares_state_check;
ALTER TABLE exchange_shares ADD CONSTRAINT exchange_shares_state_check
  CHECK (state IN ('pending', 'shared', 'refused', 'cancelled', 'withdrawing', 'withdrawn',
                   'withdraw_refused'));
ALTER TABLE exchange_shares ADD COLUMN remote_id TEXT NOT NULL DEFAULT '',
  ADD COLUMN withdrawn_at BIGINT;
DROP INDEX exchange_shares_due;
CREATE INDEX exchange_shares_due ON exchange_shares (exchange_id, next_attempt_at)
  WHERE state IN ('pending', 'withdrawing');
CREATE INDEX exchange_shares_by_request ON exchange_shares (request_id);
ALTER TABLE exchange_share_progress ADD COLUMN last_withdrawal_id BIGINT NOT NULL DEFAULT 0;
)sql";

// Version 23: which share requests carry which hash (Art 7; docs/exchanges.md). exchange_shares
// keeps one row per exchange and hash, under the first request that queued it; a claim records
// every request that carried the hash, so a withdrawal leaves a hash with the partners while
// another confirmed case that was not reversed still carries it. Filled from the rows already
// queued (a request that found its hashes queued before this version left no trace to copy).
constexpr std::string_view kV23ShareClaims = R"sql(
CREATE TABLE exchange_share_claims (
  request_id   BIGINT  NOT NULL,
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

constexpr PgMigration kMigrations[] = {
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

// schema_migrations as vigil creates it, (column, type); a table of that name without these
// columns is not ours.
constexpr std::pair<std::string_view, std::string_view> kMigrationColumns[] = {
    {"version", "integer"}, {"name", "text"}, {"applied_at", "bigint"}};

// Names of the tables in the current schema, comma-separated ("" when there are none).
Result<std::string> TablesInSchema(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT COALESCE(string_agg(tablename, ', ' ORDER BY "
                                         "tablename), '') FROM pg_tables WHERE schemaname = "
                                         "current_schema()"));
  return std::string(r.Text(0, 0));
}

Status CheckMigrationTable(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT column_name, data_type FROM "
                                         "information_schema.columns WHERE table_schema = "
                                         "current_schema() AND table_name = 'schema_migrations'"));
  size_t matched = 0;
  for (int i = 0; i < r.rows(); ++i) {
    const std::pair<std::string_view, std::string_view> column(r.Text(i, 0), r.Text(i, 1));
    if (std::ranges::find(kMigrationColumns, column) != std::end(kMigrationColumns)) ++matched;
  }
  if (matched != std::size(kMigrationColumns)) {
    return DataLossError(fmt::format(
        "database {}: table schema_migrations is damaged or not vigil's (it lacks the integer "
        "version, text name and bigint applied_at columns); refusing to use it",
        conn.name()));
  }
  return Status::Ok();
}

}  // namespace

std::span<const PgMigration> PgMigrations() { return kMigrations; }

Status ApplyPgMigrations(PgConnection& conn, std::span<const PgMigration> migrations,
                         TimePoint now) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  ASSIGN_OR_RETURN(PgTransaction tx, PgTransaction::Begin(conn));
  // Held until commit or rollback; a second opener waits here (up to lock_timeout), then sees
  // the first one's work.
  RETURN_IF_ERROR(
      conn.Exec("SELECT pg_advisory_xact_lock($1)", PgParams().Int(kPgMigrationLockKey)));
  ASSIGN_OR_RETURN(PgResult exists, conn.Exec("SELECT 1 FROM pg_tables WHERE schemaname = "
                                              "current_schema() AND tablename = "
                                              "'schema_migrations'"));
  if (exists.rows() == 0) {
    ASSIGN_OR_RETURN(std::string others, TablesInSchema(conn));
    if (!others.empty()) {
      return FailedPreconditionError(
          fmt::format("database {} belongs to another application (it has {}, but no "
                      "schema_migrations); refusing to modify it",
                      conn.name(), others));
    }
    RETURN_IF_ERROR(
        conn.ExecScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
                        "NOT NULL, applied_at BIGINT NOT NULL)"));
  } else {
    RETURN_IF_ERROR(CheckMigrationTable(conn));
  }
  ASSIGN_OR_RETURN(PgResult applied,
                   conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  const int64_t current = applied.Int(0, 0);
  if (current > latest) {
    return FailedPreconditionError(fmt::format(
        "database {} has schema version {}, newer than this vigil knows ({}); upgrade vigil to "
        "use it",
        conn.name(), current, latest));
  }
  // Every migration not yet recorded, not only those above the newest: versions are reserved
  // per feature and may land out of order, so a database can lack one below its newest.
  for (const PgMigration& m : migrations) {
    ASSIGN_OR_RETURN(PgResult done, conn.Exec("SELECT 1 FROM schema_migrations WHERE version = $1",
                                              PgParams().Int(m.version)));
    if (done.rows() > 0) continue;
    RETURN_IF_ERROR(conn.ExecScript(m.sql));
    RETURN_IF_ERROR(
        conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                  PgParams().Int(m.version).Text(m.name).Int(now.time_since_epoch().count())));
  }
  return tx.Commit();
}

Result<std::vector<Migration>> ReadPgMigrations(PgConnection& conn) {
  ASSIGN_OR_RETURN(
      PgResult r,
      conn.Exec("SELECT version, name, applied_at FROM schema_migrations ORDER BY version"));
  std::vector<Migration> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({static_cast<int>(r.Int(i, 0)), std::string(r.Text(i, 1)),
                   TimePoint(std::chrono::seconds(r.Int(i, 2)))});
  }
  return out;
}

}  // namespace vigil::store
