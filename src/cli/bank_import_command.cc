// `vigil bank import`: a hash list (CSV, JSON lines, ThreatExchange) into a bank, all rows or
// none, with progress; or reference vPDQ files, one per video.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bank/bank.h"
#include "cli/bank_events.h"
#include "cli/bank_flags.h"
#include "cli/bank_vpdq.h"
#include "cli/crash_point.h"
#include "cli/progress.h"

namespace vigil::cli::bank_cli {
namespace {

// Entry points of `import`: the input stream, its size when known (for the progress bar).
struct Input {
  std::unique_ptr<std::ifstream> file;
  std::istream* stream = nullptr;
  uint64_t size = 0;
};

Result<Input> OpenInput(const std::string& path) {
  Input in;
  if (path == "-") {
    in.stream = &std::cin;
    return in;
  }
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return NotFoundError(fmt::format("{}: no such file", path));
  if (!std::filesystem::is_regular_file(status)) {
    return InvalidArgumentError(fmt::format("{}: not a regular file", path));
  }
  in.size = std::filesystem::file_size(path, ec);
  in.file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in.file) return UnavailableError(fmt::format("{}: cannot open", path));
  in.stream = in.file.get();
  return in;
}

// The list format from --format, else from the file name's extension.
Result<bank::ListFormat> InputFormat(const BankFlags& f) {
  if (!f.format.empty()) return bank::ParseListFormat(f.format);
  const std::string ext = std::filesystem::path(f.file).extension().string();
  if (ext == ".csv") return bank::ListFormat::kCsv;
  if (ext == ".jsonl" || ext == ".ndjson") return bank::ListFormat::kJsonLines;
  return InvalidArgumentError(
      fmt::format("cannot tell the format of {}; give --format csv, jsonl or te", f.file));
}

// Calls ProgressBar::Tick() once per unit as a running total grows.
bank::ProgressCallback TickEvery(ProgressBar& bar, uint64_t unit) {
  auto ticked = std::make_shared<uint64_t>(0);
  return [&bar, unit, ticked](uint64_t done) {
    for (; *ticked < done / unit; ++*ticked) bar.Tick();
    return Status::Ok();
  };
}

void PrintIssues(const std::string& name, const std::vector<bank::ImportIssue>& issues,
                 uint64_t total, const char* what) {
  for (const auto& issue : issues) {
    std::fprintf(stderr, "%s:%llu: %s%s\n", name.c_str(),
                 static_cast<unsigned long long>(issue.line), what, issue.message.c_str());
  }
  if (total > issues.size()) {
    std::fprintf(stderr, "%s: ... and %llu more\n", name.c_str(),
                 static_cast<unsigned long long>(total - issues.size()));
  }
}

int RunImportVpdq(const BankFlags& f) {
  if (!f.type.empty() && f.type != "vpdq") {
    return Fail(InvalidArgumentError("--format vpdq files hold vpdq values; drop --type"));
  }
  auto db = Open(f, /*create=*/false);
  if (!db.ok()) return Fail(db.status());
  auto target = BankChangeTarget::Open(**db, f.events);
  if (!target.ok()) return Fail(target.status());
  const int rc = ImportVpdqFiles((*target)->banks(), {.bank = f.name,
                                                      .files = f.files,
                                                      .source_ref = f.source_ref,
                                                      .verifications = f.verifications,
                                                      .needs_verification = f.needs_verification,
                                                      .quiet = f.quiet});
  if (rc != 0) return rc;
  return RecordChange(**db, f, **target, "bank.import", "bank:" + f.name,
                      {{"format", "vpdq"}, {"files", f.files}, {"source_ref", f.source_ref}});
}

}  // namespace

int RunImport(const BankFlags& flags) {
  if (flags.format == "vpdq") return RunImportVpdq(flags);
  BankFlags f = flags;
  if (f.files.size() != 1) {
    return Fail(InvalidArgumentError(
        fmt::format("{} import reads one list file; only --format vpdq takes several files",
                    f.format.empty() ? "a" : f.format)));
  }
  if (!f.source_ref.empty() || f.verifications != 0 || f.needs_verification) {
    return Fail(InvalidArgumentError(
        "--source-ref, --verifications and --needs-verification are for --format vpdq; lists "
        "carry them in columns"));
  }
  f.file = f.files[0];
  auto format = InputFormat(f);
  if (!format.ok()) return Fail(format.status());
  bank::ImportOptions options{.format = *format, .skip_invalid = f.skip_invalid};
  if (!f.type.empty()) {
    auto type = bank::ParseSignalType(f.type);
    if (!type.ok()) return Fail(type.status().WithContext("--type"));
    options.default_type = *type;
  }
  auto db = Open(f, /*create=*/false);
  if (!db.ok()) return Fail(db.status());
  if (auto b = (*db)->banks().GetBank(f.name); !b.ok()) return Fail(b.status());
  auto input = OpenInput(f.file);
  if (!input.ok()) return Fail(input.status());
  const std::string name = f.file == "-" ? "<stdin>" : f.file;

  constexpr uint64_t kMiB = 1 << 20;
  const bool show = f.progress && !f.quiet;
  ProgressBar reading("reading MiB", input->size / kMiB, show);
  options.parse_progress = TickEvery(reading, kMiB);
  // The number of rows to write is known only once parsing is done.
  std::unique_ptr<ProgressBar> writing;
  bank::ProgressCallback write_ticks;
  options.write_progress = [&](uint64_t done, uint64_t total) {
    if (done == total / 2 + 1) CrashPoint("bank-import-writing");
    if (!writing) {
      reading.Finish();
      writing = std::make_unique<ProgressBar>("writing", total, show);
      write_ticks = TickEvery(*writing, 1);
    }
    return write_ticks(done);
  };
  auto target = BankChangeTarget::Open(**db, f.events);
  if (!target.ok()) return Fail(target.status());
  auto report = bank::ImportList((*target)->banks(), f.name, *input->stream, options);
  reading.Finish();
  if (writing) writing->Finish();
  if (!report.ok()) return Fail(report.status().WithContext(name));

  PrintIssues(name, report->invalid, report->invalid_rows, "");
  if (!f.quiet) PrintIssues(name, report->duplicates, report->duplicate_rows, "skipped: ");
  if (!report->written) {
    return Fail(InvalidArgumentError(
        fmt::format("{}: {} of {} rows invalid; nothing was imported (fix them, or pass "
                    "--skip-invalid to import the rest)",
                    name, report->invalid_rows, report->rows)));
  }
  std::printf("%s\n", fmt::format("imported {} into {}: {} added, {} already present, {} "
                                  "duplicate{} in the file, {} invalid skipped",
                                  name, f.name, report->result.added,
                                  report->result.already_present, report->duplicate_rows,
                                  report->duplicate_rows == 1 ? "" : "s", report->invalid_rows)
                          .c_str());
  return RecordChange(**db, f, **target, "bank.import", "bank:" + f.name,
                      {{"format", bank::ListFormatName(*format)},
                       {"file", name},
                       {"added", report->result.added},
                       {"already_present", report->result.already_present},
                       {"invalid_skipped", report->invalid_rows}});
}

}  // namespace vigil::cli::bank_cli
