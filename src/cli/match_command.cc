// `vigil match`: hashes files (or takes hashes) and prints every bank entry they match.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bank/csv.h"
#include "cli/commands.h"
#include "cli/database.h"
#include "cli/file_batch.h"
#include "cli/hash_output.h"
#include "cli/inputs.h"
#include "cli/video_options.h"
#include "core/file.h"
#include "core/text.h"
#include "match/matcher.h"

namespace vigil::cli {
namespace {

struct MatchFlags {
  std::vector<std::string> inputs;
  bool recursive = false;
  std::vector<std::string> banks;
  std::vector<std::string> hashes;
  std::string hashes_file;
  std::vector<std::string> vpdq_files;
  std::string type = "pdq";
  std::string db;
  std::string format = "text";
  int radius = index::kDefaultPdqRadius;
  int min_quality = 50;
  hash::VpdqMatchOptions vpdq;
  int threads = 0;
  bool quiet = false;
};

// One query: a hash of some type, where it came from, and the PDQ quality when known.
struct Query {
  std::string source{};  // file name, or "-" for a hash given directly
  bank::SignalType type = bank::SignalType::kPdq;
  std::string value{};  // empty for a video's frames
  std::optional<int> quality{};
  std::vector<hash::VpdqFrame> frames{};  // type kVpdq
};

struct MatchCounts {
  size_t queries = 0, matched = 0, matches = 0, low_quality = 0;
};

// A video match: the two shares instead of a distance; neither list of frames is printed.
std::string FormatVideoMatch(HashFormat format, const Query& q, const match::VideoMatch& m) {
  const hash::VpdqMatchResult& r = m.result;
  switch (format) {
    case HashFormat::kCsv:
      return fmt::format("{},vpdq,,,{},{},,,{:.2f},{:.2f}\n", bank::CsvQuote(q.source),
                         bank::CsvQuote(m.bank.name), m.entry.id, r.query_match_percent,
                         r.target_match_percent);
    case HashFormat::kJsonl: {
      nlohmann::ordered_json j;
      j["query"] = q.source;
      j["signal_type"] = "vpdq";
      j["bank"] = m.bank.name;
      j["entry_id"] = m.entry.id;
      j["source_ref"] = m.entry.source_ref;
      j["query_match_percent"] = r.query_match_percent;
      j["target_match_percent"] = r.target_match_percent;
      j["query_frames"] = r.query_frames;
      j["query_frames_matched"] = r.query_frames_matched;
      j["target_frames"] = r.target_frames;
      j["target_frames_matched"] = r.target_frames_matched;
      j["auto_action"] = m.bank.auto_action();
      return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    case HashFormat::kVpdq:  // refused in RunMatch
    case HashFormat::kText:
      return fmt::format(
          "{}  vpdq matches bank={} entry={} query_match={:.2f}% ({}/{} frames) "
          "target_match={:.2f}% ({}/{} frames)\n",
          q.source, m.bank.name, m.entry.id, r.query_match_percent, r.query_frames_matched,
          r.query_frames, r.target_match_percent, r.target_frames_matched, r.target_frames);
  }
  return "";
}

Status RunVideoQuery(const match::Matcher& matcher, HashFormat format, const Query& q,
                     MatchCounts* counts) {
  auto found = matcher.MatchVpdq(q.frames);
  if (found.status().code() == StatusCode::kFailedPrecondition) {
    ++counts->low_quality;
    std::fprintf(stderr, "vigil: %s: %s\n", q.source.c_str(), found.status().message().c_str());
    return Status::Ok();
  }
  RETURN_IF_ERROR(found.status());
  if (!found->empty()) ++counts->matched;
  for (const auto& m : *found) {
    ++counts->matches;
    std::fputs(FormatVideoMatch(format, q, m).c_str(), stdout);
  }
  return Status::Ok();
}

std::string FormatMatch(HashFormat format, const Query& q, const match::BankMatch& m) {
  const std::string type(bank::SignalTypeName(q.type));
  const std::string quality = q.quality ? std::to_string(*q.quality) : "";
  switch (format) {
    case HashFormat::kCsv:
      return fmt::format("{},{},{},{},{},{},{},{},,\n", bank::CsvQuote(q.source), type, q.value,
                         quality, bank::CsvQuote(m.bank.name), m.entry.id, m.entry.value,
                         m.distance);
    case HashFormat::kJsonl: {
      nlohmann::ordered_json j;
      j["query"] = q.source;
      j["signal_type"] = type;
      j["query_hash"] = q.value;
      if (q.quality) j["quality"] = *q.quality;
      j["bank"] = m.bank.name;
      j["entry_id"] = m.entry.id;
      j["matched_value"] = m.entry.value;
      j["distance"] = m.distance;
      j["auto_action"] = m.bank.auto_action();
      return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    case HashFormat::kVpdq:  // refused in RunMatch
    case HashFormat::kText:
      return fmt::format("{}  {} {} matches bank={} entry={} value={} distance={}{}\n", q.source,
                         type, q.value, m.bank.name, m.entry.id, m.entry.value, m.distance,
                         q.quality ? fmt::format(" quality={}", *q.quality) : "");
  }
  return "";
}

Status RunQuery(const match::Matcher& matcher, HashFormat format, const Query& q,
                MatchCounts* counts) {
  ++counts->queries;
  Result<std::vector<match::BankMatch>> found = std::vector<match::BankMatch>{};
  switch (q.type) {
    case bank::SignalType::kPdq: {
      ASSIGN_OR_RETURN(hash::Hash256 h, hash::Hash256::FromHex(q.value));
      found = matcher.MatchPdq(h, q.quality);
      if (found.status().code() == StatusCode::kFailedPrecondition) {
        ++counts->low_quality;
        std::fprintf(stderr, "vigil: %s: %s\n", q.source.c_str(), found.status().message().c_str());
        return Status::Ok();
      }
      break;
    }
    case bank::SignalType::kMd5: {
      hash::Md5Digest d{};
      if (Status s = HexToBytes(q.value, d); !s.ok()) {
        return InvalidArgumentError("bad MD5 hex: " + s.message());
      }
      found = matcher.MatchMd5(d);
      break;
    }
    case bank::SignalType::kSha256: {
      hash::Sha256Digest d{};
      if (Status s = HexToBytes(q.value, d); !s.ok()) {
        return InvalidArgumentError("bad SHA-256 hex: " + s.message());
      }
      found = matcher.MatchSha256(d);
      break;
    }
    case bank::SignalType::kVpdq:
      return RunVideoQuery(matcher, format, q, counts);
  }
  RETURN_IF_ERROR(found.status());
  if (!found->empty()) ++counts->matched;
  for (const auto& m : *found) {
    ++counts->matches;
    std::fputs(FormatMatch(format, q, m).c_str(), stdout);
  }
  return Status::Ok();
}

// A hash typed on the command line or read from a file: "HEX" (of --type) or "TYPE HEX".
Result<Query> ParseHashLine(std::string_view line, bank::SignalType default_type) {
  Query q;
  q.source = "-";
  q.type = default_type;
  std::string_view value = line;
  if (size_t space = line.find_first_of(" \t"); space != std::string_view::npos) {
    ASSIGN_OR_RETURN(q.type, bank::ParseSignalType(line.substr(0, space)));
    value = line.substr(line.find_first_not_of(" \t", space));
  }
  ASSIGN_OR_RETURN(q.value, bank::NormalizeSignalValue(q.type, value));
  if (q.type == bank::SignalType::kVpdq) {
    ASSIGN_OR_RETURN(q.frames, hash::ParseVpdq(bank::VpdqValueToReferenceFile(q.value)));
    q.value.clear();
  }
  return q;
}

// A reference vPDQ file (`vigil hash --format vpdq`, vpdq-hash-video): one video's frames.
Result<Query> ReadVpdqFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto bytes, ReadFileBytes(path, bank::kMaxVpdqFileBytes));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  Query q{.source = path, .type = bank::SignalType::kVpdq};
  auto frames = hash::ParseVpdq(text);
  if (!frames.ok()) return frames.status().WithContext(path);
  if (frames->empty()) return InvalidArgumentError(fmt::format("{}: no vPDQ frames", path));
  q.frames = std::move(*frames);
  return q;
}

Result<std::vector<Query>> CollectHashQueries(const MatchFlags& flags) {
  ASSIGN_OR_RETURN(bank::SignalType type, bank::ParseSignalType(flags.type));
  std::vector<Query> queries;
  for (const std::string& h : flags.hashes) {
    auto q = ParseHashLine(h, type);
    if (!q.ok())
      return q.status().WithContext(fmt::format("--hash '{}'", bank::EscapeForMessage(h)));
    queries.push_back(std::move(*q));
  }
  for (const std::string& path : flags.vpdq_files) {
    ASSIGN_OR_RETURN(Query q, ReadVpdqFile(path));
    queries.push_back(std::move(q));
  }
  if (flags.hashes_file.empty()) return queries;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (flags.hashes_file != "-") {
    file.open(flags.hashes_file);
    if (!file) return NotFoundError(fmt::format("{}: cannot open", flags.hashes_file));
    in = &file;
  }
  std::string line;
  for (int line_no = 1; std::getline(*in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto q = ParseHashLine(line, type);
    if (!q.ok()) return q.status().WithContext(fmt::format("{}:{}", flags.hashes_file, line_no));
    queries.push_back(std::move(*q));
  }
  return queries;
}

std::string MatchHeader(HashFormat format) {
  return format == HashFormat::kCsv
             ? "query,signal_type,query_hash,quality,bank,entry_id,matched_value,distance,"
               "query_match_percent,target_match_percent\n"
             : "";
}

int RunMatch(const MatchFlags& flags) {
  auto format = ParseHashFormat(flags.format);
  if (format.ok() && *format == HashFormat::kVpdq) {
    format = InvalidArgumentError("--format vpdq is for `vigil hash`; use text, csv or jsonl");
  }
  if (!format.ok()) {
    PrintError(format.status());
    return ExitCodeFor(format.status().code());
  }
  if (flags.inputs.empty() && flags.hashes.empty() && flags.hashes_file.empty() &&
      flags.vpdq_files.empty()) {
    PrintError(InvalidArgumentError(
        "nothing to match: give FILE..., --hash HEX, --hashes FILE or --vpdq FILE"));
    return 2;
  }
  auto queries = CollectHashQueries(flags);
  auto db = OpenCommandDatabase(flags.db);
  for (const Status& s : {queries.status(), db.status()}) {
    if (!s.ok()) {
      PrintError(s);
      return ExitCodeFor(s.code());
    }
  }
  match::MatcherOptions options;
  options.banks = flags.banks;
  options.pdq_radius = flags.radius;
  options.min_pdq_quality = flags.min_quality;
  options.vpdq = flags.vpdq;
  auto matcher = match::Matcher::Load((*db)->banks(), options);
  if (!matcher.ok()) {
    PrintError(matcher.status());
    return ExitCodeFor(matcher.status().code());
  }

  std::fputs(MatchHeader(*format).c_str(), stdout);
  MatchCounts counts;
  size_t failed = 0;
  Status first_error;
  for (const Query& q : *queries) {
    Status s = RunQuery(**matcher, *format, q, &counts);
    if (!s.ok()) {
      ++failed;
      if (first_error.ok()) first_error = s;
      PrintError(s);
    }
  }
  InputList inputs = ExpandInputs(flags.inputs, flags.recursive);
  for (const Status& s : inputs.errors) PrintError(s);
  FileBatchOptions batch;
  batch.threads = flags.threads;
  batch.progress = !flags.quiet;
  batch.label = "matching";
  FileBatchSummary summary = HashFilesInOrder(
      inputs.files, batch, [&](const std::string& file, const detect::MediaHashes& h) {
        if (h.video) {
          RETURN_IF_ERROR(
              RunQuery(**matcher, *format,
                       {.source = file, .type = bank::SignalType::kVpdq, .frames = h.video->frames},
                       &counts));
        } else {
          RETURN_IF_ERROR(RunQuery(**matcher, *format,
                                   {file, bank::SignalType::kPdq, h.pdq.ToHex(), h.pdq_quality},
                                   &counts));
        }
        RETURN_IF_ERROR(RunQuery(**matcher, *format,
                                 {file, bank::SignalType::kMd5, hash::DigestToHex(h.md5), {}},
                                 &counts));
        return RunQuery(**matcher, *format,
                        {file, bank::SignalType::kSha256, hash::DigestToHex(h.sha256), {}},
                        &counts);
      });
  std::fflush(stdout);
  failed += summary.failed + inputs.errors.size();
  if (first_error.ok())
    first_error = inputs.errors.empty() ? summary.first_error : inputs.errors[0];
  if (!flags.quiet) {
    std::fprintf(stderr,
                 "vigil: %zu quer%s (%zu files), %zu with matches, %zu matches, %zu PDQ or "
                 "vPDQ below quality %d, %zu failed\n",
                 counts.queries, counts.queries == 1 ? "y" : "ies", summary.succeeded,
                 counts.matched, counts.matches, counts.low_quality, flags.min_quality, failed);
  }
  return BatchExitCode(queries->size() + inputs.files.size() + inputs.errors.size(), failed,
                       first_error);
}

}  // namespace

void RegisterMatchCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<MatchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "match", "Match images or hashes against the banks and print every matching entry");
  cmd->add_option("inputs", flags->inputs,
                  "Image and video files, or directories with --recursive");
  cmd->add_flag("-r,--recursive", flags->recursive, "Walk directories");
  cmd->add_option("-b,--bank", flags->banks, "Bank to match against (repeatable; default: all)")
      ->allow_extra_args(false);
  cmd->add_option("--hash", flags->hashes, "A hash to match: HEX (of --type) or 'TYPE HEX'")
      ->allow_extra_args(false);
  cmd->add_option("--hashes", flags->hashes_file,
                  "File of hashes, one per line (HEX or 'TYPE HEX'); - for stdin");
  cmd->add_option("--vpdq", flags->vpdq_files,
                  "A video's vPDQ file (frameNumber,quality,pdqHex,timestamp lines; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--type", flags->type, "Type of bare hashes: pdq, md5, sha256 or vpdq")
      ->capture_default_str();
  cmd->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  cmd->add_option("-f,--format", flags->format, "Output: text, csv or jsonl")
      ->capture_default_str();
  cmd->add_option("--radius", flags->radius, "PDQ match radius (Hamming distance)")
      ->capture_default_str();
  cmd->add_option("--min-quality", flags->min_quality,
                  "PDQ hashes of files below this quality are reported, not matched")
      ->capture_default_str();
  AddVideoMatchOptions(cmd, &flags->vpdq);
  cmd->add_option("-j,--threads", flags->threads, "Hashing threads (default: all cores)");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar or summary");
  cmd->callback([flags, exit_code] { *exit_code = RunMatch(*flags); });
}

}  // namespace vigil::cli
