// The data map: what vigil stores, why, for how long, and who may read it (the basis for the
// data protection impact assessment, Art 3(1)(c)-(d), and for `vigil privacy describe`). One
// entry per database table; a test opens a fresh database and fails when a table is missing
// from the map or the map names a table that no longer exists, so the map cannot drift.
//
// Immutable data; thread-safe.
#ifndef VIGIL_PRIVACY_DATA_MAP_H_
#define VIGIL_PRIVACY_DATA_MAP_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::privacy {

struct DataMapEntry {
  std::string_view table;
  std::string_view holds;          // what a row is
  std::string_view personal_data;  // which personal data it contains, "none" when none
  std::string_view purposes;       // why it is kept (Art 3(1)(h) purposes, or operational)
  std::string_view retention;      // how long, and whether vigil enforces it yet
  std::string_view readers;        // the roles that may read it
  // The purposes a row deleted at the end of its retention is counted under in erasure_counts
  // (the annual report's retention.purged.<purpose>), ", "-separated; empty for tables vigil
  // never purges on its own. Rows stamped with their own purposes (cases and their records,
  // classifier retry items) are counted under those; this names what they are stamped with.
  std::string_view purged_as{};
};

std::span<const DataMapEntry> DataMap();

// The data map's purged_as of `table`, split: what PurgeRecords and the audit log's purge count a
// deleted row under. kNotFound naming the table when the map lacks it or gives it none.
Result<std::vector<std::string>> PurgedAs(std::string_view table);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_DATA_MAP_H_
