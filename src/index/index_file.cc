#include "index/index_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace vigil::index::internal {
namespace {

static_assert(std::endian::native == std::endian::little, "index files are little-endian");
static_assert(sizeof(Hash256) == 32);

constexpr size_t kIoChunkBytes = size_t{4} << 20;

std::string ErrnoText(int error) { return std::generic_category().message(error); }

// Closes the descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads exactly `size` bytes at `offset`. A short read means the file shrank under us.
Status ReadFully(int fd, uint8_t* data, size_t size, uint64_t offset, const std::string& path) {
  while (size > 0) {
    const ssize_t n = pread(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError(path + ": read failed: " + ErrnoText(errno));
    if (n == 0) return DataLossError(path + ": index file is truncated (ended while reading)");
    data += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T>
void Store(uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

struct Header {
  std::array<uint8_t, kIndexFileHeaderBytes> bytes{};
  uint64_t count = 0;
};

// Reads the header and checks magic, version and sizes against the file's size.
Result<Header> ReadHeader(int fd, uint64_t file_size, const std::string& path) {
  Header parsed;
  uint8_t* header = parsed.bytes.data();
  const size_t have = static_cast<size_t>(std::min<uint64_t>(file_size, parsed.bytes.size()));
  RETURN_IF_ERROR(ReadFully(fd, header, have, 0, path));
  const size_t magic_bytes = std::min(have, sizeof(kIndexFileMagic));
  if (std::memcmp(header, kIndexFileMagic, magic_bytes) != 0) {
    return InvalidArgumentError(path + ": not a vigil Hamming index file (bad magic)");
  }
  if (file_size < kIndexFileHeaderBytes + sizeof(uint64_t)) {
    return DataLossError(path + ": index file is truncated (" + std::to_string(file_size) +
                         " bytes, shorter than its header and checksum)");
  }
  const auto version = Load<uint32_t>(header + 8);
  if (version != kIndexFileVersion) {
    return UnimplementedError(path + ": index file format version " + std::to_string(version) +
                              " is not supported (this build reads version " +
                              std::to_string(kIndexFileVersion) + ")");
  }
  const auto record_bytes = Load<uint32_t>(header + 12);
  const auto count = Load<uint64_t>(header + 16);
  if (record_bytes != kIndexFileRecordBytes || count > HammingIndex::kMaxEntries) {
    return DataLossError(path + ": index file header is corrupt (record size " +
                         std::to_string(record_bytes) + ", count " + std::to_string(count) + ")");
  }
  const uint64_t expected = kIndexFileHeaderBytes + count * kIndexFileRecordBytes + 8;
  if (file_size != expected) {
    return DataLossError(path + ": index file is " +
                         std::string(file_size < expected ? "truncated" : "too long") + " (" +
                         std::to_string(file_size) + " bytes; " + std::to_string(count) +
                         " entries need " + std::to_string(expected) + ")");
  }
  parsed.count = count;
  return parsed;
}

}  // namespace

Result<EntryArrays> ReadIndexFile(const std::string& path) {
  const FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return NotFoundError(path + ": no such index file");
    return UnavailableError(path + ": cannot open: " + ErrnoText(errno));
  }
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) return UnavailableError(path + ": " + ErrnoText(errno));
  if (!S_ISREG(info.st_mode)) return InvalidArgumentError(path + ": not a regular file");
  const auto file_size = static_cast<uint64_t>(info.st_size);
  ASSIGN_OR_RETURN(const Header header, ReadHeader(fd.get(), file_size, path));
  const uint64_t count = header.count;
  Xxh64 checksum;
  checksum.Update(header.bytes);
  EntryArrays entries{LargeArray<uint64_t>(count), LargeArray<Hash256>(count)};
  std::vector<uint8_t> chunk(kIoChunkBytes / kIndexFileRecordBytes * kIndexFileRecordBytes);
  uint64_t offset = kIndexFileHeaderBytes;
  for (uint64_t done = 0; done < count;) {
    const uint64_t records = std::min<uint64_t>(count - done, chunk.size() / kIndexFileRecordBytes);
    const size_t bytes = records * kIndexFileRecordBytes;
    RETURN_IF_ERROR(ReadFully(fd.get(), chunk.data(), bytes, offset, path));
    checksum.Update({chunk.data(), bytes});
    for (uint64_t r = 0; r < records; ++r, ++done) {
      const uint8_t* record = chunk.data() + r * kIndexFileRecordBytes;
      entries.ids[done] = Load<uint64_t>(record);
      std::memcpy(entries.codes[done].words.data(), record + 8, sizeof(Hash256));
    }
    offset += bytes;
  }
  uint8_t trailer[8];
  RETURN_IF_ERROR(ReadFully(fd.get(), trailer, sizeof(trailer), offset, path));
  if (Load<uint64_t>(trailer) != checksum.Digest()) {
    return DataLossError(path + ": index file is corrupt (checksum mismatch)");
  }
  for (uint64_t i = 1; i < count; ++i) {
    if (entries.ids[i - 1] >= entries.ids[i]) {
      return DataLossError(path + ": index file is corrupt (ids not ascending at entry " +
                           std::to_string(i) + ")");
    }
  }
  return entries;
}

Result<IndexFileWriter> IndexFileWriter::Create(const std::string& path, uint64_t count) {
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return UnavailableError(path + ": cannot create temporary file: " + ErrnoText(errno));
  fchmod(fd, 0644);  // mkstemp creates 0600; an index is not secret, and readers may be others
  IndexFileWriter writer(path, std::move(temp), fd, count);
  uint8_t header[kIndexFileHeaderBytes] = {};
  std::memcpy(header, kIndexFileMagic, sizeof(kIndexFileMagic));
  Store<uint32_t>(header + 8, kIndexFileVersion);
  Store<uint32_t>(header + 12, kIndexFileRecordBytes);
  Store<uint64_t>(header + 16, count);
  writer.Write(header, sizeof(header));
  return writer;
}

IndexFileWriter::IndexFileWriter(std::string path, std::string temp_path, int fd, uint64_t count)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), expected_(count) {
  buffer_.reserve(kIoChunkBytes);
}

IndexFileWriter::IndexFileWriter(IndexFileWriter&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::exchange(other.fd_, -1)),
      expected_(other.expected_),
      appended_(other.appended_),
      buffer_(std::move(other.buffer_)),
      checksum_(other.checksum_),
      status_(std::move(other.status_)),
      committed_(std::exchange(other.committed_, true)) {}

IndexFileWriter::~IndexFileWriter() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temp_path_.c_str());
}

