// The data map: what vigil stores, why, for how long, and who may read it (the basis for the
// data protection impact assessment, Art 3(1)(c)-(d), and for `vigil privacy describe`). One
// entry per database table; a test opens a fresh database and fails when a table is missing
// from the map or the map names a table that no longer exists, so the map cannot drift.
//
// Immutable data; thread-safe.
#ifndef VIGIL_PRIVACY_DATA_MAP_H_
#define VIGIL_PRIVACY_DATA_MAP_H_

#include <span>
#include <string_view>

namespace vigil::privacy {

struct DataMapEntry {
  std::string_view table;
  std::string_view holds;          // what a row is
  std::string_view personal_data;  // which personal data it contains, "none" when none
  std::string_view purposes;       // why it is kept (Art 3(1)(h) purposes, or operational)
  std::string_view retention;      // how long, and whether vigil enforces it yet
  std::string_view readers;        // the roles that may read it
};

std::span<const DataMapEntry> DataMap();

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_DATA_MAP_H_
