// The text and binary forms of hashes: PDQ hex, the vPDQ line/file format of Meta's tools, and
// the bank's vPDQ value (text, raw encoding, reference files). Whatever parses must round-trip.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "bank/vpdq_value.h"
#include "hash/hash256.h"
#include "hash/vpdq.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto h = hash::Hash256::FromHex(text); h.ok()) {
    auto again = hash::Hash256::FromHex(h->ToHex());
    if (!again.ok() || *again != *h) __builtin_trap();
  }
  (void)hash::ParseVpdqLine(text);
  (void)hash::ParseVpdq(text);
  if (auto frames = bank::ParseVpdqValue(text); frames.ok()) {
    auto decoded = bank::DecodeVpdqValue([&] {
      const std::string raw = bank::EncodeVpdqValue(*frames);
      return std::vector<uint8_t>(raw.begin(), raw.end());
    }());
    if (!decoded.ok() || *decoded != *frames) __builtin_trap();
  }
  (void)bank::NormalizeVpdqValue(text);
  (void)bank::DecodeVpdqValue(std::span<const uint8_t>(data, size));
  (void)bank::ReferenceFileToVpdqValue(text);
  return 0;
}
