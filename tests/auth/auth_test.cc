// Secrets, their hashes and role names.
#include "auth/auth.h"

#include <gtest/gtest.h>

namespace vigil::auth {
namespace {

TEST(HashSecret, IsLowercaseHexSha256) {
  // FIPS 180-2 test vector for "abc".
  EXPECT_EQ(HashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(GenerateSecret, HasPrefixAnd256RandomBitsAndDiffersEachTime) {
  auto a = GenerateSecret();
  auto b = GenerateSecret();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 4u + 64u);
  EXPECT_EQ(a->substr(0, 4), "vgl_");
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef", 4), std::string::npos);
  EXPECT_NE(*a, *b);
}

TEST(Roles, NamesRoundTripAndUnknownNamesAreListed) {
  for (Role r : kAllRoles) EXPECT_EQ(*ParseRole(RoleName(r)), r);
  auto bad = ParseRole("root");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bank-manager"), std::string::npos);
  EXPECT_EQ(JoinRoles({Role::kReviewer, Role::kAdmin}), "admin,reviewer");
  EXPECT_EQ(*ParseRoles("reviewer,admin"), (std::set<Role>{Role::kAdmin, Role::kReviewer}));
  EXPECT_FALSE(ParseRoles("").ok());
  EXPECT_FALSE(ParseRoles("admin,,reviewer").ok());
}

TEST(ValidateKeyName, AcceptsSafeNamesOnly) {
  EXPECT_TRUE(ValidateKeyName("ingest-eu.1@ops").ok());
  EXPECT_FALSE(ValidateKeyName("").ok());
  EXPECT_FALSE(ValidateKeyName(std::string(65, 'a')).ok());
  EXPECT_FALSE(ValidateKeyName("a\nb").ok());
}

}  // namespace
}  // namespace vigil::auth
