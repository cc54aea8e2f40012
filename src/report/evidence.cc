#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/file.h"
#include "report/types.h"

namespace vigil::report {

DirectoryEvidenceSource::DirectoryEvidenceSource(std::string dir, uint64_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes) {}

Result<EvidenceFile> DirectoryEvidenceSource::Fetch(const cases::Case& c, const cases::Item& item) {
  const std::string& id = item.item_id;
  if (dir_.empty()) return Read(c, id, id);
  const bool plain = !id.empty() && id != "." && id != ".." &&
                     id.find_first_of("/\\") == std::string::npos &&
                     std::none_of(id.begin(), id.end(),
                                  [](char ch) { return static_cast<unsigned char>(ch) < 0x20; });
  if (!plain) {
    return InvalidArgumentError(fmt::format(
        "case {}: item id '{}' is not a plain file name, so it has no evidence file", c.id, id));
  }
  return Read(c, id, (std::filesystem::path(dir_) / id).string());
}

Result<EvidenceFile> DirectoryEvidenceSource::Read(const cases::Case& c, const std::string& id,
                                                   const std::string& path) const {
  auto bytes = ReadFileBytes(path, max_bytes_);
  if (!bytes.ok()) {
    return Status(bytes.status().code(), fmt::format("evidence of case {} item {}: {}", c.id, id,
                                                     bytes.status().message()));
  }
  return EvidenceFile{.item_id = id,
                      .file_name = std::filesystem::path(path).filename().string(),
                      .bytes = *std::move(bytes)};
}

}  // namespace vigil::report
