// Public face of the `exchange` module: outside hash lists that keep banks up to date and take
// the provider's confirmed hashes (docs/exchanges.md).
//
//   types.h           configs, sync state, hash updates, pages, organisation counts
//   exchange_store.h  the ExchangeStore interface (`store` implements it) and an in-memory fake
//   source.h          the Exchange client interface and OpenExchange
//   sync.h            SyncExchange (paged, retried, atomic per page) and ShareConfirmed
//   credentials.h     secrets from "env:" or "file:" references, never stored
//   share_queue.h     the ShareQueue interface (confirmed hashes waiting per exchange) and a fake
//   share_outbox.h    ShareOutbox: decisions' share requests into the queue, then to partners
//
// Depends on cases, bank, hash (SHA-256) and core; libxml2, nlohmann_json and cpp-httplib
// privately.
#ifndef VIGIL_EXCHANGE_EXCHANGE_H_
#define VIGIL_EXCHANGE_EXCHANGE_H_

#include "exchange/credentials.h"     // IWYU pragma: export
#include "exchange/exchange_store.h"  // IWYU pragma: export
#include "exchange/share_outbox.h"    // IWYU pragma: export
#include "exchange/share_queue.h"     // IWYU pragma: export
#include "exchange/source.h"          // IWYU pragma: export
#include "exchange/sync.h"            // IWYU pragma: export
#include "exchange/types.h"           // IWYU pragma: export

#endif  // VIGIL_EXCHANGE_EXCHANGE_H_
