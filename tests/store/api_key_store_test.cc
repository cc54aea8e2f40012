// The ApiKeyStore contract, run on memory, SQLite and PostgreSQL: keys are created with unique
// names and secrets, found by the hash of their secret, listed in id order, revoked once and
// never deleted, and survive reopening the database.
#include <gtest/gtest.h>

#include <filesystem>

#include "auth/auth.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using auth::ApiKey;
using auth::NewApiKey;
using auth::Role;

using testing::Backend;

const TimePoint kT0{std::chrono::seconds(1'800'000'000)};

NewApiKey Key(std::string name, std::set<Role> roles, std::string_view secret) {
  return {std::move(name), std::move(roles), auth::HashSecret(secret)};
}

class ApiKeyStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_keys");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) {
      memory_ = std::make_unique<auth::InMemoryApiKeyStore>();
      return;
    }
    Reopen();
  }
  void Reopen() {
    db_.reset();
    auto db = OpenDatabase(storage_.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  auth::ApiKeyStore& keys() { return memory_ ? *memory_ : db_->api_keys(); }

  std::unique_ptr<auth::InMemoryApiKeyStore> memory_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
};

TEST_P(ApiKeyStoreTest, CreatedKeyIsFoundByTheHashOfItsSecret) {
  auto created = auth::CreateApiKey(keys(), Key("uploader", {Role::kIngestClient}, "s1"), kT0);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  auto found = keys().FindBySecretHash(auth::HashSecret("s1"));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, *created);
  EXPECT_EQ(found->name, "uploader");
  EXPECT_EQ(found->roles, std::set<Role>{Role::kIngestClient});
  EXPECT_EQ(found->created_at, kT0);
  EXPECT_FALSE(found->revoked());
  EXPECT_EQ(keys().FindBySecretHash(auth::HashSecret("s2")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(keys().FindBySecretHash("").status().code(), StatusCode::kNotFound);
}

TEST_P(ApiKeyStoreTest, SeveralRolesRoundTrip) {
  const std::set<Role> roles{Role::kReviewer, Role::kAuditor, Role::kAdmin};
  ASSERT_TRUE(auth::CreateApiKey(keys(), Key("lead", roles, "s"), kT0).ok());
  EXPECT_EQ(keys().FindBySecretHash(auth::HashSecret("s"))->roles, roles);
}

TEST_P(ApiKeyStoreTest, NamesAndSecretsAreUnique) {
  ASSERT_TRUE(auth::CreateApiKey(keys(), Key("a", {Role::kAdmin}, "s1"), kT0).ok());
  auto same_name = auth::CreateApiKey(keys(), Key("a", {Role::kReporter}, "s2"), kT0);
  EXPECT_EQ(same_name.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(same_name.status().message().find("'a'"), std::string::npos);
  auto same_secret = auth::CreateApiKey(keys(), Key("b", {Role::kReporter}, "s1"), kT0);
  EXPECT_EQ(same_secret.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(keys().ListKeys()->size(), 1u);
}

TEST_P(ApiKeyStoreTest, InvalidKeysAreRefusedNamingTheField) {
  auto no_roles = auth::CreateApiKey(keys(), Key("a", {}, "s"), kT0);
  EXPECT_EQ(no_roles.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_roles.status().message().find("roles"), std::string::npos);
  auto bad_name = auth::CreateApiKey(keys(), Key("a b", {Role::kAdmin}, "s"), kT0);
  EXPECT_EQ(bad_name.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_name.status().message().find("key name"), std::string::npos);
  NewApiKey raw = Key("c", {Role::kAdmin}, "s");
  raw.secret_hash = "not-a-hash";
  EXPECT_EQ(auth::CreateApiKey(keys(), raw, kT0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(keys().ListKeys()->empty());
}

TEST_P(ApiKeyStoreTest, RevokeKeepsTheKeyAndRefusesASecondRevoke) {
  ASSERT_TRUE(auth::CreateApiKey(keys(), Key("a", {Role::kAdmin}, "s1"), kT0).ok());
  ASSERT_TRUE(auth::CreateApiKey(keys(), Key("b", {Role::kReporter}, "s2"), kT0).ok());
  const TimePoint later = kT0 + std::chrono::seconds(60);
  auto revoked = keys().RevokeKey("a", later);
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->revoked_at, later);
  auto again = keys().RevokeKey("a", later + std::chrono::seconds(1));
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(keys().RevokeKey("zzz", later).status().code(), StatusCode::kNotFound);
  // Still found (so the server can say "revoked"), with the first revocation time.
  auto found = keys().FindBySecretHash(auth::HashSecret("s1"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->revoked_at, later);
  auto all = keys().ListKeys();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "a");
  EXPECT_EQ((*all)[1].name, "b");
  EXPECT_FALSE((*all)[1].revoked());
}

TEST_P(ApiKeyStoreTest, KeysSurviveReopening) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "the in-memory store keeps nothing";
  ASSERT_TRUE(auth::CreateApiKey(keys(), Key("a", {Role::kAuditor}, "s1"), kT0).ok());
  ASSERT_TRUE(keys().RevokeKey("a", kT0).ok());
  Reopen();
  auto found = keys().FindBySecretHash(auth::HashSecret("s1"));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->roles, std::set<Role>{Role::kAuditor});
  EXPECT_EQ(found->revoked_at, kT0);
  auto migrations = db_->AppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  EXPECT_EQ(migrations->back().version, LatestSchemaVersion());
  bool has_keys = false;
  for (const auto& m : *migrations) has_keys |= m.version == 6 && m.name == "API keys";
  EXPECT_TRUE(has_keys);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiKeyStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
