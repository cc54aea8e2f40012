// Minimal ISO-BMFF (ISO/IEC 14496-12) and HEIF (ISO/IEC 23008-12) item reader; see
// heif_container.h. Every field is read through Cursor, which never reads past its span.
#include "media/heif_container.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace vigil::media::internal {
namespace {

// Hostile files can declare millions of items or extents; real ones have a few hundred.
constexpr size_t kMaxItems = 20000;
constexpr size_t kMaxExtents = 100000;

class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> data) : data_(data) {}
  bool ok() const { return ok_; }
  size_t offset() const { return pos_; }
  std::span<const uint8_t> Rest() const { return data_.subspan(std::min(pos_, data_.size())); }
  // Big-endian unsigned integer of `bytes` bytes (0 to 8); 0 and !ok() past the end.
  uint64_t Uint(size_t bytes) {
    if (!ok_ || bytes > 8 || data_.size() - pos_ < bytes) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += bytes;
    return v;
  }
  std::array<char, 4> FourCc() {
    std::array<char, 4> out = {};
    for (char& c : out) c = static_cast<char>(Uint(1));
    return out;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

bool Is(const std::array<char, 4>& type, const char (&name)[5]) {
  return std::memcmp(type.data(), name, 4) == 0;
}

struct Box {
  std::array<char, 4> type = {};
  std::span<const uint8_t> payload;
  size_t header_size = 0;
};

// Splits `data` into its boxes. Stops at the first malformed header; a box claiming more
// bytes than its parent has is cut at the parent's end.
std::vector<Box> Children(std::span<const uint8_t> data) {
  std::vector<Box> boxes;
  size_t pos = 0;
  while (data.size() - pos >= 8 && boxes.size() < kMaxItems) {
    Cursor c(data.subspan(pos));
    uint64_t size = c.Uint(4);
    Box box;
    box.type = c.FourCc();
    if (size == 1) size = c.Uint(8);
    if (size == 0) size = data.size() - pos;
    const size_t header = c.offset();
    if (!c.ok() || size < header) break;
    const size_t length = static_cast<size_t>(std::min<uint64_t>(size, data.size() - pos));
    box.payload = data.subspan(pos + header, length - header);
    box.header_size = header;
    boxes.push_back(box);
    pos += length;
  }
  return boxes;
}

// iinf: item id -> item type (only `infe` version 2 and 3 carry a type).
std::map<uint32_t, std::array<char, 4>> ReadItemTypes(std::span<const uint8_t> iinf) {
  std::map<uint32_t, std::array<char, 4>> types;
  Cursor c(iinf);
  const uint64_t version = c.Uint(1);
  c.Uint(3);                     // flags
  c.Uint(version == 0 ? 2 : 4);  // entry count: the boxes that follow are authoritative
  if (!c.ok()) return types;
  for (const Box& infe : Children(c.Rest())) {
    if (!Is(infe.type, "infe")) continue;
    Cursor e(infe.payload);
    const uint64_t v = e.Uint(1);
    e.Uint(3);
    if (v < 2) continue;
    const auto id = static_cast<uint32_t>(e.Uint(v == 2 ? 2 : 4));
    e.Uint(2);  // protection index
    const std::array<char, 4> type = e.FourCc();
    if (e.ok()) types[id] = type;
  }
  return types;
}

// Resolves [offset, offset + length) in `base`; empty when it does not fit (libheif then reads
// nothing) or when length is 0 (libheif reads 0 bytes, not "to the end").
std::span<const uint8_t> Range(std::span<const uint8_t> base, uint64_t offset, uint64_t length) {
  if (length == 0 || offset > base.size() || length > base.size() - offset) return {};
  return base.subspan(static_cast<size_t>(offset), static_cast<size_t>(length));
}

// libheif reads iloc offset, length and index fields only when they are 4 or 8 bytes wide;
// other widths read nothing and count as 0. We must parse the same way to see the same items.
uint64_t Field(Cursor* c, size_t bytes) { return bytes == 4 || bytes == 8 ? c->Uint(bytes) : 0; }

// iloc, parsed as libheif 1.15's Box_iloc::parse: each item's extents, in the file
// (construction method 0) or in idat (method 1). `idat_window` is where libheif lets method-1
// extents read: it bounds them by the idat box's total size, header included, from the start
// of its payload, so they may run a few bytes past the payload.
void ReadLocations(std::span<const uint8_t> iloc, std::span<const uint8_t> file,
                   std::span<const uint8_t> idat_window,
                   const std::map<uint32_t, std::array<char, 4>>& types, HeifContainer* out) {
  Cursor c(iloc);
  const uint64_t version = c.Uint(1);
  c.Uint(3);
  const uint64_t sizes = c.Uint(1), more = c.Uint(1);
  const size_t offset_size = sizes >> 4, length_size = sizes & 15, base_size = more >> 4;
  const size_t index_size = version > 1 ? (more & 15) : 0;
  const uint64_t count = c.Uint(version < 2 ? 2 : 4);
  size_t total_extents = 0;
  for (uint64_t i = 0; i < count && c.ok(); ++i) {
    if (out->items.size() >= kMaxItems) {
      out->too_large = true;
      return;
    }
    HeifItem item;
    item.id = static_cast<uint32_t>(c.Uint(version < 2 ? 2 : 4));
    const uint64_t method = version >= 1 ? (c.Uint(2) & 15) : 0;
    c.Uint(2);  // data reference index
    const uint64_t base = Field(&c, base_size);
    const uint64_t extents = c.Uint(2);
    total_extents += extents;
    if (total_extents > kMaxExtents) {
      out->too_large = true;
      return;
    }
    for (uint64_t e = 0; e < extents && c.ok(); ++e) {
      Field(&c, index_size);
      const uint64_t offset = Field(&c, offset_size), length = Field(&c, length_size);
      if (offset > UINT64_MAX - base || method > 1) continue;
      const std::span<const uint8_t> range =
          Range(method == 0 ? file : idat_window, base + offset, length);
      if (!range.empty()) item.extents.push_back(range);
    }
    const auto type = types.find(item.id);
    if (type == types.end() || !c.ok()) continue;
    item.type = type->second;
    out->items.push_back(std::move(item));
  }
}

}  // namespace

