// `vigil hash`: PDQ, quality, MD5 and SHA-256 of image files, a directory tree or stdin.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "cli/commands.h"
#include "cli/hash_output.h"
#include "cli/inputs.h"
#include "cli/progress.h"
#include "core/file.h"
#include "core/parallel.h"
#include "detect/media_hasher.h"

namespace vigil::cli {
namespace {

struct HashFlags {
  std::vector<std::string> inputs;
  bool recursive = false;
  bool from_stdin = false;
  std::string format = "text";
  bool dihedral = false;
  int threads = 0;
  std::string resampling = "reference";
  uint64_t max_bytes = media::DecodeLimits{}.max_input_bytes;
  uint64_t max_pixels = media::DecodeLimits{}.max_pixels;
  bool progress = true;
  bool quiet = false;
};

void PrintError(const Status& status) { std::fprintf(stderr, "vigil: %s\n", status.message().c_str()); }

Result<detect::MediaHasherOptions> HasherOptions(const HashFlags& flags) {
  detect::MediaHasherOptions options;
  options.limits.max_input_bytes = flags.max_bytes;
  options.limits.max_pixels = flags.max_pixels;
  options.dihedral = flags.dihedral;
  if (flags.resampling == "reference") {
    options.pdq.resampling = hash::Resampling::kReference;
  } else if (flags.resampling == "area") {
    options.pdq.resampling = hash::Resampling::kArea;
  } else {
    return InvalidArgumentError(
        fmt::format("unknown resampling '{}' (reference or area)", flags.resampling));
  }
  return options;
}

Result<detect::MediaHashes> HashOneFile(detect::MediaHasher& hasher, const std::string& path,
                                        uint64_t max_bytes) {
  ASSIGN_OR_RETURN(auto bytes, ReadFileBytes(path, max_bytes));
  auto hashes = hasher.HashBytes(bytes);
  if (!hashes.ok()) return hashes.status().WithContext(path);
  return hashes;
}

int RunHashStdin(const HashFlags& flags, const detect::MediaHasherOptions& options,
                 HashFormat format) {
  auto bytes = ReadStreamBytes(stdin, "<stdin>", flags.max_bytes);
  if (!bytes.ok()) {
    PrintError(bytes.status());
    return ExitCodeFor(bytes.status().code());
  }
  detect::MediaHasher hasher(options);
  auto hashes = hasher.HashBytes(*bytes);
  if (!hashes.ok()) {
    PrintError(hashes.status().WithContext("<stdin>"));
    return ExitCodeFor(hashes.status().code());
  }
  std::fputs(HashHeader(format, flags.dihedral).c_str(), stdout);
  std::fputs(FormatHashRecord(format, "-", *hashes, flags.dihedral).c_str(), stdout);
  return 0;
}

int RunHash(const HashFlags& flags) {
  auto format = ParseHashFormat(flags.format);
  auto options = HasherOptions(flags);
  for (const Status& s : {format.status(), options.status()}) {
    if (!s.ok()) {
      PrintError(s);
      return ExitCodeFor(s.code());
    }
  }
  if (flags.from_stdin) return RunHashStdin(flags, *options, *format);
  if (flags.inputs.empty()) {
    PrintError(InvalidArgumentError("no input: give FILE..., --recursive DIR, or --stdin"));
    return 2;
  }

  InputList inputs = ExpandInputs(flags.inputs, flags.recursive);
  for (const Status& s : inputs.errors) PrintError(s);
  const size_t n = inputs.files.size();
  const int threads = flags.threads > 0 ? flags.threads : HardwareThreads();

  std::vector<std::unique_ptr<detect::MediaHasher>> hashers;
  for (int t = 0; t < threads; ++t) hashers.push_back(std::make_unique<detect::MediaHasher>(*options));

  // Results are printed in input order as soon as every earlier one is ready.
  std::vector<std::optional<Result<detect::MediaHashes>>> results(n);
  std::mutex mu;  // guards results, next_to_print, failed
  size_t next_to_print = 0;
  size_t failed = inputs.errors.size();
  Status first_error = inputs.errors.empty() ? Status::Ok() : inputs.errors[0];
  std::fputs(HashHeader(*format, flags.dihedral).c_str(), stdout);
  ProgressBar progress("hashing", n, flags.progress && !flags.quiet);
  const auto start = std::chrono::steady_clock::now();

  ParallelFor(n, threads, [&](size_t i, int worker) {
    auto result = HashOneFile(*hashers[worker], inputs.files[i], flags.max_bytes);
    std::lock_guard<std::mutex> lock(mu);
    results[i] = std::move(result);
    for (; next_to_print < n && results[next_to_print].has_value(); ++next_to_print) {
      auto& r = *results[next_to_print];
      if (r.ok()) {
        std::fputs(FormatHashRecord(*format, inputs.files[next_to_print], *r, flags.dihedral).c_str(),
                   stdout);
      } else {
        ++failed;
        if (first_error.ok()) first_error = r.status();
        PrintError(r.status());
      }
      results[next_to_print].reset();
    }
    progress.Tick();
  });
  progress.Finish();
  std::fflush(stdout);

  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const size_t hashed = n - (failed - inputs.errors.size());
  if (!flags.quiet) {
    std::fprintf(stderr, "vigil: hashed %zu file%s, %zu failed, %.2f s (%.1f images/s, %d threads)\n",
                 hashed, hashed == 1 ? "" : "s", failed, secs, secs > 0 ? hashed / secs : 0.0,
                 threads);
  }
  if (failed == 0) return 0;
  // A single input that failed gets its own code, so scripts can tell "not found" from
  // "corrupt"; a batch with some failures exits 1.
  if (n + inputs.errors.size() == 1) return ExitCodeFor(first_error.code());
  return 1;
}

}  // namespace

void RegisterHashCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* cmd = app.add_subcommand(
      "hash", "Print PDQ (with quality), MD5 and SHA-256 of images; the type is read from content");
  cmd->add_option("inputs", flags->inputs, "Image files, or directories with --recursive");
  cmd->add_flag("-r,--recursive", flags->recursive, "Walk directories");
  cmd->add_flag("--stdin", flags->from_stdin, "Hash one image read from standard input");
  cmd->add_option("-f,--format", flags->format, "Output: text, csv or jsonl")
      ->capture_default_str();
  cmd->add_flag("--dihedral", flags->dihedral, "Also print the 7 rotated/flipped PDQ hashes");
  cmd->add_option("-j,--threads", flags->threads, "Worker threads (default: all cores)");
  cmd->add_option("--resampling", flags->resampling,
                  "reference (bit-exact with Meta's hasher) or area (more robust, other hashes)")
      ->capture_default_str();
  cmd->add_option("--max-bytes", flags->max_bytes, "Largest input file accepted")
      ->capture_default_str();
  cmd->add_option("--max-pixels", flags->max_pixels, "Largest image (width x height) accepted")
      ->capture_default_str();
  cmd->add_flag("!--no-progress", flags->progress, "No progress bar");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar or summary");
  cmd->callback([flags, exit_code] { *exit_code = RunHash(*flags); });
}

}  // namespace vigil::cli