void IndexFileWriter::Append(uint64_t id, const Hash256& hash) {
  uint8_t record[kIndexFileRecordBytes];
  Store<uint64_t>(record, id);
  std::memcpy(record + 8, hash.words.data(), sizeof(Hash256));
  Write(record, sizeof(record));
  ++appended_;
}

void IndexFileWriter::Write(const uint8_t* data, size_t size) {
  buffer_.insert(buffer_.end(), data, data + size);
  if (buffer_.size() >= kIoChunkBytes) Flush();
}

void IndexFileWriter::Flush() {
  checksum_.Update(buffer_);
  WriteAll(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void IndexFileWriter::WriteAll(const uint8_t* p, size_t left) {
  while (left > 0 && status_.ok()) {
    const ssize_t n = write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status_ = UnavailableError(path_ + ": write failed: " + ErrnoText(errno));
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

Status IndexFileWriter::Commit() {
  if (status_.ok() && appended_ != expected_) {
    status_ = InternalError(path_ + ": wrote " + std::to_string(appended_) + " of " +
                            std::to_string(expected_) + " entries");
  }
  Flush();
  uint8_t trailer[8];
  Store<uint64_t>(trailer, checksum_.Digest());
  WriteAll(trailer, sizeof(trailer));
  RETURN_IF_ERROR(status_);
  if (fsync(fd_) != 0) return UnavailableError(path_ + ": fsync failed: " + ErrnoText(errno));
  const int fd = std::exchange(fd_, -1);
  if (close(fd) != 0) return UnavailableError(path_ + ": close failed: " + ErrnoText(errno));
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return UnavailableError(path_ + ": rename failed: " + ErrnoText(errno));
  }
  committed_ = true;
  // Make the rename itself durable.
  const size_t slash = path_.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
  const FileDescriptor dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) fsync(dir_fd.get());
  return Status::Ok();
}

}  // namespace vigil::index::internal
