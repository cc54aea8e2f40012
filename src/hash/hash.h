// Public face of the `hash` module: pure functions from bytes or pixels to hashes.
// No I/O, no logging, no global mutable state; deterministic.
#ifndef VIGIL_HASH_HASH_H_
#define VIGIL_HASH_HASH_H_

#include "hash/digest.h"   // IWYU pragma: export
#include "hash/hash256.h"  // IWYU pragma: export
#include "hash/pdq.h"      // IWYU pragma: export
#include "hash/vpdq.h"     // IWYU pragma: export

#endif  // VIGIL_HASH_HASH_H_
