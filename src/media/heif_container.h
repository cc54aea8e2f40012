// Private to `media`: a minimal, bounds-checked reader for the ISO-BMFF structure of HEIF files,
// used to inspect what libheif will hand its decoders before it does (heif_precheck.cc). It
// reads only what that needs: the items of the `meta` box (type and data, via `iinf`, `iloc`
// and `idat`) and the codec configuration properties (`hvcC`, `av1C`).
//
// Thread safety: pure functions.
#ifndef VIGIL_MEDIA_HEIF_CONTAINER_H_
#define VIGIL_MEDIA_HEIF_CONTAINER_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace vigil::media::internal {

struct HeifItem {
  uint32_t id = 0;
  std::array<char, 4> type = {};  // e.g. "hvc1", "av01", "grid", "iovl"
  // The item's data as byte ranges of the file (its extents, in order). Extents that lie
  // outside the file are dropped: libheif refuses such items anyway.
  std::vector<std::span<const uint8_t>> extents;
};

struct HeifContainer {
  std::vector<HeifItem> items;
  std::vector<std::span<const uint8_t>> hvcc;  // payloads of every hvcC property
  std::vector<std::span<const uint8_t>> av1c;  // payloads of every av1C property
  // Item or extent counts over sanity caps, or items referencing far more bytes than the file
  // holds; the caller should refuse the file.
  bool too_large = false;
};

// Parses the top-level `meta` box. Malformed structure is not an error here: whatever could
// be read is returned and libheif reports the corruption itself.
HeifContainer ReadHeifContainer(std::span<const uint8_t> file);

// Reads an item's data across its extents as one byte stream.
class ExtentReader {
 public:
  explicit ExtentReader(const std::vector<std::span<const uint8_t>>& extents) : extents_(extents) {}
  bool AtEnd() const { return extent_ >= extents_.size(); }
  // Reads `n` bytes into `out` (resized to what was read); false if the data ran out first.
  bool Read(size_t n, std::vector<uint8_t>* out);
  // Skips `n` bytes; false if the data ran out first.
  bool Skip(uint64_t n);

 private:
  void Normalise();
  const std::vector<std::span<const uint8_t>>& extents_;
  size_t extent_ = 0;
  size_t offset_ = 0;
};

}  // namespace vigil::media::internal

#endif  // VIGIL_MEDIA_HEIF_CONTAINER_H_
