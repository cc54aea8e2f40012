// The vPDQ matching options `vigil match` and `vigil scan` share.
#ifndef VIGIL_CLI_VIDEO_OPTIONS_H_
#define VIGIL_CLI_VIDEO_OPTIONS_H_

#include <CLI/CLI.hpp>

#include "hash/vpdq.h"

namespace vigil::cli {

// --video-distance, --video-min-quality, --video-query-percent, --video-target-percent.
void AddVideoMatchOptions(CLI::App* cmd, hash::VpdqMatchOptions* options);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_VIDEO_OPTIONS_H_
