#include "privacy/evidence_cipher.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "privacy/pseudonym.h"

namespace vigil::privacy {
namespace {

constexpr std::string_view kMagic = "VGEV\x01";
constexpr size_t kChunk = 64 * 1024;
constexpr size_t kWrapNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kWrappedKey =
    crypto_secretstream_xchacha20poly1305_KEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kStreamHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kChunkOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;

// What the wrapped key authenticates: the magic, the master key id and the evidence id.
std::string WrapContext(std::string_view key_id, std::string_view id) {
  return fmt::format("{}{}:{}\n{}", kMagic, key_id.size(), key_id, id);
}

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t GetU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

bool ValidId(std::string_view id) {
  return !id.empty() && id.size() <= 16 &&
         id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
             std::string_view::npos;
}

}  // namespace

Result<std::map<std::string, MasterKey>> ParseMasterKeys(std::string_view text,
                                                         std::string_view name) {
  // Same line format as the pseudonymisation keys; then every key must be exactly 32 bytes.
  ASSIGN_OR_RETURN(std::vector<PseudonymKey> parsed, ParsePseudonymKeys(text, name));
  std::map<std::string, MasterKey> keys;
  for (const PseudonymKey& k : parsed) {
    if (k.secret.size() != sizeof(MasterKey)) {
      return InvalidArgumentError(
          fmt::format("{}: master key '{}' must be exactly 32 bytes (64 hex digits)", name, k.id));
    }
    MasterKey key{};
    std::memcpy(key.data(), k.secret.data(), key.size());
    if (!keys.emplace(k.id, key).second) {
      return InvalidArgumentError(fmt::format("{}: key id '{}' appears twice", name, k.id));
    }
  }
  return keys;
}

Result<EvidenceCipher> EvidenceCipher::Create(std::map<std::string, MasterKey> keys,
                                              std::string current_id) {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  for (const auto& [id, key] : keys) {
    if (!ValidId(id)) return InvalidArgumentError(fmt::format("bad master key id '{}'", id));
  }
  if (!keys.contains(current_id)) {
    return InvalidArgumentError(
        fmt::format("the current master key '{}' is not in the keyring", current_id));
  }
  return EvidenceCipher(std::move(keys), std::move(current_id));
}

Result<std::vector<uint8_t>> EvidenceCipher::Seal(std::span<const uint8_t> plain,
                                                  std::string_view id) const {
  if (id.empty() || id.size() > 255) {
    return InvalidArgumentError("evidence id must be 1 to 255 bytes");
  }
  const MasterKey& master = keys_.at(current_id_);
  std::array<uint8_t, crypto_secretstream_xchacha20poly1305_KEYBYTES> file_key{};
  crypto_secretstream_xchacha20poly1305_keygen(file_key.data());

  std::vector<uint8_t> out(kMagic.begin(), kMagic.end());
  out.push_back(static_cast<uint8_t>(current_id_.size()));
  out.insert(out.end(), current_id_.begin(), current_id_.end());
  const size_t nonce_at = out.size();
  out.resize(nonce_at + kWrapNonce + kWrappedKey + kStreamHeader);
  randombytes_buf(out.data() + nonce_at, kWrapNonce);
  const std::string context = WrapContext(current_id_, id);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + nonce_at + kWrapNonce, nullptr, file_key.data(), file_key.size(),
      reinterpret_cast<const uint8_t*>(context.data()), context.size(), nullptr,
      out.data() + nonce_at, master.data());

  crypto_secretstream_xchacha20poly1305_state state;
  crypto_secretstream_xchacha20poly1305_init_push(
      &state, out.data() + nonce_at + kWrapNonce + kWrappedKey, file_key.data());
  sodium_memzero(file_key.data(), file_key.size());
  size_t offset = 0;
  do {
    const size_t n = std::min(kChunk, plain.size() - offset);
    const bool last = offset + n == plain.size();
    const size_t at = out.size();
    PutU32(out, static_cast<uint32_t>(n + kChunkOverhead));
    out.resize(at + 4 + n + kChunkOverhead);
    crypto_secretstream_xchacha20poly1305_push(
        &state, out.data() + at + 4, nullptr, plain.data() + offset, n, nullptr, 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    offset += n;
  } while (offset < plain.size());
  return out;
}

Result<std::vector<uint8_t>> EvidenceCipher::Open(std::span<const uint8_t> sealed,
                                                  std::string_view id) const {
  auto damaged = [&](std::string_view what) {
    return DataLossError(fmt::format("evidence {}: {}", id, what));
  };
  if (sealed.size() < kMagic.size() + 1 ||
      std::memcmp(sealed.data(), kMagic.data(), kMagic.size()) != 0) {
    return damaged("not a vigil evidence file (bad magic)");
  }
  const size_t id_len = sealed[kMagic.size()];
  const size_t nonce_at = kMagic.size() + 1 + id_len;
  const size_t chunks_at = nonce_at + kWrapNonce + kWrappedKey + kStreamHeader;
  if (sealed.size() < chunks_at) return damaged("truncated header");
  const std::string key_id(reinterpret_cast<const char*>(sealed.data()) + kMagic.size() + 1,
                           id_len);
  auto master = keys_.find(key_id);
  if (master == keys_.end()) {
    return NotFoundError(fmt::format(
        "evidence {}: sealed with master key '{}', which is not in the keyring", id, key_id));
  }
  std::array<uint8_t, crypto_secretstream_xchacha20poly1305_KEYBYTES> file_key{};
  const std::string context = WrapContext(key_id, id);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          file_key.data(), nullptr, nullptr, sealed.data() + nonce_at + kWrapNonce, kWrappedKey,
          reinterpret_cast<const uint8_t*>(context.data()), context.size(),
          sealed.data() + nonce_at, master->second.data()) != 0) {
    return damaged(fmt::format(
        "its key does not open with master key '{}' (damaged, or stored under another id)",
        key_id));
  }
  crypto_secretstream_xchacha20poly1305_state state;
  const int init = crypto_secretstream_xchacha20poly1305_init_pull(
      &state, sealed.data() + nonce_at + kWrapNonce + kWrappedKey, file_key.data());
  sodium_memzero(file_key.data(), file_key.size());
  if (init != 0) return damaged("bad stream header");

  std::vector<uint8_t> plain;
  size_t at = chunks_at;
  for (size_t chunk = 0;; ++chunk) {
    if (at == sealed.size()) return damaged(fmt::format("truncated after chunk {}", chunk));
    if (sealed.size() - at < 4) return damaged(fmt::format("chunk {} length cut off", chunk));
    const size_t len = GetU32(sealed.data() + at);
    if (len < kChunkOverhead || len > kChunk + kChunkOverhead || sealed.size() - at - 4 < len) {
      return damaged(fmt::format("chunk {} has an impossible length", chunk));
    }
    const size_t out_at = plain.size();
    plain.resize(out_at + len - kChunkOverhead);
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data() + out_at, nullptr, &tag,
                                                   sealed.data() + at + 4, len, nullptr, 0) != 0) {
      return damaged(fmt::format("chunk {} fails authentication (tampered)", chunk));
    }
    at += 4 + len;
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      if (at != sealed.size()) return damaged("bytes after the final chunk");
      return plain;
    }
  }
}

}  // namespace vigil::privacy
