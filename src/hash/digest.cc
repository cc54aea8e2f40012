#include "hash/digest.h"

#include <openssl/evp.h>

#include <cassert>

namespace vigil::hash {
namespace {

template <size_t N>
std::array<uint8_t, N> Digest(const EVP_MD* md, std::span<const uint8_t> bytes) {
  std::array<uint8_t, N> out{};
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure or a broken OpenSSL build.
  int ok = EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, md, nullptr);
  assert(ok == 1 && len == N);
  (void)ok;
  return out;
}

}  // namespace

Md5Digest Md5(std::span<const uint8_t> bytes) { return Digest<16>(EVP_md5(), bytes); }

Sha256Digest Sha256(std::span<const uint8_t> bytes) { return Digest<32>(EVP_sha256(), bytes); }

std::string DigestToHex(std::span<const uint8_t> digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (uint8_t b : digest) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace vigil::hash
