#include "bank/vpdq_value.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <set>
#include <system_error>

#include "bank/signal.h"
#include "core/text.h"

namespace vigil::bank {
namespace {

constexpr uint8_t kRawVersion = 1;
constexpr size_t kRawFrameBytes = 8 + 1 + 32 + 8;
// No frame number or timestamp of a real video comes near these; they keep the arithmetic of
// hostile values in range.
constexpr int64_t kMaxFrameNumber = int64_t{1} << 48;
constexpr int64_t kMaxTimestampMs = int64_t{1} << 48;

bool ParseDigits(std::string_view text, int64_t* value) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

// "12.345", "12.3", "12": seconds with up to three decimals, to milliseconds.
bool ParseTimestamp(std::string_view text, int64_t* ms) {
  const size_t dot = text.find('.');
  int64_t whole = 0, frac = 0;
  if (!ParseDigits(text.substr(0, dot), &whole)) return false;
  if (dot != std::string_view::npos) {
    const std::string_view digits = text.substr(dot + 1);
    if (digits.empty() || digits.size() > 3 || !ParseDigits(digits, &frac)) return false;
    for (size_t i = digits.size(); i < 3; ++i) frac *= 10;
  }
  if (whole > kMaxTimestampMs / 1000) return false;
  *ms = whole * 1000 + frac;
  return true;
}

Result<VpdqValueFrame> ParseFrame(std::string_view line) {
  std::string_view f[4];
  size_t count = 0, start = 0;
  while (count < 5) {
    const size_t comma = line.find(',', start);
    if (count < 4)
      f[count] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
    ++count;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (count != 4) {
    return InvalidArgumentError(
        fmt::format("{} comma-separated field{} instead of 4 (frameNumber,quality,pdqHex,"
                    "timestamp)",
                    count > 4 ? "more than 4" : std::to_string(count), count == 1 ? "" : "s"));
  }
  VpdqValueFrame frame;
  if (!ParseDigits(f[0], &frame.frame_number) || frame.frame_number > kMaxFrameNumber) {
    return InvalidArgumentError(
        fmt::format("frame number '{}' is not a non-negative integer", EscapeForMessage(f[0], 24)));
  }
  int64_t quality = 0;
  if (!ParseDigits(f[1], &quality) || quality > 100) {
    return InvalidArgumentError(
        fmt::format("quality '{}' is not an integer 0..100", EscapeForMessage(f[1], 24)));
  }
  frame.quality = static_cast<int>(quality);
  if (f[2].size() != 64 || !HexToBytes(f[2], frame.hash).ok()) {
    return InvalidArgumentError(
        fmt::format("PDQ hash '{}' is not 64 hex digits", EscapeForMessage(f[2], 70)));
  }
  if (!ParseTimestamp(f[3], &frame.timestamp_ms)) {
    return InvalidArgumentError(
        fmt::format("timestamp '{}' is not seconds with at most 3 decimals, e.g. 1.000",
                    EscapeForMessage(f[3], 24)));
  }
  return frame;
}

void AppendFrame(std::string& out, const VpdqValueFrame& f) {
  fmt::format_to(std::back_inserter(out), "{},{},{},{}.{:03}", f.frame_number, f.quality,
                 BytesToHex(f.hash), f.timestamp_ms / 1000, f.timestamp_ms % 1000);
}

void PutInt64(std::string& out, int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out += static_cast<char>((u >> (8 * i)) & 0xff);
}

int64_t GetInt64(const uint8_t* p) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u |= uint64_t{p[i]} << (8 * i);
  return static_cast<int64_t>(u);
}

Result<std::string> CheckedFormat(std::vector<VpdqValueFrame> frames) {
  frames = DeduplicateVpdqFrames(frames);
  if (frames.size() > kMaxVpdqFrames) {
    return InvalidArgumentError(
        fmt::format("vpdq value has {} distinct frames, more than the limit of {}", frames.size(),
                    kMaxVpdqFrames));
  }
  return FormatVpdqValue(frames);
}

}  // namespace

Result<std::vector<VpdqValueFrame>> ParseVpdqValue(std::string_view text) {
  std::vector<VpdqValueFrame> frames;
  if (text.empty()) return InvalidArgumentError("vpdq value has no frames");
  size_t number = 0;
  while (true) {
    ++number;
    if (number > kMaxVpdqFrames * 64) {
      return InvalidArgumentError("vpdq value has far more frames than the limit");
    }
    const size_t end = text.find(';');
    auto frame = ParseFrame(text.substr(0, end));
    if (!frame.ok()) return frame.status().WithContext(fmt::format("vpdq frame {}", number));
    frames.push_back(*frame);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return frames;
}

std::string FormatVpdqValue(std::span<const VpdqValueFrame> frames) {
  std::string out;
  out.reserve(frames.size() * 84);
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i > 0) out += ';';
    AppendFrame(out, frames[i]);
  }
  return out;
}

