#include "cli/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace vigil::cli {
namespace {

// VIGIL_CRASH_AT split into the point's name and the occurrence to die at (1 when not given).
struct ChosenPoint {
  std::string name;
  long occurrence = 1;
};

ChosenPoint ReadChosenPoint() {
  const char* env = std::getenv("VIGIL_CRASH_AT");
  ChosenPoint chosen{.name = env == nullptr ? "" : env};
  if (const size_t hash = chosen.name.find('#'); hash != std::string::npos) {
    chosen.occurrence = std::strtol(chosen.name.c_str() + hash + 1, nullptr, 10);
    chosen.name.resize(hash);
  }
  return chosen;
}

}  // namespace

void CrashPoint(std::string_view point) {
  static const ChosenPoint chosen = ReadChosenPoint();
  static std::atomic<long> reached{0};
  if (chosen.name.empty() || chosen.name != point) return;
  if (reached.fetch_add(1) + 1 < chosen.occurrence) return;
  ::kill(::getpid(), SIGKILL);
}

}  // namespace vigil::cli
