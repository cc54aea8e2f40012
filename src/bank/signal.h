// Signal types and values: what a bank entry matches on.
//
// A signal is a hash of one kind (PDQ, MD5, SHA-256, vPDQ) in its normalised text form: lowercase
// hex of a fixed length per type, except vPDQ, whose value is a video's frame list
// (bank/vpdq_value.h). Names follow vigil ("pdq", "md5", "sha256"); python-threatexchange's
// names ("video_md5", "video_sha256") are accepted as aliases so its hash files import unchanged.
//
// Thread safety: free functions on values.
#ifndef VIGIL_BANK_SIGNAL_H_
#define VIGIL_BANK_SIGNAL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::bank {

// The numbers are stable: stores may persist them. Further video types (TMK) get new numbers.
enum class SignalType : uint8_t {
  kPdq = 1,
  kMd5 = 2,
  kSha256 = 3,
  kVpdq = 4,  // a video's vPDQ frame list; variable length
};

// Every type this build knows, in display order.
inline constexpr SignalType kAllSignalTypes[] = {SignalType::kPdq, SignalType::kMd5,
                                                 SignalType::kSha256, SignalType::kVpdq};

// The largest raw value of any fixed-size signal type, in bytes.
inline constexpr size_t kMaxSignalBytes = 32;

// vigil's name: "pdq", "md5", "sha256" or "vpdq".
std::string_view SignalTypeName(SignalType type);

// python-threatexchange's SignalType.get_name(): "pdq", "video_md5", "video_sha256", "vpdq". Its
// MD5 and
// SHA-256 types are named for video, but they are plain digests of the file's bytes, the same
// values vigil computes for any file. (Its vpdq value format differs from vigil's: te exports
// use vigil's value text.)
std::string_view ThreatExchangeName(SignalType type);

// Parses a type name, vigil's or python-threatexchange's, ignoring ASCII case.
// kInvalidArgument names the unknown type and lists the known ones.
Result<SignalType> ParseSignalType(std::string_view name);

// Whether every value of `type` has the same raw size (all but vPDQ).
bool IsFixedSizeSignal(SignalType type);

// Raw size of a fixed-size value: 32 bytes for PDQ (256 bits) and SHA-256, 16 for MD5; 0 for
// vPDQ, whose size varies.
size_t SignalValueBytes(SignalType type);

// Checks `hex` is a value of `type` (right length, hex digits only; either case) and returns it
// in lowercase. kInvalidArgument says what is wrong: the expected and actual length, or the first
// bad character (escaped when unprintable) and its position. vPDQ values are normalised as
// described in bank/vpdq_value.h.
Result<std::string> NormalizeSignalValue(SignalType type, std::string_view hex);

// The raw bytes a store keeps for `value` (normalised or not) of `type`: the hex decoded, or
// vPDQ's raw form. Errors as NormalizeSignalValue.
Result<std::string> SignalValueToBytes(SignalType type, std::string_view value);

// The normalised value of raw bytes read back from a store; kInvalidArgument when they are not a
// value of `type` (wrong size, or a malformed vPDQ list).
Result<std::string> SignalValueFromBytes(SignalType type, std::span<const uint8_t> bytes);

// Lowercase hex of `bytes`.
std::string BytesToHex(std::span<const uint8_t> bytes);

// `text` made safe to quote in an error message: printable ASCII kept, other bytes as \xNN,
// cut to `max_chars` with "..." so a hostile input cannot flood the terminal.
std::string EscapeForMessage(std::string_view text, size_t max_chars = 80);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_SIGNAL_H_