std::vector<VpdqValueFrame> DeduplicateVpdqFrames(std::span<const VpdqValueFrame> frames) {
  std::set<std::array<uint8_t, 32>> seen;
  std::vector<VpdqValueFrame> out;
  for (const VpdqValueFrame& f : frames) {
    if (seen.insert(f.hash).second) out.push_back(f);
  }
  return out;
}

Result<std::string> NormalizeVpdqValue(std::string_view text) {
  ASSIGN_OR_RETURN(auto frames, ParseVpdqValue(text));
  return CheckedFormat(std::move(frames));
}

std::string EncodeVpdqValue(std::span<const VpdqValueFrame> frames) {
  std::string out;
  out.reserve(1 + frames.size() * kRawFrameBytes);
  out += static_cast<char>(kRawVersion);
  for (const VpdqValueFrame& f : frames) {
    PutInt64(out, f.frame_number);
    out += static_cast<char>(f.quality);
    out.append(reinterpret_cast<const char*>(f.hash.data()), f.hash.size());
    PutInt64(out, f.timestamp_ms);
  }
  return out;
}

Result<std::vector<VpdqValueFrame>> DecodeVpdqValue(std::span<const uint8_t> bytes) {
  if (bytes.empty() || bytes[0] != kRawVersion) {
    return InvalidArgumentError("raw vpdq value does not start with version byte 1");
  }
  const size_t body = bytes.size() - 1;
  if (body == 0 || body % kRawFrameBytes != 0 || body / kRawFrameBytes > kMaxVpdqFrames) {
    return InvalidArgumentError(
        fmt::format("raw vpdq value of {} bytes is not a whole number of frames", bytes.size()));
  }
  std::vector<VpdqValueFrame> frames(body / kRawFrameBytes);
  const uint8_t* p = bytes.data() + 1;
  for (VpdqValueFrame& f : frames) {
    f.frame_number = GetInt64(p);
    f.quality = p[8];
    std::memcpy(f.hash.data(), p + 9, 32);
    f.timestamp_ms = GetInt64(p + 41);
    p += kRawFrameBytes;
    if (f.frame_number < 0 || f.frame_number > kMaxFrameNumber || f.quality > 100 ||
        f.timestamp_ms < 0 || f.timestamp_ms > kMaxTimestampMs) {
      return InvalidArgumentError("raw vpdq value has a field out of range");
    }
  }
  return frames;
}

Result<std::string> ReferenceFileToVpdqValue(std::string_view contents) {
  if (contents.size() > kMaxVpdqFileBytes) {
    return InvalidArgumentError(fmt::format("vpdq file is {} bytes, more than the limit of {}",
                                            contents.size(), kMaxVpdqFileBytes));
  }
  std::vector<VpdqValueFrame> frames;
  size_t line_number = 0;
  while (!contents.empty()) {
    ++line_number;
    const size_t newline = contents.find('\n');
    std::string_view line = contents.substr(0, newline);
    contents.remove_prefix(newline == std::string_view::npos ? contents.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto frame = ParseFrame(line);
    if (!frame.ok()) return frame.status().WithContext(fmt::format("line {}", line_number));
    frames.push_back(*frame);
  }
  if (frames.empty()) return InvalidArgumentError("vpdq file has no frames");
  return CheckedFormat(std::move(frames));
}

std::string VpdqValueToReferenceFile(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 1);
  for (char c : value) out += c == ';' ? '\n' : c;
  out += '\n';
  return out;
}

}  // namespace vigil::bank
