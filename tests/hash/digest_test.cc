#include "hash/digest.h"

#include <gtest/gtest.h>

#include <string_view>

namespace vigil::hash {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Test vectors from RFC 1321 (MD5) and FIPS 180-2 (SHA-256).
TEST(DigestTest, Md5MatchesRfc1321Vectors) {
  EXPECT_EQ(DigestToHex(Md5(Bytes(""))), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(DigestToHex(Md5(Bytes("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(DigestToHex(Md5(Bytes("message digest"))), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(DigestTest, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(DigestToHex(Sha256(Bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(DigestToHex(Sha256(Bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace vigil::hash
