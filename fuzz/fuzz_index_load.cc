// HammingIndex::Load over arbitrary files. The checksum at the end would stop almost every
// mutation at the first check, so the input starts with one mode byte that is not part of the
// file: when it is odd the target rewrites the file's trailing XXH64 to match, so the size,
// order and record checks behind the checksum are fuzzed too.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "index/index.h"
#include "index/xxhash64.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> bytes(data + 1, data + size);
  if (bytes.size() >= 8 && (data[0] & 1)) {
    const uint64_t sum =
        index::internal::Xxh64::Hash(std::span<const uint8_t>(bytes.data(), bytes.size() - 8));
    for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + i] = static_cast<uint8_t>(sum >> (8 * i));
  }
  static const std::string path = "/tmp/vigil-fuzz-index-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto index = index::HammingIndex::Load(path);
  if (index.ok()) {
    (void)(*index)->Search(index::Hash256{}, 31);
  }
  std::remove(path.c_str());
  return 0;
}
