#include "cli/bank_vpdq.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bank/csv.h"
#include "cli/commands.h"
#include "core/file.h"

namespace vigil::cli {
namespace {

int Fail(const Status& status) {
  std::fprintf(stderr, "vigil: %s\n", status.message().c_str());
  return ExitCodeFor(status.code());
}

Result<std::string> ReadVpdqValue(const std::string& path) {
  ASSIGN_OR_RETURN(auto bytes, ReadFileBytes(path, bank::kMaxVpdqFileBytes));
  auto value = bank::ReferenceFileToVpdqValue(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (!value.ok()) return value.status().WithContext(path);
  return value;
}

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return UnavailableError(fmt::format("{}: cannot write", path.string()));
  return Status::Ok();
}

}  // namespace

int ImportVpdqFiles(bank::BankStore& store, const VpdqImportFlags& flags) {
  auto b = store.GetBank(flags.bank);
  if (!b.ok()) return Fail(b.status());
  bank::EntryBatch batch;
  size_t bad = 0;
  for (const std::string& path : flags.files) {
    auto value = ReadVpdqValue(path);
    Status s = value.status();
    if (value.ok()) {
      const std::string name = std::filesystem::path(path).filename().string();
      s = batch.Add({.signal_type = bank::SignalType::kVpdq,
                     .value = *value,
                     .source_ref = flags.source_ref.empty() ? name : flags.source_ref,
                     .verifications = flags.verifications,
                     .needs_verification = flags.needs_verification});
      if (!s.ok()) s = s.WithContext(path);
    }
    if (!s.ok()) {
      std::fprintf(stderr, "vigil: %s\n", s.message().c_str());
      ++bad;
    }
  }
  if (bad > 0) {
    return Fail(
        InvalidArgumentError(fmt::format("{} of {} vPDQ file{} invalid; nothing was imported", bad,
                                         flags.files.size(), flags.files.size() == 1 ? "" : "s")));
  }
  auto added = store.AddEntries(b->id, batch);
  if (!added.ok()) return Fail(added.status());
  if (!flags.quiet) {
    std::printf("%s\n", fmt::format("imported {} vPDQ file{} into {}: {} added, {} already present",
                                    flags.files.size(), flags.files.size() == 1 ? "" : "s",
                                    flags.bank, added->added, added->already_present)
                            .c_str());
  }
  return 0;
}

int ExportVpdqFiles(bank::BankStore& store, const bank::Bank& bank, const std::string& dir,
                    bool include_retired, bool quiet) {
  namespace fs = std::filesystem;
  if (dir.empty() || dir == "-") {
    return Fail(InvalidArgumentError("--format vpdq writes one file per video: give -o DIR"));
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return Fail(UnavailableError(fmt::format("{}: cannot create directory", dir)));
  }
  std::string manifest = "entry_id,file,source_ref,added_at,verifications,retired_at\n";
  uint64_t written = 0, skipped = 0;
  Status s = store.ForEachEntry(
      bank.id, {.include_retired = include_retired}, [&](const bank::BankEntry& e) -> Status {
        if (e.signal_type != bank::SignalType::kVpdq) {
          ++skipped;
          return Status::Ok();
        }
        const std::string name = fmt::format("{}.txt", e.id);
        RETURN_IF_ERROR(WriteFile(fs::path(dir) / name, bank::VpdqValueToReferenceFile(e.value)));
        manifest += fmt::format("{},{},{},{},{},{}\n", e.id, name, bank::CsvQuote(e.source_ref),
                                FormatUtc(e.added_at), e.verifications,
                                e.retired ? FormatUtc(e.retired_at) : "");
        ++written;
        return Status::Ok();
      });
  if (s.ok()) s = WriteFile(fs::path(dir) / "entries.csv", manifest);
  if (!s.ok()) return Fail(s);
  if (!quiet) {
    std::fprintf(stderr,
                 "vigil: exported %llu vPDQ entr%s of %s to %s (%llu of other types skipped)\n",
                 static_cast<unsigned long long>(written), written == 1 ? "y" : "ies",
                 bank.name.c_str(), dir.c_str(), static_cast<unsigned long long>(skipped));
  }
  return 0;
}

}  // namespace vigil::cli
