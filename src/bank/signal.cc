#include "bank/signal.h"

#include <fmt/format.h>

#include <cassert>

#include "bank/vpdq_value.h"
#include "core/text.h"

namespace vigil::bank {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view SignalTypeName(SignalType type) {
  switch (type) {
    case SignalType::kPdq:
      return "pdq";
    case SignalType::kMd5:
      return "md5";
    case SignalType::kSha256:
      return "sha256";
    case SignalType::kVpdq:
      return "vpdq";
  }
  assert(false && "unknown SignalType");
  return "unknown";
}

std::string_view ThreatExchangeName(SignalType type) {
  switch (type) {
    case SignalType::kPdq:
      return "pdq";
    case SignalType::kMd5:
      return "video_md5";
    case SignalType::kSha256:
      return "video_sha256";
    case SignalType::kVpdq:
      return "vpdq";
  }
  assert(false && "unknown SignalType");
  return "unknown";
}

Result<SignalType> ParseSignalType(std::string_view name) {
  for (SignalType type : kAllSignalTypes) {
    if (EqualsIgnoreCase(name, SignalTypeName(type)) ||
        EqualsIgnoreCase(name, ThreatExchangeName(type))) {
      return type;
    }
  }
  return InvalidArgumentError(fmt::format(
      "unknown signal type '{}' (known: pdq, md5, sha256, vpdq, video_md5, video_sha256)",
      EscapeForMessage(name, 40)));
}

bool IsFixedSizeSignal(SignalType type) { return type != SignalType::kVpdq; }

size_t SignalValueBytes(SignalType type) {
  switch (type) {
    case SignalType::kMd5:
      return 16;
    case SignalType::kVpdq:
      return 0;
    default:
      return 32;
  }
}

Result<std::string> NormalizeSignalValue(SignalType type, std::string_view hex) {
  if (type == SignalType::kVpdq) return NormalizeVpdqValue(hex);
  const size_t digits = 2 * SignalValueBytes(type);
  if (hex.size() != digits) {
    return InvalidArgumentError(fmt::format("{} value needs {} hex digits, got {} characters",
                                            SignalTypeName(type), digits, hex.size()));
  }
  std::string out(hex);
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (HexValue(c) < 0) {
      return InvalidArgumentError(
          fmt::format("{} value has a non-hex character '{}' at position {}", SignalTypeName(type),
                      EscapeForMessage(std::string_view(&out[i], 1)), i + 1));
    }
    if (c >= 'A' && c <= 'F') out[i] = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<std::string> SignalValueToBytes(SignalType type, std::string_view value) {
  if (type == SignalType::kVpdq) {
    ASSIGN_OR_RETURN(std::string normalized, NormalizeVpdqValue(value));
    ASSIGN_OR_RETURN(auto frames, ParseVpdqValue(normalized));
    return EncodeVpdqValue(frames);
  }
  ASSIGN_OR_RETURN(std::string hex, NormalizeSignalValue(type, value));
  std::string bytes(hex.size() / 2, '\0');
  RETURN_IF_ERROR(HexToBytes(hex, {reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()}));
  return bytes;
}

Result<std::string> SignalValueFromBytes(SignalType type, std::span<const uint8_t> bytes) {
  if (type == SignalType::kVpdq) {
    ASSIGN_OR_RETURN(auto frames, DecodeVpdqValue(bytes));
    return FormatVpdqValue(frames);
  }
  if (bytes.size() != SignalValueBytes(type)) {
    return InvalidArgumentError(fmt::format("a {} value needs {} bytes, got {}",
                                            SignalTypeName(type), SignalValueBytes(type),
                                            bytes.size()));
  }
  return BytesToHex(bytes);
}

std::string BytesToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * bytes.size(), '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string EscapeForMessage(std::string_view text, size_t max_chars) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

}  // namespace vigil::bank
