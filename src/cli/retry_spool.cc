// The retry spool of conversations (retry_spool.h).
#include "cli/retry_spool.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "hash/digest.h"

namespace vigil::cli {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kErrorSuffix = ".error.json";

Status WriteAtomically(const fs::path& path, std::span<const uint8_t> bytes) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return UnavailableError(fmt::format("{}: cannot write", tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    return UnavailableError(fmt::format("{}: cannot rename: {}", path.string(), ec.message()));
  return Status::Ok();
}

}  // namespace

std::string RetrySpool::ErrorPathOf(const std::string& kept) const {
  return kept.substr(0, kept.size() - suffix_.size()) + std::string(kErrorSuffix);
}

Result<RetrySpool> RetrySpool::Open(const std::string& dir, std::string_view suffix) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return InvalidArgumentError(fmt::format("{}: not a usable retry directory", dir));
  }
  return RetrySpool(dir, suffix);
}

Result<std::vector<std::string>> RetrySpool::Pending() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.ends_with(suffix_)) out.push_back(entry.path().string());
  }
  if (ec) return UnavailableError(fmt::format("{}: cannot list: {}", dir_, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

bool RetrySpool::Holds(const std::string& path) const {
  std::error_code ec;
  return path.ends_with(suffix_) &&
         fs::equivalent(fs::path(path).parent_path(), fs::path(dir_), ec);
}

Result<int64_t> RetrySpool::Keep(const std::string& source, std::span<const uint8_t> bytes,
                                 const Status& error, TimePoint at,
                                 const std::string& account) const {
  const std::string key = hash::DigestToHex(hash::Sha256(bytes)).substr(0, 32);
  const std::string kept = (fs::path(dir_) / (key + suffix_)).string();
  int64_t attempts = 1;
  if (auto old = ReadFileBytes(ErrorPathOf(kept), 1 << 20); old.ok()) {
    auto j = nlohmann::json::parse(old->begin(), old->end(), nullptr, false);
    if (j.is_object() && j["attempts"].is_number_integer()) {
      attempts = j["attempts"].get<int64_t>() + 1;
    }
  }
  if (!Holds(source)) RETURN_IF_ERROR(WriteAtomically(kept, bytes));
  const std::string info = nlohmann::json{
      {"source", source},
      {"account", account},
      {"error", error.ToString()},
      {"attempts", attempts},
      {"last_failed_at",
       FormatUtc(at)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  RETURN_IF_ERROR(WriteAtomically(ErrorPathOf(kept),
                                  {reinterpret_cast<const uint8_t*>(info.data()), info.size()}));
  return attempts;
}

RetrySpool::Origin RetrySpool::OriginOf(const std::string& kept_path) const {
  Origin out;
  auto info = ReadFileBytes(ErrorPathOf(kept_path), 1 << 20);
  if (!info.ok()) return out;
  auto j = nlohmann::json::parse(info->begin(), info->end(), nullptr, false);
  if (!j.is_object()) return out;
  if (j["source"].is_string()) out.source = j["source"].get<std::string>();
  if (j["account"].is_string()) out.account = j["account"].get<std::string>();
  return out;
}

Status RetrySpool::Done(const std::string& kept_path) const {
  std::error_code ec;
  fs::remove(ErrorPathOf(kept_path), ec);
  fs::remove(kept_path, ec);
  if (ec) return UnavailableError(fmt::format("{}: cannot remove: {}", kept_path, ec.message()));
  return Status::Ok();
}

}  // namespace vigil::cli
