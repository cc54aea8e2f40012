// `vigil keys`: API keys of the HTTP service. create prints the secret once (only its SHA-256 is
// stored); list never shows secrets; revoke keeps the key for the audit trail.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "auth/auth.h"
#include "cli/commands.h"
#include "cli/database.h"
#include "cli/file_batch.h"

namespace vigil::cli {
namespace {

struct KeysFlags {
  std::string db;
  std::string name;
  std::vector<std::string> roles;
};

int Fail(const Status& s) {
  PrintError(s);
  return ExitCodeFor(s.code());
}

Status Create(store::Database& db, const KeysFlags& flags) {
  auth::NewApiKey key{.name = flags.name};
  for (const std::string& r : flags.roles) {
    ASSIGN_OR_RETURN(auth::Role role, auth::ParseRole(r));
    key.roles.insert(role);
  }
  ASSIGN_OR_RETURN(std::string secret, auth::GenerateSecret());
  key.secret_hash = auth::HashSecret(secret);
  ASSIGN_OR_RETURN(auth::ApiKey created,
                   auth::CreateApiKey(db.api_keys(), key, SystemClock().Now()));
  std::fprintf(stderr, "vigil: created key %lld '%s' (%s); the secret is shown only now:\n",
               static_cast<long long>(created.id), created.name.c_str(),
               auth::JoinRoles(created.roles).c_str());
  std::printf("%s\n", secret.c_str());
  return Status::Ok();
}

Status List(store::Database& db) {
  ASSIGN_OR_RETURN(std::vector<auth::ApiKey> keys, db.api_keys().ListKeys());
  for (const auto& k : keys) {
    std::printf("%lld  %s  roles=%s  created=%s%s\n", static_cast<long long>(k.id), k.name.c_str(),
                auth::JoinRoles(k.roles).c_str(), FormatUtc(k.created_at).c_str(),
                k.revoked_at ? (" revoked=" + FormatUtc(*k.revoked_at)).c_str() : "");
  }
  return Status::Ok();
}

Status Revoke(store::Database& db, const KeysFlags& flags) {
  ASSIGN_OR_RETURN(auth::ApiKey k, db.api_keys().RevokeKey(flags.name, SystemClock().Now()));
  std::printf("revoked key %lld '%s' at %s\n", static_cast<long long>(k.id), k.name.c_str(),
              FormatUtc(*k.revoked_at).c_str());
  return Status::Ok();
}

int Run(const KeysFlags& flags, Status (*fn)(store::Database&, const KeysFlags&)) {
  auto db = OpenCommandDatabase(flags.db);
  if (!db.ok()) return Fail(db.status());
  Status s = fn(**db, flags);
  return s.ok() ? 0 : Fail(s);
}

}  // namespace

void RegisterKeysCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<KeysFlags>();
  CLI::App* cmd = app.add_subcommand("keys", "API keys of the HTTP service: create, list, revoke");
  cmd->require_subcommand(1);
  auto db = [&](CLI::App* sub) {
    sub->add_option("--db", flags->db, "Database URL (default: $VIGIL_DATABASE_URL or vigil.db)");
  };
  CLI::App* create = cmd->add_subcommand("create", "Create a key and print its secret once");
  db(create);
  create->add_option("--name", flags->name, "Unique key name (the actor in audit records)")
      ->required();
  create
      ->add_option("--role", flags->roles,
                   "admin, bank-manager, reviewer, auditor, ingest-client or reporter "
                   "(repeatable)")
      ->required();
  create->callback([flags, exit_code] { *exit_code = Run(*flags, Create); });
  CLI::App* list = cmd->add_subcommand("list", "List keys (never their secrets)");
  db(list);
  list->callback([flags, exit_code] {
    *exit_code = Run(*flags, [](store::Database& d, const KeysFlags&) { return List(d); });
  });
  CLI::App* revoke = cmd->add_subcommand("revoke", "Revoke a key (it is kept, never deleted)");
  db(revoke);
  revoke->add_option("name", flags->name, "Key name")->required();
  revoke->callback([flags, exit_code] { *exit_code = Run(*flags, Revoke); });
}

}  // namespace vigil::cli
