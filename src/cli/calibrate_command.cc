// `vigil calibrate`: precision, relative recall and flag volume of one classifier technology at
// a grid of thresholds, from the human review outcomes in the case store, and the lowest
// threshold meeting a target precision — so the provider can justify its threshold in the
// annual report (Art 3(1)(g)(vii)).
//   vigil calibrate --technology NAME [--target-precision 0.99] [--grid-step 0.05]
//                   [--min-reviewed N] [--format table|json] [--db URL]
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "classify/calibration.h"
#include "cli/commands.h"
#include "cli/database.h"
#include "cli/file_batch.h"

namespace vigil::cli {
namespace {

struct CalibrateFlags {
  std::string technology;
  classify::CalibrationOptions options;
  std::string format = "table";
  std::string db;
};

nlohmann::ordered_json Optional(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

std::string CalibrationJson(const classify::Calibration& c) {
  nlohmann::ordered_json j{{"technology", c.technology},
                           {"flags", c.flags},
                           {"reviewed", c.reviewed},
                           {"confirmed", c.confirmed},
                           {"pending", c.pending},
                           {"operating_threshold", c.operating_threshold},
                           {"target_precision", c.target_precision},
                           {"min_reviewed", c.min_reviewed},
                           {"threshold", Optional(c.threshold)},
                           {"note", c.note},
                           {"rows", nlohmann::ordered_json::array()}};
  for (const classify::ThresholdRow& r : c.rows) {
    j["rows"].push_back({{"threshold", r.threshold},
                         {"known", r.known},
                         {"flagged", r.flagged},
                         {"reviewed", r.reviewed},
                         {"confirmed", r.confirmed},
                         {"precision", Optional(r.precision)},
                         {"recall", Optional(r.recall)}});
  }
  return j.dump(2) + "\n";
}

std::string Ratio(const std::optional<double>& v) {
  return v ? fmt::format("{:.4f}", *v) : std::string("-");
}

std::string CalibrationTable(const classify::Calibration& c) {
  std::string out = fmt::format(
      "technology {}: {} flags, {} reviewed ({} confirmed), {} pending; operating threshold {}\n"
      "{:>9}  {:>7}  {:>8}  {:>9}  {:>9}  {:>9}\n",
      c.technology, c.flags, c.reviewed, c.confirmed, c.pending, c.operating_threshold, "threshold",
      "flagged", "reviewed", "confirmed", "precision", "recall");
  for (const classify::ThresholdRow& r : c.rows) {
    if (!r.known) {
      out += fmt::format("{:>9.4f}  not known: below the operating threshold\n", r.threshold);
      continue;
    }
    out += fmt::format("{:>9.4f}  {:>7}  {:>8}  {:>9}  {:>9}  {:>9}\n", r.threshold, r.flagged,
                       r.reviewed, r.confirmed, Ratio(r.precision), Ratio(r.recall));
  }
  out += c.threshold ? fmt::format("lowest threshold with precision >= {} ({} reviews): {}\n",
                                   c.target_precision, c.min_reviewed, *c.threshold)
                     : fmt::format("no threshold: {}\n", c.note);
  out +=
      "recall is relative to the confirmed flags at the operating threshold: items never "
      "flagged are not kept\n";
  return out;
}

int Run(const CalibrateFlags& flags) {
  if (flags.format != "table" && flags.format != "json") {
    Status s =
        InvalidArgumentError(fmt::format("unknown format '{}' (table or json)", flags.format));
    PrintError(s);
    return ExitCodeFor(s.code());
  }
  if (Status s = classify::CheckCalibrationOptions(flags.options); !s.ok()) {
    PrintError(s);
    return ExitCodeFor(s.code());
  }
  auto db = OpenCommandDatabase(flags.db);
  if (!db.ok()) {
    PrintError(db.status());
    return ExitCodeFor(db.status().code());
  }
  auto reviewed = classify::CollectReviewedFlags((*db)->cases(), flags.technology);
  if (!reviewed.ok()) {
    PrintError(reviewed.status());
    return ExitCodeFor(reviewed.status().code());
  }
  auto c = classify::Calibrate(flags.technology, *reviewed, flags.options);
  if (!c.ok()) {
    PrintError(c.status());
    return ExitCodeFor(c.status().code());
  }
  const std::string text = flags.format == "json" ? CalibrationJson(*c) : CalibrationTable(*c);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

void RegisterCalibrateCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CalibrateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Precision, recall and volume of a classifier at a grid of thresholds");
  cmd->add_option("--technology", flags->technology,
                  "Technology as name@version, e.g. classifier:grooming-example@1")
      ->required();
  cmd->add_option("--target-precision", flags->options.target_precision,
                  "Precision the recommended threshold must reach (default 0.99)");
  cmd->add_option("--grid-step", flags->options.grid_step, "Threshold grid step (default 0.05)");
  cmd->add_option("--min-reviewed", flags->options.min_reviewed,
                  "Reviewed flags needed at a threshold (default ceil(1/(1-target)))");
  cmd->add_option("--format", flags->format, "table (default) or json");
  cmd->add_option("--db", flags->db, "Database URL (default: VIGIL_DATABASE_URL)");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace vigil::cli
