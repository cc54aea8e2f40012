// The configuration file of `vigil worker --config FILE` (JSON; docs/scaling.md):
//
//   {"name": "w1", "database": "postgresql://...", "nats": {"url": "nats://127.0.0.1:4222",
//    "max_jobs": 1000000, "max_deliver": 5, "ack_wait_ms": 30000, "max_ack_pending": 10000},
//    "threads": 2, "batch": 4, "retry_delay_ms": 1000, "rules": "rules.json", "banks": [],
//    "metrics_listen": "127.0.0.1:9464", "legal_basis": "...", "ledger_retention_hours": 24,
//    "pseudonym_keys": "pseudonym.keys", "evidence_keys": "evidence.keys"}
//
// pseudonym_keys (or the VIGIL_PSEUDONYM_KEYS variable) makes the worker store account ids only
// as pseudonyms and keep clear ids sealed (worker.h); it needs evidence_keys (or
// VIGIL_EVIDENCE_KEYS), the master keys the clear ids are sealed with.
// Only "database" is required. Unknown keys are refused, so a typo is not silently ignored.
#ifndef VIGIL_WORKER_CONFIG_H_
#define VIGIL_WORKER_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "queue/nats.h"
#include "worker/worker.h"

namespace vigil::worker {

struct WorkerConfig {
  std::string database;
  queue::NatsOptions nats;
  WorkerOptions worker;
  std::string rules_file;          // empty: the default rules
  std::vector<std::string> banks;  // empty: every bank
  std::string metrics_listen;      // "host:port" for /metrics; empty: none
  std::string legal_basis;         // empty: the default
  int ledger_retention_hours = 24;
  std::string pseudonym_keys_file;  // empty: VIGIL_PSEUDONYM_KEYS, else no pseudonymisation
  std::string evidence_keys_file;   // empty: VIGIL_EVIDENCE_KEYS
};

// Parses a configuration; errors (kInvalidArgument) name `where` and the field.
Result<WorkerConfig> ParseWorkerConfig(std::string_view json, std::string_view where);
// Reads and parses FILE: kNotFound when it cannot be read.
Result<WorkerConfig> LoadWorkerConfig(const std::string& path);

}  // namespace vigil::worker

#endif  // VIGIL_WORKER_CONFIG_H_
