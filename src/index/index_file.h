// The on-disk form of a HammingIndex: its live entries, sorted by id, with a checksum.
//
// Only entries are stored, not the hash tables: rebuilding the tables from sorted entries takes
// about a second per 10M entries (docs/performance-index.md), the file is half the size, and the
// format survives any change to the table layout or substring count.
//
// Format version 1, all integers little-endian:
//   offset 0   magic "VGLHAMX\n"                       8 bytes
//          8   format version (1)                      u32
//         12   record size in bytes (40)               u32
//         16   entry count                             u64
//         24   reserved, zero                          u64
//         32   records: id u64, hash words[0..3] u64   count * 40 bytes, ids strictly ascending
//        end   XXH64 (seed 0) of every byte before it  u64
//
// Thread safety: free functions and a single-owner writer object.
#ifndef VIGIL_INDEX_INDEX_FILE_H_
#define VIGIL_INDEX_INDEX_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "index/generation.h"
#include "index/index.h"
#include "index/xxhash64.h"

namespace vigil::index::internal {

inline constexpr char kIndexFileMagic[8] = {'V', 'G', 'L', 'H', 'A', 'M', 'X', '\n'};
inline constexpr uint32_t kIndexFileVersion = 1;
inline constexpr uint32_t kIndexFileHeaderBytes = 32;
inline constexpr uint32_t kIndexFileRecordBytes = 40;

// Reads and fully validates a file written by IndexFileWriter. Errors as HammingIndex::Load.
Result<EntryArrays> ReadIndexFile(const std::string& path);

// Writes `count` entries, appended in ascending id order, to a temporary file beside `path`
// and renames it over `path` on Commit(). Destroying an uncommitted writer deletes the temporary.
class IndexFileWriter {
 public:
  static Result<IndexFileWriter> Create(const std::string& path, uint64_t count);
  IndexFileWriter(IndexFileWriter&& other) noexcept;
  IndexFileWriter& operator=(IndexFileWriter&&) = delete;
  ~IndexFileWriter();

  // Buffers one record. The first write error is kept and reported by Commit().
  void Append(uint64_t id, const Hash256& hash);
  // Writes the checksum, flushes to disk, and renames over the target.
  Status Commit();

 private:
  IndexFileWriter(std::string path, std::string temp_path, int fd, uint64_t count);
  void Write(const uint8_t* data, size_t size);
  void Flush();  // checksums and writes the buffer
  void WriteAll(const uint8_t* data, size_t size);

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t expected_ = 0;
  uint64_t appended_ = 0;
  std::vector<uint8_t> buffer_;
  Xxh64 checksum_;
  Status status_;
  bool committed_ = false;
};

}  // namespace vigil::index::internal

#endif  // VIGIL_INDEX_INDEX_FILE_H_
