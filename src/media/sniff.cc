// Media type from magic bytes. File names are never consulted: uploads are named by whoever
// sends them, and a wrong extension must not change how bytes are parsed.
#include <algorithm>
#include <array>
#include <cstring>

#include "media/media.h"

namespace vigil::media {
namespace {

using Bytes = std::span<const uint8_t>;

bool HasPrefix(Bytes bytes, size_t offset, std::string_view magic) {
  return bytes.size() >= offset + magic.size() &&
         std::memcmp(bytes.data() + offset, magic.data(), magic.size()) == 0;
}

uint32_t BigEndian32(Bytes bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | uint32_t{bytes[offset + 3]};
}

bool IsOneOf(std::string_view brand, std::span<const std::string_view> brands) {
  return std::find(brands.begin(), brands.end(), brand) != brands.end();
}

// HEIF (ISO/IEC 23008-12) and AVIF brands for still images and image sequences. libheif
// decodes the primary image of either.
constexpr std::array<std::string_view, 13> kHeifBrands = {"heic", "heix", "heim", "heis", "hevc",
                                                          "hevx", "hevm", "hevs", "mif1", "mif2",
                                                          "msf1", "avif", "avis"};

// ISO-BMFF brands used by MP4, QuickTime, 3GPP and related video files.
constexpr std::array<std::string_view, 28> kVideoBrands = {
    "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "mp41", "mp42", "mp71",
    "avc1", "qt  ", "M4V ", "M4VH", "M4VP", "3gp4", "3gp5", "3gp6", "3gp7", "3g2a",
    "3g2b", "3g2c", "dash", "f4v ", "mmp4", "MSNV", "XAVC", "NDAS"};

// An ISO-BMFF file opens with an `ftyp` box: size, "ftyp", major brand, minor version, then
// compatible brands. The major brand decides; compatible brands are a fallback for files
// whose major brand is one we do not list (HEIF still brands win over video ones).
MediaType SniffIsoBmff(Bytes bytes) {
  const std::string_view major(reinterpret_cast<const char*>(bytes.data()) + 8, 4);
  if (IsOneOf(major, kHeifBrands)) return MediaType::kHeif;
  if (IsOneOf(major, kVideoBrands)) return MediaType::kVideo;
  const size_t box_end = std::min<size_t>(BigEndian32(bytes, 0), bytes.size());
  bool video = false;
  for (size_t offset = 16; offset + 4 <= box_end; offset += 4) {
    const std::string_view brand(reinterpret_cast<const char*>(bytes.data()) + offset, 4);
    if (IsOneOf(brand, kHeifBrands)) return MediaType::kHeif;
    video = video || IsOneOf(brand, kVideoBrands);
  }
  return video ? MediaType::kVideo : MediaType::kUnknown;
}

// "BM" alone is too weak (plain text can start with it), so also require a known size of the
// DIB header that follows the 14-byte file header.
bool LooksLikeBmp(Bytes bytes) {
  if (!HasPrefix(bytes, 0, "BM") || bytes.size() < 18) return false;
  const uint32_t dib_size = uint32_t{bytes[14]} | (uint32_t{bytes[15]} << 8) |
                            (uint32_t{bytes[16]} << 16) | (uint32_t{bytes[17]} << 24);
  constexpr std::array<uint32_t, 8> kDibSizes = {12, 16, 40, 52, 56, 64, 108, 124};
  return std::find(kDibSizes.begin(), kDibSizes.end(), dib_size) != kDibSizes.end();
}

bool LooksLikeVideo(Bytes bytes) {
  static constexpr uint8_t kEbml[] = {0x1A, 0x45, 0xDF, 0xA3};  // Matroska, WebM
  static constexpr uint8_t kAsf[] = {0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                     0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C};
  static constexpr uint8_t kMpegPs[] = {0x00, 0x00, 0x01, 0xBA};
  static constexpr uint8_t kMpegVideo[] = {0x00, 0x00, 0x01, 0xB3};
  auto starts_with = [&](std::span<const uint8_t> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
  };
  if (starts_with(kEbml) || starts_with(kAsf) || starts_with(kMpegPs) || starts_with(kMpegVideo)) {
    return true;
  }
  if (HasPrefix(bytes, 0, "RIFF") && HasPrefix(bytes, 8, "AVI ")) return true;
  if (HasPrefix(bytes, 0, "FLV\x01")) return true;
  // MPEG transport stream: a sync byte at the start of three consecutive 188-byte packets.
  constexpr size_t kPacket = 188;
  if (bytes.size() > 2 * kPacket && bytes[0] == 0x47 && bytes[kPacket] == 0x47 &&
      bytes[2 * kPacket] == 0x47) {
    return true;
  }
  // QuickTime files older than the ftyp box start directly with a movie-level atom.
  if (bytes.size() >= 8 && BigEndian32(bytes, 0) >= 8) {
    for (std::string_view atom : {"moov", "mdat", "wide", "free", "skip", "pnot"}) {
      if (HasPrefix(bytes, 4, atom)) return true;
    }
  }
  return false;
}

}  // namespace

MediaType SniffMediaType(std::span<const uint8_t> bytes) {
  if (HasPrefix(bytes, 0, "\xFF\xD8\xFF")) return MediaType::kJpeg;
  if (HasPrefix(bytes, 0, "\x89PNG\r\n\x1A\n")) return MediaType::kPng;
  if (HasPrefix(bytes, 0, "GIF87a") || HasPrefix(bytes, 0, "GIF89a")) return MediaType::kGif;
  if (HasPrefix(bytes, 0, "RIFF") && HasPrefix(bytes, 8, "WEBP")) return MediaType::kWebp;
  if (LooksLikeBmp(bytes)) return MediaType::kBmp;
  // Classic TIFF (42) and BigTIFF (43), in either byte order.
  if (HasPrefix(bytes, 0, std::string_view("II*\0", 4)) ||
      HasPrefix(bytes, 0, std::string_view("MM\0*", 4)) ||
      HasPrefix(bytes, 0, std::string_view("II+\0", 4)) ||
      HasPrefix(bytes, 0, std::string_view("MM\0+", 4))) {
    return MediaType::kTiff;
  }
  if (bytes.size() >= 16 && HasPrefix(bytes, 4, "ftyp")) return SniffIsoBmff(bytes);
  if (LooksLikeVideo(bytes)) return MediaType::kVideo;
  return MediaType::kUnknown;
}

std::string_view MediaTypeName(MediaType type) {
  switch (type) {
    case MediaType::kUnknown:
      return "unknown";
    case MediaType::kJpeg:
      return "jpeg";
    case MediaType::kPng:
      return "png";
    case MediaType::kGif:
      return "gif";
    case MediaType::kWebp:
      return "webp";
    case MediaType::kBmp:
      return "bmp";
    case MediaType::kTiff:
      return "tiff";
    case MediaType::kHeif:
      return "heif";
    case MediaType::kVideo:
      return "video";
  }
  return "unknown";
}

}  // namespace vigil::media
