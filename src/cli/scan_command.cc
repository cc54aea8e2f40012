// `vigil scan`: runs the detection pipeline on files for one account, opening review cases for
// what the banks flag.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "classify/image_classifiers.h"
#include "cli/commands.h"
#include "cli/database.h"
#include "cli/evidence_options.h"
#include "cli/file_batch.h"
#include "cli/inputs.h"
#include "cli/scan_classifiers.h"
#include "cli/scan_conversations.h"
#include "cli/video_options.h"
#include "core/file.h"
#include "detect/media_classifier.h"
#include "detect/pipeline.h"
#include "match/bank_verification_sink.h"
#include "privacy/account_identity.h"
#include "privacy/evidence_store.h"
#include "privacy/legal_basis.h"

namespace vigil::cli {
namespace {

struct ScanFlags {
  std::vector<std::string> inputs;
  bool recursive = false;
  std::string account;
  std::string surface = "cli";
  std::string region = "unknown";
  std::string rules_file;
  std::vector<std::string> banks;
  hash::VpdqMatchOptions vpdq;
  std::string db;
  std::string format = "text";
  bool dry_run = false;
  bool no_grouping = false;
  size_t group_max_items = cases::GroupingRule{}.max_items;
  int64_t group_max_age = cases::GroupingRule{}.max_age.count();  // seconds
  int threads = 0;
  bool quiet = false;
  std::string legal_basis{privacy::kDefaultLegalBasis};
  bool end_to_end_encrypted = false;
  bool conversation = false;  // the inputs are conversation JSON files
  std::string grooming_rules;
  std::string text_classifier;
  std::string combine;
  std::string classifiers;  // image classifiers (classify/image_classifiers.h)
  EvidenceFlags evidence;
  PseudonymFlags pseudonyms;
};

// Keeps the flagged item encrypted as evidence of the item it became (the case's last item).
Status KeepEvidence(store::Database& db, const privacy::EvidenceStore& evidence,
                    const std::string& name, std::span<const uint8_t> bytes,
                    const cases::OpenedCase& opened) {
  const int64_t position = static_cast<int64_t>(opened.opened.items.size()) - 1;
  return privacy::StoreEvidence(db.privacy(), evidence, opened.opened.id, position, bytes,
                                SystemClock().Now())
      .WithContext(name);
}

// The account as the pipeline stores it, and what keeps its clear id for reports: with
// pseudonymisation keys, --account is the clear id, replaced by its pseudonym, and kept sealed
// per case (privacy/account_identity.h), which needs the evidence store's master key.
struct ScanAccount {
  std::string stored;
  std::string clear;  // empty: --account is taken as given (already pseudonymised)
};

Result<ScanAccount> ResolveAccount(const ScanFlags& flags, const privacy::EvidenceStore* evidence) {
  ASSIGN_OR_RETURN(std::optional<privacy::Pseudonymiser> p, LoadPseudonyms(flags.pseudonyms));
  if (!p || flags.account.empty()) return ScanAccount{flags.account, ""};
  if (evidence == nullptr && !flags.dry_run) {
    return InvalidArgumentError(
        "pseudonymisation keys need the evidence store (--evidence-dir and its keys): the clear "
        "account id a hotline report needs is kept only sealed with its master key");
  }
  return ScanAccount{p->Pseudonymise(flags.account), flags.account};
}

// Classifier rules need a DPIA record each (detect::CheckAssessed).
Status CheckRulesAssessed(store::Database& db, const detect::RuleSet& rules) {
  ASSIGN_OR_RETURN(std::vector<privacy::DpiaRecord> records, db.privacy().ListDpia(std::nullopt));
  std::vector<std::string> assessed;
  for (const privacy::DpiaRecord& r : records) assessed.push_back(r.technology);
  return detect::CheckAssessed(rules, assessed);
}

// Art 3(1)(g)(iii): a classifier flag (new material) is only a suspicion until a human confirms.
bool NeedsConfirmation(const detect::RuleDecision& d) {
  for (const auto& f : d.flags) {
    if (f.signal.category == detect::Category::kNew) return true;
  }
  return false;
}

std::string FormatOutcome(bool jsonl, const std::string& file, const detect::ItemOutcome& out,
                          const std::vector<classify::Score>& scores) {
  const auto& d = out.decision;
  if (jsonl) {
    nlohmann::ordered_json j;
    j["file"] = file;
    j["flagged"] = !d.flags.empty();
    j["action"] = detect::ActionName(d.action);
    j["priority"] = d.priority;
    j["technologies"] = nlohmann::json::array();
    for (const auto& f : d.flags) j["technologies"].push_back(f.technology);
    if (out.opened) {
      j["case_id"] = out.opened->opened.id;
      j["grouped"] = out.opened->grouped;  // joined the account's open case
    }
    if (!scores.empty()) {
      j["classifier_scores"] = nlohmann::json::array();
      for (const auto& s : scores) {
        j["classifier_scores"].push_back(
            {{"technology", fmt::format("classifier:{}@{}", s.model, s.version)},
             {"score", s.value}});
      }
    }
    if (NeedsConfirmation(d)) j["needs_human_confirmation"] = true;
    if (out.pdq_low_quality) j["pdq_low_quality"] = true;
    if (out.vpdq_low_quality) j["vpdq_low_quality"] = true;
    if (!out.video_matches.empty()) {
      j["video_matches"] = nlohmann::json::array();
      for (const auto& m : out.video_matches) {
        j["video_matches"].push_back({{"bank", m.bank.name},
                                      {"entry_id", m.entry.id},
                                      {"query_match_percent", m.result.query_match_percent},
                                      {"target_match_percent", m.result.target_match_percent}});
      }
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  if (d.flags.empty()) {
    return fmt::format("{}  not flagged{}{}\n", file,
                       out.pdq_low_quality ? " (PDQ quality too low to match)" : "",
                       out.vpdq_low_quality ? " (no video frame of quality to match)" : "");
  }
  std::string techs, videos;
  for (const auto& f : d.flags) techs += (techs.empty() ? "" : ",") + f.technology;
  for (const auto& m : out.video_matches) {
    videos += fmt::format(" video_match=entry:{}:{:.2f}%/{:.2f}%", m.entry.id,
                          m.result.query_match_percent, m.result.target_match_percent);
  }
  for (const auto& s : scores) {
    videos += fmt::format(" score=classifier:{}@{}:{}", s.model, s.version, s.value);
  }
  if (NeedsConfirmation(d)) videos += " (new material: needs human confirmation)";
  return fmt::format("{}  flagged action={} priority={} technologies={}{}{}\n", file,
                     detect::ActionName(d.action), d.priority, techs, videos,
                     out.opened ? fmt::format(" case={}{}", out.opened->opened.id,
                                              out.opened->grouped ? " (joined)" : "")
                                : "");
}

// One scanned item after hashing: classified (when classifiers are configured), matched,
// decided, filed with its evidence, printed.
struct MediaScan {
  const ScanFlags& flags;
  stats::Region region;
  const detect::Pipeline& pipeline;
  store::Database& db;
  const privacy::EvidenceStore* evidence;  // null: no evidence kept
  ScanClassifiers* classifiers;            // null: no classifiers
  std::string own_account;                 // this scan's account as stored
  // Called for each item of own_account filed into a case (keeps the clear account id sealed).
  std::function<Status(const cases::OpenedCase&)> on_filed;
  size_t flagged = 0, opened = 0, joined = 0;
  std::set<std::string> seen;  // keys of the items classified in this scan

  // Where the item was uploaded: this scan's surface and region, or a kept item's own.
  struct Origin {
    std::string surface;
    stats::Region region;
  };
  Origin Own() const { return {flags.surface, region}; }

  Status Item(const std::string& source, const std::string& account, const Origin& origin,
              std::span<const uint8_t> bytes, const detect::MediaHashes& h) {
    std::vector<classify::Score> scores;
    if (classifiers != nullptr) {
      seen.insert(classify::RetryKey(bytes));
      // Before anything is counted or filed: a failed classifier leaves no trace but the kept
      // item.
      ASSIGN_OR_RETURN(
          scores, classifiers->Classify(source, account, origin.surface, origin.region, bytes));
    }
    ASSIGN_OR_RETURN(
        detect::ItemOutcome out,
        pipeline.ProcessClassified(
            {source, account, origin.surface, origin.region, {}, flags.end_to_end_encrypted}, h,
            scores));
    if (out.opened && evidence != nullptr) {
      if (bytes.empty()) {  // a file scanned without classifiers: read it for the evidence
        ASSIGN_OR_RETURN(std::vector<uint8_t> file,
                         ReadFileBytes(source, privacy::kMaxEvidenceBytes));
        RETURN_IF_ERROR(KeepEvidence(db, *evidence, source, file, *out.opened));
      } else {
        RETURN_IF_ERROR(KeepEvidence(db, *evidence, source, bytes, *out.opened));
      }
    }
    // A kept item of another scan's account has no clear id here to keep.
    if (out.opened && on_filed && account == own_account) {
      RETURN_IF_ERROR(on_filed(*out.opened).WithContext(source));
    }
    if (classifiers != nullptr) RETURN_IF_ERROR(classifiers->Done(bytes));
    flagged += !out.decision.flags.empty();
    opened += out.opened.has_value() && !out.opened->grouped;
    joined += out.opened.has_value() && out.opened->grouped;
    std::fputs(FormatOutcome(flags.format == "jsonl", source, out, scores).c_str(), stdout);
    return Status::Ok();
  }
};

// The items earlier scans kept because a classifier failed, tried again under the account and
// name they were first scanned with.
void ScanKept(MediaScan& scan, const detect::MediaHasherOptions& options,
              FileBatchSummary& summary) {
  auto pending = scan.classifiers->Pending();
  if (!pending.ok()) {
    PrintError(pending.status());
    ++summary.failed;
    if (summary.first_error.ok()) summary.first_error = pending.status();
    return;
  }
  detect::MediaHasher hasher(options);
  for (const classify::RetryItem& item : *pending) {
    if (scan.seen.count(item.key)) continue;  // given again as an input and handled above
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(detect::MediaHashes h, hasher.HashBytes(item.bytes));
      // Counted where it was uploaded; an item kept before migration 25 has no origin.
      MediaScan::Origin origin = scan.Own();
      if (!item.surface.empty()) origin.surface = item.surface;
      if (!item.region.empty()) {
        ASSIGN_OR_RETURN(origin.region, stats::ParseRegion(item.region));
      }
      return scan.Item(item.source, item.account_id, origin, item.bytes, h);
    }();
    if (s.ok()) {
      ++summary.succeeded;
      continue;
    }
    s = s.WithContext(fmt::format("kept item {}", item.source));
    PrintError(s);
    if (summary.failed++ == 0) summary.first_error = s;
  }
}

int RunScan(const ScanFlags& flags) {
  auto region = stats::ParseRegion(flags.region);
  auto rules = detect::RuleSet::ParseFile(flags.rules_file);
  auto basis = privacy::LegalBasisById(flags.legal_basis);
  Status flag_check = Status::Ok();
  if (flags.format != "text" && flags.format != "jsonl") {
    flag_check =
        InvalidArgumentError(fmt::format("unknown format '{}' (text or jsonl)", flags.format));
  } else if (flags.account.empty() && !flags.dry_run) {
    flag_check = InvalidArgumentError("--account is required (the account id the files belong to)");
  } else if (flags.inputs.empty() && !flags.conversation && flags.classifiers.empty()) {
    // With classifiers, no inputs means: retry the items kept by earlier scans.
    flag_check = InvalidArgumentError("nothing to scan: give FILE... or --recursive DIR");
  } else if (flags.conversation && !flags.classifiers.empty()) {
    flag_check = InvalidArgumentError(
        "--classifiers (image models) and --conversation (grooming) are separate scans");
  } else if (flags.conversation && (flags.grooming_rules.empty() || flags.rules_file.empty())) {
    // The threshold is the provider's choice: no default rule flags classifier scores.
    flag_check = InvalidArgumentError(
        "--conversation needs --grooming-rules (indicators) and --rules (a classifier:* rule "
        "with the threshold)");
  }
  if (basis.ok()) {
    // Refused before anything is read or hashed; the pipeline checks each item again.
    Status allowed =
        privacy::CheckScanAllowed(*basis, {SystemClock().Now(), "", flags.end_to_end_encrypted});
    if (!allowed.ok()) flag_check = allowed;
  }
  for (const Status& s : {flag_check, region.status(), rules.status(), basis.status()}) {
    if (!s.ok()) {
      PrintError(s);
      return ExitCodeFor(s.code());
    }
  }
  FileBatchOptions batch;
  batch.threads = flags.threads;
  batch.progress = !flags.quiet;
  batch.label = "scanning";
  auto db = OpenCommandDatabase(flags.db);
  if (!db.ok()) {
    PrintError(db.status());
    return ExitCodeFor(db.status().code());
  }
  // A dry run keeps nothing, not even failed items.
  classify::RetryStore* retries = flags.dry_run ? nullptr : &(*db)->classify_retries();
  std::unique_ptr<ScanClassifiers> classifiers;
  if (!flags.classifiers.empty()) {
    auto loaded = ScanClassifiers::Load(flags.classifiers, retries, batch.hasher);
    if (!loaded.ok()) {
      PrintError(loaded.status());
      return ExitCodeFor(loaded.status().code());
    }
    classifiers = std::move(*loaded);
    // The configured thresholds decide the classifiers' signals; they need a DPIA record too.
    *rules = rules->WithRulesFirst(classifiers->Rules());
  }
  if (Status assessed = CheckRulesAssessed(**db, *rules); !assessed.ok()) {
    PrintError(assessed.WithContext(flags.rules_file));
    return ExitCodeFor(assessed.code());
  }
  auto evidence = OpenEvidenceStore(flags.evidence);
  if (!evidence.ok()) {
    PrintError(evidence.status());
    return ExitCodeFor(evidence.status().code());
  }
  auto account = ResolveAccount(flags, evidence->get());
  if (!account.ok()) {
    PrintError(account.status());
    return ExitCodeFor(account.status().code());
  }
  // Keeps the clear account id, sealed, for each case an item was filed into.
  const auto keep_account = [&](const cases::OpenedCase& opened) -> Status {
    if (account->clear.empty() || !*evidence) return Status::Ok();
    return privacy::KeepClearAccountId((*db)->privacy(), (*evidence)->cipher(), opened.opened.id,
                                       account->clear, SystemClock().Now());
  };
  match::MatcherOptions match_options;
  match_options.banks = flags.banks;
  match_options.vpdq = flags.vpdq;
  auto matcher = match::Matcher::Load((*db)->banks(), match_options);
  auto clock = std::make_shared<SystemClock>();
  match::BankVerificationSink sink((*db)->banks());
  cases::ReviewConfig config;
  config.grouping = {.enabled = !flags.no_grouping,
                     .max_age = std::chrono::seconds(flags.group_max_age),
                     .max_items = flags.group_max_items};
  auto review = cases::ReviewService::Create((*db)->cases(), sink, clock, config);
  for (const Status& s : {matcher.status(), review.status()}) {
    if (!s.ok()) {
      PrintError(s);
      return ExitCodeFor(s.code());
    }
  }
  detect::Pipeline pipeline(matcher->get(), &*rules, flags.dry_run ? nullptr : review->get(),
                            flags.dry_run ? nullptr : &(*db)->volume(), clock, *basis);

  if (flags.conversation) {
    return ScanConversations({flags.inputs, flags.grooming_rules, flags.text_classifier,
                              flags.combine, retries, account->stored, flags.surface, *region,
                              flags.format == "jsonl", flags.quiet, flags.dry_run, keep_account},
                             pipeline);
  }
  InputList inputs = ExpandInputs(flags.inputs, flags.recursive);
  for (const Status& s : inputs.errors) PrintError(s);
  MediaScan scan{flags,
                 *region,
                 pipeline,
                 **db,
                 evidence->get(),
                 classifiers.get(),
                 account->stored,
                 keep_account,
                 0,
                 0,
                 0,
                 {}};
  // Hashing runs on worker threads; classifiers, matching, rules and case writes run in input
  // order.
  FileBatchSummary summary = HashFilesInOrder(
      inputs.files, batch, [&](const std::string& file, const detect::MediaHashes& h) -> Status {
        std::vector<uint8_t> bytes;  // read again only for the classifiers
        if (classifiers) {
          ASSIGN_OR_RETURN(bytes, ReadFileBytes(file, classifiers->max_bytes()));
        }
        return scan.Item(file, account->stored, scan.Own(), bytes, h);
      });
  if (classifiers) ScanKept(scan, batch.hasher, summary);
  std::fflush(stdout);
  const size_t failed = summary.failed + inputs.errors.size();
  if (!flags.quiet) {
    std::fprintf(stderr,
                 "vigil: scanned %zu file%s, %zu flagged, %zu case%s opened, %zu added to open "
                 "cases%s, %zu failed%s\n",
                 summary.succeeded, summary.succeeded == 1 ? "" : "s", scan.flagged, scan.opened,
                 scan.opened == 1 ? "" : "s", scan.joined, flags.dry_run ? " (dry run)" : "",
                 failed,
                 classifiers && classifiers->kept() > 0
                     ? fmt::format(" ({} kept for a retry)", classifiers->kept()).c_str()
                     : "");
  }
  const Status first = inputs.errors.empty() ? summary.first_error : inputs.errors[0];
  return BatchExitCode(summary.succeeded + summary.failed + inputs.errors.size(), failed, first);
}

}  // namespace

void RegisterScanCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Run detection on files: match the banks, apply the rules, open review cases");
  cmd->add_option("inputs", flags->inputs, "Media files, or directories with --recursive");
  cmd->add_flag("-r,--recursive", flags->recursive, "Walk directories");
  cmd->add_option("--account", flags->account,
                  "Account id the files belong to: the clear id with pseudonymisation keys "
                  "(stored as its pseudonym), else an id already pseudonymised");
  cmd->add_option("--surface", flags->surface, "Service or surface, e.g. photos/upload")
      ->capture_default_str();
  cmd->add_option("--region", flags->region, "eu, non-eu or unknown")->capture_default_str();
  cmd->add_option("--rules", flags->rules_file, "Rules file (JSON, docs/review.md)");
  cmd->add_option("-b,--bank", flags->banks, "Bank to match (repeatable; default: all)")
      ->allow_extra_args(false);
  AddVideoMatchOptions(cmd, &flags->vpdq);
  cmd->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  AddEvidenceOptions(*cmd, flags->evidence);
  AddPseudonymOptions(*cmd, flags->pseudonyms);
  cmd->add_option("-f,--format", flags->format, "Output: text or jsonl")->capture_default_str();
  cmd->add_flag("--dry-run", flags->dry_run, "Decide but open no case and count nothing");
  cmd->add_flag("--no-grouping", flags->no_grouping,
                "Open a case per flagged file instead of adding to the account's open case");
  cmd->add_option("--group-max-items", flags->group_max_items,
                  "An open case takes items until it has this many")
      ->capture_default_str();
  cmd->add_option("--group-max-age", flags->group_max_age,
                  "An open case takes items until it is this many seconds old")
      ->capture_default_str();
  cmd->add_option("-j,--threads", flags->threads, "Hashing threads (default: all cores)");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar or summary");
  cmd->add_option("--legal-basis", flags->legal_basis,
                  "The act scanning relies on: 2026/1881 or 2021/1232 (refused outside its period)")
      ->capture_default_str();
  cmd->add_flag(
      "--end-to-end-encrypted", flags->end_to_end_encrypted,
      "The files come from end-to-end encrypted communications (refused under 2026/1881)");
  cmd->add_flag("--conversation", flags->conversation,
                "The inputs are conversations (JSON): score them for grooming risk");
  cmd->add_option("--grooming-rules", flags->grooming_rules,
                  "Grooming indicator rule file (JSON), with --conversation");
  cmd->add_option("--text-classifier", flags->text_classifier,
                  "External text classifier config (JSON, HTTP), with --conversation");
  cmd->add_option("--combine", flags->combine,
                  "How the indicator and external scores combine (JSON: indicators, external, "
                  "max, weighted)");
  cmd->add_option("--classifiers", flags->classifiers,
                  "Image classifiers (JSON: ONNX models or HTTP services with thresholds; "
                  "docs/classify.md): new material, always for human review");
  cmd->callback([flags, exit_code] { *exit_code = RunScan(*flags); });
}

}  // namespace vigil::cli
