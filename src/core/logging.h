// Process-wide logging set-up for the front ends. Library modules that may log take a
// spdlog logger from the caller; `hash` and `index` never log.
#ifndef VIGIL_CORE_LOGGING_H_
#define VIGIL_CORE_LOGGING_H_

#include <string_view>

#include "core/status.h"

namespace vigil {

// Sends the default spdlog logger to stderr at `level` ("trace", "debug", "info", "warn",
// "error", "off"). Fails with kInvalidArgument on an unknown level. Call once from main().
Status SetUpStderrLogging(std::string_view level);

}  // namespace vigil

#endif  // VIGIL_CORE_LOGGING_H_