HeifContainer ReadHeifContainer(std::span<const uint8_t> file) {
  HeifContainer out;
  for (const Box& top : Children(file)) {
    if (!Is(top.type, "meta") || top.payload.size() < 4) continue;
    std::span<const uint8_t> iinf, iloc, idat_window;
    for (const Box& box : Children(top.payload.subspan(4))) {
      if (Is(box.type, "iinf")) iinf = box.payload;
      if (Is(box.type, "iloc")) iloc = box.payload;
      if (Is(box.type, "idat")) {
        const size_t start = static_cast<size_t>(box.payload.data() - file.data());
        idat_window = file.subspan(
            start, std::min(box.payload.size() + box.header_size, file.size() - start));
      }
      if (!Is(box.type, "iprp")) continue;
      for (const Box& ipco : Children(box.payload)) {
        if (!Is(ipco.type, "ipco")) continue;
        for (const Box& property : Children(ipco.payload)) {
          if (Is(property.type, "hvcC")) out.hvcc.push_back(property.payload);
          if (Is(property.type, "av1C")) out.av1c.push_back(property.payload);
        }
      }
    }
    ReadLocations(iloc, file, idat_window, ReadItemTypes(iinf), &out);
  }
  // Genuine files store each byte of item data once. Extents that reuse the same bytes over
  // and over would make any scan of the items (ours, libheif's) arbitrarily long.
  uint64_t referenced = 0;
  for (const HeifItem& item : out.items) {
    for (std::span<const uint8_t> extent : item.extents) referenced += extent.size();
  }
  if (referenced > 2 * uint64_t{file.size()} + 4096) out.too_large = true;
  return out;
}

void ExtentReader::Normalise() {
  while (extent_ < extents_.size() && offset_ >= extents_[extent_].size()) {
    offset_ = 0;
    ++extent_;
  }
}

bool ExtentReader::Read(size_t n, std::vector<uint8_t>* out) {
  out->clear();
  while (out->size() < n) {
    Normalise();
    if (AtEnd()) return false;
    const std::span<const uint8_t> e = extents_[extent_];
    const size_t take = std::min(n - out->size(), e.size() - offset_);
    out->insert(out->end(), e.begin() + static_cast<ptrdiff_t>(offset_),
                e.begin() + static_cast<ptrdiff_t>(offset_ + take));
    offset_ += take;
  }
  return true;
}

bool ExtentReader::Skip(uint64_t n) {
  while (n > 0) {
    Normalise();
    if (AtEnd()) return false;
    const uint64_t take = std::min<uint64_t>(n, extents_[extent_].size() - offset_);
    offset_ += static_cast<size_t>(take);
    n -= take;
  }
  return true;
}

}  // namespace vigil::media::internal
