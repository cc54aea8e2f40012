// `vigil privacy`: the data map (what is stored, why, how long, who reads it), the legal bases
// and retention policy in force, and pseudonyms for operators.
//   vigil privacy describe [-f text|jsonl]
//   vigil privacy pseudonymise --keys FILE --key-id ID IDENTIFIER...
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/file_batch.h"
#include "core/file.h"
#include "privacy/data_map.h"
#include "privacy/legal_basis.h"
#include "privacy/pseudonym.h"
#include "privacy/retention.h"

namespace vigil::cli {
namespace {

constexpr uint64_t kMaxKeyFileBytes = 1 << 20;

struct PrivacyFlags {
  std::string format = "text";
  std::string keys_file;
  std::string key_id;
  std::vector<std::string> identifiers;
};

void PrintDescribeText() {
  std::puts("What vigil stores (one row per database table)\n");
  for (const privacy::DataMapEntry& e : privacy::DataMap()) {
    // What a purged row is counted as in the annual report's retention.purged (data_map.h).
    const std::string purged =
        e.purged_as.empty() ? "" : fmt::format("  purged as:     {}\n", e.purged_as);
    std::puts(fmt::format("{}\n  holds:         {}\n  personal data: {}\n  purposes:      {}\n"
                          "  retention:     {}\n  readers:       {}\n{}",
                          e.table, e.holds, e.personal_data, e.purposes, e.retention, e.readers,
                          purged)
                  .c_str());
  }
  std::puts("Legal bases for scanning");
  for (const privacy::LegalBasis& b : privacy::KnownLegalBases()) {
    std::puts(fmt::format("  {}: {} to {}{}{}", b.title, FormatUtc(b.applies_from).substr(0, 10),
                          FormatUtc(b.applies_until - std::chrono::days(1)).substr(0, 10),
                          b.excludes_end_to_end_encrypted ? "; excludes end-to-end encrypted" : "",
                          b.excludes_audio ? "; excludes audio" : "")
                  .c_str());
  }
  std::puts("\nDefault retention (days per purpose; at most 365, Art 3(1)(h))");
  const privacy::RetentionPolicy policy = privacy::DefaultRetentionPolicy();
  for (privacy::Purpose p : privacy::AllPurposes()) {
    std::puts(
        fmt::format("  {}: {}", privacy::PurposeName(p), policy.max_age.at(p).count()).c_str());
  }
}

void PrintDescribeJsonl() {
  for (const privacy::DataMapEntry& e : privacy::DataMap()) {
    nlohmann::ordered_json j{
        {"table", e.table},        {"holds", e.holds},         {"personal_data", e.personal_data},
        {"purposes", e.purposes},  {"retention", e.retention}, {"readers", e.readers},
        {"purged_as", e.purged_as}};
    std::puts(j.dump().c_str());
  }
}

Status Pseudonymise(const PrivacyFlags& flags) {
  if (flags.keys_file.empty()) return InvalidArgumentError("--keys FILE is required");
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(flags.keys_file, kMaxKeyFileBytes));
  ASSIGN_OR_RETURN(std::vector<privacy::PseudonymKey> keys,
                   privacy::ParsePseudonymKeys(
                       std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                       flags.keys_file));
  const std::string current = flags.key_id.empty() ? keys.back().id : flags.key_id;
  ASSIGN_OR_RETURN(privacy::Pseudonymiser p,
                   privacy::Pseudonymiser::Create(std::move(keys), current));
  for (const std::string& id : flags.identifiers) {
    std::puts(fmt::format("{}\t{}", id, p.Pseudonymise(id)).c_str());
  }
  return Status::Ok();
}

}  // namespace

void RegisterPrivacyCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PrivacyFlags>();
  CLI::App* cmd = app.add_subcommand("privacy", "Data map, legal bases, retention, pseudonyms");
  cmd->require_subcommand(1);
  CLI::App* describe = cmd->add_subcommand(
      "describe", "What is stored, why, for how long and who reads it (the DPIA's data map)");
  describe->add_option("-f,--format", flags->format, "Output: text or jsonl")
      ->capture_default_str();
  describe->callback([flags, exit_code] {
    if (flags->format == "text") {
      PrintDescribeText();
    } else if (flags->format == "jsonl") {
      PrintDescribeJsonl();
    } else {
      PrintError(
          InvalidArgumentError(fmt::format("unknown format '{}' (text or jsonl)", flags->format)));
      *exit_code = ExitCodeFor(StatusCode::kInvalidArgument);
    }
  });
  CLI::App* pseudo = cmd->add_subcommand(
      "pseudonymise", "Print the pseudonym (keyed HMAC-SHA-256) of each identifier");
  pseudo->add_option("--keys", flags->keys_file, "Key file: '<id> <hex secret>' per line");
  pseudo->add_option("--key-id", flags->key_id, "The current key (default: the last in the file)");
  pseudo->add_option("identifiers", flags->identifiers, "Account or user ids")->required();
  pseudo->callback([flags, exit_code] {
    Status s = Pseudonymise(*flags);
    if (!s.ok()) {
      PrintError(s);
      *exit_code = ExitCodeFor(s.code());
    }
  });
}

}  // namespace vigil::cli
