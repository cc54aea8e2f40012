// `vigil hash`: PDQ, quality, MD5 and SHA-256 of image files, a directory tree or stdin.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "cli/commands.h"
#include "cli/file_batch.h"
#include "cli/hash_output.h"
#include "cli/inputs.h"
#include "core/file.h"
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
  uint64_t max_bytes = 0;  // 0: the defaults (256 MiB for images, 1 GiB for videos)
  uint64_t max_pixels = media::DecodeLimits{}.max_pixels;
  bool every_frame = false;
  double seconds_per_hash = 1.0;
  std::string video_speed = "exact";
  bool progress = true;
  bool quiet = false;
};

Result<detect::MediaHasherOptions> HasherOptions(const HashFlags& flags) {
  detect::MediaHasherOptions options;
  if (flags.max_bytes > 0) {
    options.limits.max_input_bytes = flags.max_bytes;
    options.video.decode.limits.max_input_bytes = flags.max_bytes;
  }
  options.limits.max_pixels = flags.max_pixels;
  if (flags.seconds_per_hash < 0) {
    return InvalidArgumentError(
        fmt::format("--seconds-per-hash {} is negative", flags.seconds_per_hash));
  }
  options.video.decode.seconds_per_hash = flags.seconds_per_hash;
  options.video.decode.every_frame = flags.every_frame;
  if (flags.video_speed == "exact") {
    options.video.decode.speed = media::DecodeSpeed::kExact;
  } else if (flags.video_speed == "keyframes") {
    options.video.decode.speed = media::DecodeSpeed::kKeyframesOnly;
  } else {
    return InvalidArgumentError(
        fmt::format("unknown video speed '{}' (exact or keyframes)", flags.video_speed));
  }
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

int RunHashStdin(const HashFlags& flags, const detect::MediaHasherOptions& options,
                 HashFormat format) {
  detect::MediaHasher hasher(options);
  auto bytes = ReadStreamBytes(stdin, "<stdin>", hasher.max_input_bytes());
  if (!bytes.ok()) {
    PrintError(bytes.status());
    return ExitCodeFor(bytes.status().code());
  }
  auto hashes = hasher.HashBytes(*bytes);
  if (hashes.ok() && format == HashFormat::kVpdq && !hashes->video) {
    hashes = InvalidArgumentError("not a video; --format vpdq prints video frame hashes only");
  }
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
  // Meta's vpdq-hash-video hashes animated GIFs as videos; so does --format vpdq.
  if (*format == HashFormat::kVpdq) options->gif_as_video = true;
  if (flags.from_stdin) return RunHashStdin(flags, *options, *format);
  if (flags.inputs.empty()) {
    PrintError(InvalidArgumentError("no input: give FILE..., --recursive DIR, or --stdin"));
    return 2;
  }

  InputList inputs = ExpandInputs(flags.inputs, flags.recursive);
  for (const Status& s : inputs.errors) PrintError(s);
  FileBatchOptions batch;
  batch.hasher = *options;
  if (flags.max_bytes > 0) batch.max_file_bytes = flags.max_bytes;
  batch.threads = flags.threads;
  batch.progress = flags.progress && !flags.quiet;
  std::fputs(HashHeader(*format, flags.dihedral).c_str(), stdout);
  FileBatchSummary summary = HashFilesInOrder(
      inputs.files, batch, [&](const std::string& file, const detect::MediaHashes& hashes) {
        if (*format == HashFormat::kVpdq) {
          if (!hashes.video) {
            return InvalidArgumentError(
                "not a video; --format vpdq prints video frame hashes only");
          }
          // The reference writes one file per video; several videos are told apart by a
          // comment line before each block.
          if (inputs.files.size() > 1) std::fprintf(stdout, "# file: %s\n", file.c_str());
        }
        std::fputs(FormatHashRecord(*format, file, hashes, flags.dihedral).c_str(), stdout);
        return Status::Ok();
      });
  std::fflush(stdout);

  const size_t failed = summary.failed + inputs.errors.size();
  if (!flags.quiet) {
    std::fprintf(stderr,
                 "vigil: hashed %zu file%s, %zu failed, %.2f s (%.1f images/s, %d threads)\n",
                 summary.succeeded, summary.succeeded == 1 ? "" : "s", failed, summary.seconds,
                 summary.seconds > 0 ? summary.succeeded / summary.seconds : 0.0, summary.threads);
  }
  const Status first = inputs.errors.empty() ? summary.first_error : inputs.errors[0];
  return BatchExitCode(inputs.files.size() + inputs.errors.size(), failed, first);
}

}  // namespace

void RegisterHashCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* cmd = app.add_subcommand(
      "hash",
      "Print PDQ (with quality) of images, vPDQ of videos, and MD5 and SHA-256 of the bytes; the "
      "type is read from the content");
  cmd->add_option("inputs", flags->inputs, "Image files, or directories with --recursive");
  cmd->add_flag("-r,--recursive", flags->recursive, "Walk directories");
  cmd->add_flag("--stdin", flags->from_stdin, "Hash one image read from standard input");
  cmd->add_option("-f,--format", flags->format, "Output: text, csv, jsonl, or vpdq (videos)")
      ->capture_default_str();
  cmd->add_flag("--dihedral", flags->dihedral, "Also print the 7 rotated/flipped PDQ hashes");
  cmd->add_option("-j,--threads", flags->threads, "Worker threads (default: all cores)");
  cmd->add_option("--resampling", flags->resampling,
                  "reference (bit-exact with Meta's hasher) or area (more robust, other hashes)")
      ->capture_default_str();
  cmd->add_option("--max-bytes", flags->max_bytes,
                  "Largest input file accepted (default: 256 MiB images, 1 GiB videos)");
  cmd->add_option("--max-pixels", flags->max_pixels, "Largest image (width x height) accepted")
      ->capture_default_str();
  cmd->add_option("--seconds-per-hash", flags->seconds_per_hash,
                  "Videos: hash one frame per this many seconds (0: every frame)")
      ->capture_default_str();
  cmd->add_flag("--every-frame", flags->every_frame, "Videos: hash every frame");
  cmd->add_option("--video-speed", flags->video_speed,
                  "Videos: exact (bit-exact with Meta's vpdq-hash-video) or keyframes (faster, "
                  "fewer frames)")
      ->capture_default_str();
  cmd->add_flag("!--no-progress", flags->progress, "No progress bar");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar or summary");
  cmd->callback([flags, exit_code] { *exit_code = RunHash(*flags); });
}

}  // namespace vigil::cli
