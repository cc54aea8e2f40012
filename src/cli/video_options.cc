#include "cli/video_options.h"

namespace vigil::cli {

void AddVideoMatchOptions(CLI::App* cmd, hash::VpdqMatchOptions* options) {
  cmd->add_option("--video-distance", options->max_distance,
                  "vPDQ: frames match within this Hamming distance")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  cmd->add_option("--video-min-quality", options->min_quality,
                  "vPDQ: frames below this quality take no part")
      ->capture_default_str()
      ->check(CLI::Range(0, 101));
  cmd->add_option("--video-query-percent", options->query_match_threshold_percent,
                  "vPDQ: share of the query video's frames that must match")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--video-target-percent", options->target_match_threshold_percent,
                  "vPDQ: share of the banked video's frames that must match")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
}

}  // namespace vigil::cli
