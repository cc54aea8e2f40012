#include "privacy/pseudonym.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>

#include "core/text.h"

namespace vigil::privacy {
namespace {

constexpr size_t kMinSecretBytes = 32;
constexpr size_t kMaxIdChars = 16;
constexpr std::string_view kPrefix = "p1.";

bool ValidKeyId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdChars && std::ranges::all_of(id, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string_view Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

Result<std::vector<PseudonymKey>> ParsePseudonymKeys(std::string_view text, std::string_view name) {
  std::vector<PseudonymKey> keys;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.find_first_of(" \t");
    const std::string_view id = line.substr(0, space);
    const std::string_view secret_hex =
        space == std::string_view::npos ? std::string_view() : Trim(line.substr(space));
    auto secret = HexToBytes(secret_hex);
    if (!ValidKeyId(id) || !secret.ok() || secret->size() < kMinSecretBytes) {
      return InvalidArgumentError(fmt::format(
          "{} line {}: expected '<key id> <hex secret>' with an id of 1-{} letters, digits, '_' "
          "or '-' and a secret of at least {} bytes ({} hex digits)",
          name, line_no, kMaxIdChars, kMinSecretBytes, 2 * kMinSecretBytes));
    }
    keys.push_back({std::string(id), std::move(*secret)});
  }
  if (keys.empty()) return InvalidArgumentError(fmt::format("{}: no pseudonymisation keys", name));
  return keys;
}

Result<Pseudonymiser> Pseudonymiser::Create(std::vector<PseudonymKey> keys,
                                            std::string_view current_id) {
  if (keys.empty()) return InvalidArgumentError("pseudonymisation: no keys");
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!ValidKeyId(keys[i].id)) {
      return InvalidArgumentError(fmt::format("pseudonymisation: bad key id '{}'", keys[i].id));
    }
    if (keys[i].secret.size() < kMinSecretBytes) {
      return InvalidArgumentError(fmt::format("pseudonymisation: key '{}' is shorter than {} bytes",
                                              keys[i].id, kMinSecretBytes));
    }
    for (size_t j = 0; j < i; ++j) {
      if (keys[j].id == keys[i].id) {
        return InvalidArgumentError(
            fmt::format("pseudonymisation: key id '{}' appears twice", keys[i].id));
      }
    }
  }
  auto current = std::ranges::find(keys, current_id, &PseudonymKey::id);
  if (current == keys.end()) {
    return InvalidArgumentError(
        fmt::format("pseudonymisation: the current key '{}' is not among the keys", current_id));
  }
  std::rotate(keys.begin(), current, current + 1);
  return Pseudonymiser(std::move(keys));
}

std::string Pseudonymiser::Under(const PseudonymKey& key, std::string_view identifier) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.secret.data(), static_cast<int>(key.secret.size()),
       reinterpret_cast<const unsigned char*>(identifier.data()), identifier.size(), mac.data(),
       &mac_len);
  std::string out = fmt::format("{}{}.", kPrefix, key.id);
  for (unsigned int i = 0; i < mac_len; ++i) out += fmt::format("{:02x}", mac[i]);
  return out;
}

std::string Pseudonymiser::Pseudonymise(std::string_view identifier) const {
  return Under(keys_.front(), identifier);
}

std::vector<std::string> Pseudonymiser::AllPseudonyms(std::string_view identifier) const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const PseudonymKey& key : keys_) out.push_back(Under(key, identifier));
  return out;
}

Result<std::string> Pseudonymiser::PseudonymiseUnder(std::string_view key_id,
                                                     std::string_view identifier) const {
  auto key = std::ranges::find(keys_, key_id, &PseudonymKey::id);
  if (key == keys_.end()) {
    return NotFoundError(
        fmt::format("pseudonymisation key '{}' is not among the configured keys", key_id));
  }
  return Under(*key, identifier);
}

std::string_view Pseudonymiser::KeyIdOf(std::string_view value) {
  if (!LooksPseudonymised(value)) return {};
  value.remove_prefix(kPrefix.size());
  return value.substr(0, value.find('.'));
}

bool Pseudonymiser::LooksPseudonymised(std::string_view value) {
  if (!value.starts_with(kPrefix)) return false;
  value.remove_prefix(kPrefix.size());
  const size_t dot = value.find('.');
  if (dot == std::string_view::npos || !ValidKeyId(value.substr(0, dot))) return false;
  const std::string_view hex = value.substr(dot + 1);
  return hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace vigil::privacy
