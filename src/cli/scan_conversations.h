// `vigil scan --conversation`: conversations through the grooming risk scorer and the pipeline
// into the case store. A conversation whose score passes a rule's threshold becomes a
// solicitation item pending human review, with the fired indicators and their messages as
// evidence; never automatic action (Art 3(1)(g)(iii)).
#ifndef VIGIL_CLI_SCAN_CONVERSATIONS_H_
#define VIGIL_CLI_SCAN_CONVERSATIONS_H_

#include <functional>
#include <string>
#include <vector>

#include "classify/retry_store.h"
#include "detect/pipeline.h"

namespace vigil::cli {

struct ConversationScan {
  std::vector<std::string> files;  // conversation JSON (docs/classify.md)
  std::string grooming_rules;      // the indicator rule file
  std::string text_classifier;     // HTTP classifier config (http_classifier.h), optional
  std::string combine;             // combination config (combined.h); needed with the above
  // Where failed classifications are kept (null: a dry run, nothing kept); must outlive the
  // scan.
  classify::RetryStore* retries = nullptr;
  std::string account;  // pseudonymised account under suspicion
  std::string surface;
  stats::Region region = stats::Region::kUnknown;
  bool jsonl = false;
  bool quiet = false;
  bool dry_run = false;
  // Called for each conversation filed into a case (e.g. to keep the clear account id sealed).
  std::function<Status(const cases::OpenedCase&)> on_filed{};
};

// Scores and files each conversation, then each one kept by earlier scans (classify_retries);
// a bad file is reported naming it and the others go on. A conversation whose classifier or
// store failed (kUnavailable, kDataLoss, kInternal) is kept in the database with its account
// and tried again by the next scan: never dropped. Returns the process exit code
// (BatchExitCode).
int ScanConversations(const ConversationScan& scan, const detect::Pipeline& pipeline);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_SCAN_CONVERSATIONS_H_
