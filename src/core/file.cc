#include "core/file.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace vigil {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError(fmt::format("{}: no such file", path));
    return UnavailableError(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgumentError(fmt::format("{}: not a regular file", path));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return ResourceExhaustedError(fmt::format("{}: file is {} bytes, over the limit of {} bytes",
                                              path, st.st_size, max_bytes));
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    return UnavailableError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  return ReadStreamBytes(file.get(), path, max_bytes);
}

Result<std::vector<uint8_t>> ReadStreamBytes(std::FILE* stream, const std::string& name,
                                             uint64_t max_bytes) {
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  while (true) {
    size_t n = std::fread(chunk, 1, sizeof(chunk), stream);
    if (n > 0) {
      if (bytes.size() + n > max_bytes) {
        return ResourceExhaustedError(
            fmt::format("{}: input is over the limit of {} bytes", name, max_bytes));
      }
      bytes.insert(bytes.end(), chunk, chunk + n);
    }
    if (n < sizeof(chunk)) {
      if (std::ferror(stream)) {
        return UnavailableError(fmt::format("{}: read error: {}", name, std::strerror(errno)));
      }
      break;
    }
  }
  return bytes;
}

}  // namespace vigil
