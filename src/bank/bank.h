// Public face of the `bank` module: hash banks, their entries and provenance, the BankStore
// interface the `store` module implements, an in-memory fake of it, and hash-list import/export.
//
// Depends on core only; no module below `bank` includes this.
#ifndef VIGIL_BANK_BANK_H_
#define VIGIL_BANK_BANK_H_

#include "bank/bank_store.h"            // IWYU pragma: export
#include "bank/entry_batch.h"           // IWYU pragma: export
#include "bank/export.h"                // IWYU pragma: export
#include "bank/import.h"                // IWYU pragma: export
#include "bank/in_memory_bank_store.h"  // IWYU pragma: export
#include "bank/signal.h"                // IWYU pragma: export
#include "bank/types.h"                 // IWYU pragma: export
#include "bank/vpdq_value.h"            // IWYU pragma: export

#endif  // VIGIL_BANK_BANK_H_
