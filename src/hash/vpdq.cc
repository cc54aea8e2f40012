#include "hash/vpdq.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <system_error>

#include "hash/pdq_internal.h"

namespace vigil::hash {
namespace {

// Splits on ',' into exactly `n` fields; false when the count differs.
bool SplitFields(std::string_view line, std::string_view* fields, int n) {
  int count = 0;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    if (count == n) return false;
    fields[count++] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return count == n;
}

template <typename T>
bool ParseNumber(std::string_view text, T* value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end;
}

}  // namespace

double VpdqTimestamp(int64_t frame_number, double frames_per_second) {
  // The reference stores frames_per_second in a float and divides in float.
  return static_cast<double>(static_cast<float>(frame_number) /
                             static_cast<float>(frames_per_second));
}

VpdqHasher::VpdqHasher() : pdq_(PdqOptions{.resampling = Resampling::kNone}) {}

Result<VpdqFrame> VpdqHasher::HashFrame(const PixelView& rgb, int64_t frame_number,
                                        double timestamp) {
  if (rgb.channels != 3) {
    return InvalidArgumentError(
        fmt::format("vPDQ frames are RGB (3 channels), got {} channels", rgb.channels));
  }
  if (rgb.width < internal::kMinHashableSide || rgb.height < internal::kMinHashableSide) {
    return InvalidArgumentError(
        fmt::format("frame {} is {}x{}; vPDQ needs at least {}x{} pixels", frame_number, rgb.width,
                    rgb.height, internal::kMinHashableSide, internal::kMinHashableSide));
  }
  ASSIGN_OR_RETURN(PdqResult pdq, pdq_.Hash(rgb));
  return VpdqFrame{frame_number, pdq.quality, pdq.hash, timestamp};
}

std::string FormatVpdqLine(const VpdqFrame& frame) {
  // std::to_chars is locale-independent and rounds like printf("%.3f"), which is what the
  // reference's `std::fixed << std::setprecision(3)` does in the C locale.
  char stamp[64];
  auto [end, ec] =
      std::to_chars(stamp, stamp + sizeof(stamp), frame.timestamp, std::chars_format::fixed, 3);
  if (ec != std::errc()) end = stamp;  // only for absurd values (> 60 digits)
  return fmt::format("{},{},{},{}", frame.frame_number, frame.quality, frame.hash.ToHex(),
                     std::string_view(stamp, end - stamp));
}

std::string FormatVpdq(std::span<const VpdqFrame> frames) {
  std::string out;
  out.reserve(frames.size() * 84);
  for (const VpdqFrame& frame : frames) {
    out += FormatVpdqLine(frame);
    out += '\n';
  }
  return out;
}

Result<VpdqFrame> ParseVpdqLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view fields[4];
  if (!SplitFields(line, fields, 4)) {
    return InvalidArgumentError(
        "a vPDQ line has 4 comma-separated fields: frameNumber,quality,pdqHex,timestamp");
  }
  VpdqFrame frame;
  if (!ParseNumber(fields[0], &frame.frame_number) || frame.frame_number < 0) {
    return InvalidArgumentError(
        fmt::format("frame number '{}' is not a non-negative integer", fields[0]));
  }
  if (!ParseNumber(fields[1], &frame.quality) || frame.quality < 0 || frame.quality > 100) {
    return InvalidArgumentError(fmt::format("quality '{}' is not an integer 0..100", fields[1]));
  }
  auto hash = Hash256::FromHex(fields[2]);
  if (!hash.ok()) return hash.status().WithContext("pdq hash");
  frame.hash = *hash;
  if (!ParseNumber(fields[3], &frame.timestamp) || !std::isfinite(frame.timestamp) ||
      frame.timestamp < 0) {
    return InvalidArgumentError(
        fmt::format("timestamp '{}' is not a non-negative number", fields[3]));
  }
  return frame;
}

Result<std::vector<VpdqFrame>> ParseVpdq(std::string_view text) {
  std::vector<VpdqFrame> frames;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line == "\r") continue;
    auto frame = ParseVpdqLine(line);
    if (!frame.ok()) return frame.status().WithContext(fmt::format("line {}", line_number));
    frames.push_back(*frame);
  }
  return frames;
}

}  // namespace vigil::hash
