// Crash points for the crash-durability tests (tests/cli/crash_cli_test.cc, issue 14): when the
// environment variable VIGIL_CRASH_AT names a point the command reaches, the process kills
// itself with SIGKILL right there, as an OOM kill or power cut would (no destructors, no
// flushing, no rollback), so a test can check that what was committed survives whole and what
// was not leaves no trace. Unset (always, outside those tests), a point costs one comparison.
//
// Points: "bank-import-writing" (half the rows written, inside the import's transaction),
// "decision-committed" (a not_csam decision committed, its bank verification not yet
// delivered), "report-progress-saved" (`vigil report send`: a delivery's lease or progress saved,
// before the hotline step it prepares or after the one it records), "purge-files-deleted"
// (`vigil purge`: a case's evidence files deleted, its records not yet erased),
// "purge-batch-committed" (a batch of erasures committed), "redress-action-written" (`vigil
// redress act`: the action and its user notice written, the case's move to actioned not yet,
// all inside one uncommitted transaction). "NAME#N" dies at the N-th time NAME is reached
// instead of the first.
//
// Thread safety: reads the environment once, on first use; counts reaches atomically.
#ifndef VIGIL_CLI_CRASH_POINT_H_
#define VIGIL_CLI_CRASH_POINT_H_

#include <string_view>

namespace vigil::cli {

void CrashPoint(std::string_view point);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_CRASH_POINT_H_
