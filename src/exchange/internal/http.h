// Private: one bounded HTTP GET, POST or DELETE for the exchange clients, with the answer mapped to
// the error codes the sync loop acts on (source.h) and the Retry-After header kept.
//
// Thread safety: free functions; each call makes its own connection.
#ifndef VIGIL_EXCHANGE_INTERNAL_HTTP_H_
#define VIGIL_EXCHANGE_INTERNAL_HTTP_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace vigil::exchange::internal {

struct HttpRequest {
  std::string url{};           // http(s)://host[:port]/path[?query]
  std::string method = "GET";  // or "POST", "DELETE" (with the body form-encoded)
  std::string body{};
  std::string content_type{};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::optional<std::pair<std::string, std::string>> basic_auth{};
  std::chrono::seconds timeout{60};
  size_t max_bytes = 64u << 20;
  std::string what{};  // names the source in messages (never a credential)
};

struct HttpAnswer {
  Result<std::string> body = std::string();
  std::optional<std::chrono::seconds> retry_after{};
  int http_status = 0;  // 0 when there was no answer
  // The start of a non-2xx answer's body (at most kMaxErrorBody bytes), for callers that read
  // the partner's explanation (an expired paging link, a Graph API error); never logged whole.
  std::string error_body{};
};

inline constexpr size_t kMaxErrorBody = 4096;

// Splits an http(s) URL into origin ("scheme://host[:port]") and target ("/path?query");
// kInvalidArgument naming `what` otherwise.
Result<std::pair<std::string, std::string>> SplitUrl(std::string_view url, std::string_view what);

// Sends the request. A 2xx body on success; otherwise kUnavailable (no answer, 5xx),
// kResourceExhausted (429), kPermissionDenied (401, 403), kNotFound (404), kFailedPrecondition
// (other statuses, or a body over max_bytes). Retry-After (delta-seconds form) is kept with
// 429 and 503.
HttpAnswer Send(const HttpRequest& request);

// `s` percent-encoded for a query parameter.
std::string UrlEncode(std::string_view s);

}  // namespace vigil::exchange::internal

#endif  // VIGIL_EXCHANGE_INTERNAL_HTTP_H_
