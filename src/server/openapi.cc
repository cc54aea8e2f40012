// The OpenAPI 3 document, generated from the route table so it cannot drift from what is routed.
#include <nlohmann/json.hpp>
#include <string>

#include "server/routes.h"

namespace vigil::server {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

Json ErrorResponse(std::string_view description) {
  return {
      {"description", description},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

Json Operation(const Route& r) {
  Json op;
  op["summary"] = r.summary;
  op["operationId"] = Lower(r.method) + std::string(r.path);
  Json params = Json::array();
  for (size_t open = r.path.find('{'); open != std::string_view::npos;
       open = r.path.find('{', open + 1)) {
    const size_t close = r.path.find('}', open);
    params.push_back({{"name", r.path.substr(open + 1, close - open - 1)},
                      {"in", "path"},
                      {"required", true},
                      {"schema", {{"type", "string"}}}});
  }
  if (!params.empty()) op["parameters"] = params;
  op["responses"]["200"] = {{"description", "OK"}};
  op["responses"]["400"] = ErrorResponse("Bad request; `field` names the bad input");
  if (r.is_public) {
    op["security"] = Json::array();
  } else {
    Json roles = Json::array({"admin"});
    for (auth::Role role : r.roles) roles.push_back(auth::RoleName(role));
    op["x-vigil-roles"] = roles;
    op["responses"]["401"] = ErrorResponse("Missing, unknown or revoked API key");
    op["responses"]["403"] = ErrorResponse("The key's roles do not allow this route");
  }
  if (r.audit != Audit::kNone) {
    op["x-vigil-audit"] = r.audit == Audit::kChange ? "change" : "view";
  }
  op["responses"]["413"] = ErrorResponse("Request body over the configured limit");
  if (r.method == "POST" && r.path == "/v1/items") {
    op["responses"]["202"] = {
        {"description",
         "An image classifier failed through no fault of the item: it is kept for a retry "
         "(`kept_for_retry`, `attempts`, `message`) and nothing is filed yet; no need to send it "
         "again"}};
  }
  if (r.back_pressure) {
    const Json retry_after = {
        {"Retry-After",
         {{"description", "Seconds to wait before retrying"}, {"schema", {{"type", "integer"}}}}}};
    op["responses"]["429"] = ErrorResponse(
        "Back-pressure: the job queue is at its limit; `queued` says how many jobs of the request "
        "were queued (re-sending all of them is safe: jobs are de-duplicated by item id)");
    op["responses"]["429"]["headers"] = retry_after;
    op["responses"]["503"] = ErrorResponse("The job queue is unreachable or not configured");
    op["responses"]["503"]["headers"] = retry_after;
  }
  return op;
}

}  // namespace

std::string OpenApiDocument() {
  Json doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {{"title", "vigil"},
                 {"version", "0.1.0"},
                 {"description",
                  "HMA-compatible hashing, matching and curation routes, and vigil's /v1 API. "
                  "See docs/server.md."}};
  doc["components"]["securitySchemes"]["apiKey"] = {{"type", "http"}, {"scheme", "bearer"}};
  doc["components"]["schemas"]["Error"] = {
      {"type", "object"},
      {"required", {"message"}},
      {"properties", {{"message", {{"type", "string"}}}, {"field", {{"type", "string"}}}}}};
  doc["security"] = Json::array({{{"apiKey", Json::array()}}});
  Json paths = Json::object();
  for (const Route& r : AllRoutes()) paths[std::string(r.path)][Lower(r.method)] = Operation(r);
  doc["paths"] = paths;
  return doc.dump(1);
}

}  // namespace vigil::server
