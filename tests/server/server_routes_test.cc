// The route table as a contract: every route × role is authorised exactly as declared (401 for
// a missing, unknown or revoked key, 403 for a role not listed), the OpenAPI document lists
// every route and every documented operation is routed, and the public routes answer.
#include <gtest/gtest.h>

#include <regex>

#include "server/routes.h"
#include "server_env.h"

namespace vigil::server::testing {
namespace {

using auth::Role;

// The route's path with every {parameter} replaced by a plausible value.
std::string Concrete(std::string_view pattern) {
  std::string p(pattern);
  p = std::regex_replace(p, std::regex("\\{(content_id|id)\\}"), "999");
  return std::regex_replace(p, std::regex("\\{[a-z_]+\\}"), "NO_SUCH");
}

httplib::Result Call(httplib::Client& c, const Route& r, const httplib::Headers& h) {
  const std::string path = Concrete(r.path);
  if (r.method == "GET") return c.Get(path, h);
  if (r.method == "POST") return c.Post(path, h, "", "application/json");
  if (r.method == "PUT") return c.Put(path, h, "", "application/json");
  return c.Delete(path, h);
}

class RoutesTest : public ServerTest {};

TEST_F(RoutesTest, EveryKeyedRouteRefusesMissingUnknownAndRevokedKeysWith401) {
  ASSERT_TRUE(auth::CreateApiKey(db_->api_keys(), {"gone", {Role::kAdmin}, auth::HashSecret("old")},
                                 SystemClock().Now())
                  .ok());
  ASSERT_TRUE(db_->api_keys().RevokeKey("gone", SystemClock().Now()).ok());
  int keyed = 0;
  for (const Route& r : AllRoutes()) {
    if (r.is_public) continue;
    ++keyed;
    const std::string what = std::string(r.method) + " " + std::string(r.path);
    for (const httplib::Headers& h :
         {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer wrong"}},
          httplib::Headers{{"Authorization", "Basic c2VjcmV0"}},
          httplib::Headers{{"Authorization", "Bearer old"}}}) {
      auto res = Call(*client_, r, h);
      ASSERT_TRUE(res) << what;
      EXPECT_EQ(res->status, 401) << what << ": " << res->body;
      EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer") << what;
      auto j = nlohmann::json::parse(res->body, nullptr, false);
      ASSERT_TRUE(j.is_object() && j["message"].is_string()) << res->body;
      EXPECT_EQ(res->body.find("wrong"), std::string::npos) << "secret echoed: " << res->body;
    }
  }
  EXPECT_GT(keyed, 30);
  EXPECT_TRUE(AuditLog().empty()) << "refused calls change nothing";
}

TEST_F(RoutesTest, EveryRouteAndRoleIsAllowedExactlyAsDeclared) {
  for (const Route& r : AllRoutes()) {
    if (r.is_public) continue;
    const std::string what = std::string(r.method) + " " + std::string(r.path);
    for (Role role : auth::kAllRoles) {
      const bool declared =
          role == Role::kAdmin || std::find(r.roles.begin(), r.roles.end(), role) != r.roles.end();
      auto res = Call(*client_, r, Auth(role));
      ASSERT_TRUE(res) << what;
      if (declared) {
        EXPECT_NE(res->status, 401) << what << " as " << auth::RoleName(role);
        EXPECT_NE(res->status, 403) << what << " as " << auth::RoleName(role) << ": " << res->body;
      } else {
        EXPECT_EQ(res->status, 403) << what << " as " << auth::RoleName(role) << ": " << res->body;
        EXPECT_NE(res->body.find(std::string(auth::RoleName(role))), std::string::npos)
            << "the refusal names the key: " << res->body;
      }
    }
  }
}

TEST_F(RoutesTest, KeyRolesMatchTheIssue) {
  // Spot checks of the declared table against the roles' definitions (docs/server.md).
  auto allowed = [](std::string_view method, std::string_view path, Role role) {
    RouteMatch m = FindRoute(method, path);
    EXPECT_NE(m.route, nullptr) << method << " " << path;
    auth::ApiKey key{.roles = {role}};
    return m.route != nullptr && Allowed(*m.route, key);
  };
  EXPECT_TRUE(allowed("POST", "/v1/cases/1/decision", Role::kReviewer));
  EXPECT_FALSE(allowed("POST", "/v1/cases/1/decision", Role::kAuditor));
  EXPECT_TRUE(allowed("GET", "/v1/cases/1", Role::kAuditor));
  EXPECT_FALSE(allowed("GET", "/v1/cases/1", Role::kReporter));  // evidence: not for reporters
  EXPECT_FALSE(allowed("POST", "/c/banks", Role::kReporter));    // read-only
  EXPECT_TRUE(allowed("GET", "/c/banks", Role::kReporter));
  EXPECT_TRUE(allowed("GET", "/m/lookup", Role::kIngestClient));
  EXPECT_FALSE(allowed("POST", "/c/bank/X/signal", Role::kIngestClient));
  EXPECT_FALSE(allowed("POST", "/v1/keys", Role::kBankManager));
  EXPECT_TRUE(allowed("POST", "/v1/keys", Role::kAdmin));
}

TEST_F(RoutesTest, OpenApiListsEveryRouteAndEveryDocumentedOperationIsRouted) {
  auto res = client_->Get("/openapi.json");
  nlohmann::json doc = Json(res, 200);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  size_t operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      ++operations;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      RouteMatch m = FindRoute(upper, Concrete(path));
      ASSERT_NE(m.route, nullptr) << upper << " " << path << " is documented but not routed";
      EXPECT_EQ(m.route->path, path);
      // And it really answers something other than "no route" on the live server.
      auto live = Call(*client_, *m.route, Auth(Role::kAdmin));
      ASSERT_TRUE(live);
      EXPECT_NE(live->status, 405) << upper << " " << path;
      if (live->status == 404) {
        EXPECT_EQ(live->body.find("no route"), std::string::npos) << upper << " " << path;
      }
      if (!m.route->is_public) {
        EXPECT_TRUE(op.contains("x-vigil-roles")) << path;
        EXPECT_EQ(op["x-vigil-roles"][0], "admin");
      }
    }
  }
  for (const Route& r : AllRoutes()) {
    std::string lower(r.method);
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    EXPECT_TRUE(doc["paths"].contains(std::string(r.path)) &&
                doc["paths"][std::string(r.path)].contains(lower))
        << r.method << " " << r.path << " is routed but not documented";
  }
  EXPECT_EQ(operations, AllRoutes().size());
}

