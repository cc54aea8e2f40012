// Cryptographic digests of raw bytes (MD5 and SHA-256), used for exact-match hash lists.
// MD5 is broken for security but remains the lingua franca of hotline hash lists.
//
// Thread safety: reentrant free functions.
#ifndef VIGIL_HASH_DIGEST_H_
#define VIGIL_HASH_DIGEST_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace vigil::hash {

using Md5Digest = std::array<uint8_t, 16>;
using Sha256Digest = std::array<uint8_t, 32>;

Md5Digest Md5(std::span<const uint8_t> bytes);
Sha256Digest Sha256(std::span<const uint8_t> bytes);

// Lowercase hex of any digest.
std::string DigestToHex(std::span<const uint8_t> digest);

}  // namespace vigil::hash

#endif  // VIGIL_HASH_DIGEST_H_
