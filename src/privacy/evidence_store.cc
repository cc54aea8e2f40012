#include "privacy/evidence_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/file.h"
#include "privacy/key_text.h"

namespace vigil::privacy {
namespace fs = std::filesystem;
namespace {

std::string EvidenceId(int64_t case_id, int64_t position) {
  return fmt::format("case:{}/item:{}", case_id, position);
}

// Writes `bytes` to `path` with mode 0600, flushed to disk.
Status WriteNewFile(const fs::path& path, std::span<const uint8_t> bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return UnavailableError(
        fmt::format("evidence file {}: cannot create: {}", path.string(), std::strerror(errno)));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return UnavailableError(
          fmt::format("evidence file {}: write failed: {}", path.string(), std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    return UnavailableError(fmt::format("evidence file {}: fsync failed", path.string()));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<EvidenceStore>> EvidenceStore::Open(fs::path dir, EvidenceCipher cipher) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return InvalidArgumentError(
        fmt::format("evidence directory {} exists and is not a directory", dir.string()));
  }
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      return UnavailableError(
          fmt::format("evidence directory {}: cannot create: {}", dir.string(), ec.message()));
    }
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  return std::unique_ptr<EvidenceStore>(new EvidenceStore(std::move(dir), std::move(cipher)));
}

std::string EvidenceStore::FileFor(int64_t case_id, int64_t position) {
  return fmt::format("case-{}/item-{}.vgev", case_id, position);
}

Result<int64_t> EvidenceStore::Write(int64_t case_id, int64_t position,
                                     std::span<const uint8_t> plain) const {
  ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, cipher_.Seal(plain, EvidenceId(case_id, position)));
  const fs::path path = dir_ / FileFor(case_id, position);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return UnavailableError(fmt::format("evidence directory {}: cannot create: {}",
                                        path.parent_path().string(), ec.message()));
  }
  const fs::path tmp = path.string() + ".tmp";
  RETURN_IF_ERROR(WriteNewFile(tmp, sealed));
  fs::rename(tmp, path, ec);
  if (ec) {
    return UnavailableError(
        fmt::format("evidence file {}: cannot rename into place: {}", path.string(), ec.message()));
  }
  return static_cast<int64_t>(sealed.size());
}

Result<std::vector<uint8_t>> EvidenceStore::Read(int64_t case_id, int64_t position) const {
  const fs::path path = dir_ / FileFor(case_id, position);
  auto sealed = ReadFileBytes(path.string(), kMaxEvidenceBytes);
  if (!sealed.ok()) {
    return Status(sealed.status().code(),
                  fmt::format("evidence file {}: {}", path.string(), sealed.status().message()));
  }
  auto plain = cipher_.Open(*sealed, EvidenceId(case_id, position));
  if (!plain.ok()) {
    return Status(plain.status().code(),
                  fmt::format("evidence file {}: {}", path.string(), plain.status().message()));
  }
  return plain;
}

Status EvidenceStore::RemoveCase(int64_t case_id) const {
  std::error_code ec;
  const fs::path dir = dir_ / fmt::format("case-{}", case_id);
  fs::remove_all(dir, ec);
  if (ec) {
    return UnavailableError(
        fmt::format("evidence directory {}: cannot delete: {}", dir.string(), ec.message()));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> EvidenceStore::ListFiles() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) out.push_back(fs::relative(it->path(), dir_, ec).string());
  }
  if (ec) {
    return UnavailableError(
        fmt::format("evidence directory {}: cannot list: {}", dir_.string(), ec.message()));
  }
  std::ranges::sort(out);
  return out;
}

Status StoreEvidence(PrivacyStore& store, const EvidenceStore& evidence, int64_t case_id,
                     int64_t position, std::span<const uint8_t> plain, TimePoint now) {
  // The sealed size is the plain size plus fixed overheads; the row records the plain size.
  RETURN_IF_ERROR(store.AddEvidence(case_id, position, EvidenceStore::FileFor(case_id, position),
                                    static_cast<int64_t>(plain.size()), now));
  return evidence.Write(case_id, position, plain).status();
}

Result<EvidenceCipher> LoadEvidenceCipher(const std::string& key_file, std::string_view env_text,
                                          std::string current_id) {
  ASSIGN_OR_RETURN(KeyText key_text,
                   ReadKeyText(key_file, env_text, "VIGIL_EVIDENCE_KEYS",
                               "no evidence master key: give a key file (--evidence-keys) or set "
                               "VIGIL_EVIDENCE_KEYS"));
  const std::string& name = key_text.source;
  ASSIGN_OR_RETURN(auto keys, ParseMasterKeys(key_text.text, name));
  if (keys.empty()) return InvalidArgumentError(fmt::format("{}: holds no master key", name));
  if (current_id.empty()) current_id = keys.begin()->first;
  auto cipher = EvidenceCipher::Create(std::move(keys), current_id);
  if (!cipher.ok()) {
    return Status(cipher.status().code(), fmt::format("{}: {}", name, cipher.status().message()));
  }
  return cipher;
}

}  // namespace vigil::privacy
