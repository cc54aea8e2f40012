#include "core/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace vigil {

std::string FormatUtc(TimePoint t) { return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t); }

}  // namespace vigil