TEST_F(RoutesTest, PublicRoutesAnswerWithoutAKey) {
  EXPECT_EQ(Json(client_->Get("/healthz"), 200)["status"], "ok");
  nlohmann::json ready = Json(client_->Get("/readyz"), 200);
  EXPECT_EQ(ready["status"], "ready");
  EXPECT_EQ(ready["index_loaded"], true);
  EXPECT_EQ(ready["database"], "ok");
  auto status = client_->Get("/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->body, "I-AM-ALIVE");
  EXPECT_EQ(client_->Get("/status/live")->body, "I-AM-ALIVE");
  nlohmann::json map = Json(client_->Get("/site-map"), 200);
  ASSERT_TRUE(map.is_array());
  EXPECT_TRUE(std::is_sorted(map.begin(), map.end()));
  EXPECT_NE(std::find(map.begin(), map.end(), "/m/lookup"), map.end());
}

TEST_F(RoutesTest, UnknownPathsAre404AndWrongMethods405WithAllow) {
  nlohmann::json j = Json(client_->Get("/nope", Auth(Role::kAdmin)), 404);
  EXPECT_NE(j["message"].get<std::string>().find("/nope"), std::string::npos);
  auto res = client_->Put("/healthz", "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "GET");
}

}  // namespace
}  // namespace vigil::server::testing
