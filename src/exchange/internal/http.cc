#include "exchange/internal/http.h"

#include <fmt/format.h>
#include <httplib.h>

#include <charconv>

namespace vigil::exchange::internal {
namespace {

std::optional<std::chrono::seconds> ParseRetryAfter(const httplib::Response& res) {
  if (!res.has_header("Retry-After")) return std::nullopt;
  const std::string v = res.get_header_value("Retry-After");
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  // The HTTP-date form is rare for APIs; without a parse the backoff alone applies.
  if (ec != std::errc() || ptr != v.data() + v.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

Status StatusOfAnswer(int status, std::string_view what) {
  if (status >= 200 && status < 300) return Status::Ok();
  if (status == 401 || status == 403) {
    return PermissionDeniedError(
        fmt::format("{}: HTTP {}: the credentials were refused", what, status));
  }
  if (status == 429) {
    return ResourceExhaustedError(fmt::format("{}: HTTP 429: rate limited", what));
  }
  if (status == 404) return NotFoundError(fmt::format("{}: HTTP 404: not found", what));
  if (status >= 500) return UnavailableError(fmt::format("{}: HTTP {}", what, status));
  return FailedPreconditionError(fmt::format("{}: HTTP {}", what, status));
}

}  // namespace

Result<std::pair<std::string, std::string>> SplitUrl(std::string_view url, std::string_view what) {
  const size_t scheme_end = url.find("://");
  const std::string_view scheme = url.substr(0, scheme_end == url.npos ? 0 : scheme_end);
  if (scheme != "http" && scheme != "https") {
    return InvalidArgumentError(fmt::format("{}: '{}' is not an http(s) URL", what, url));
  }
  const size_t path = url.find('/', scheme_end + 3);
  std::string origin(url.substr(0, path));
  if (origin.size() <= scheme_end + 3) {
    return InvalidArgumentError(fmt::format("{}: URL '{}' has no host", what, url));
  }
  std::string target = path == url.npos ? "/" : std::string(url.substr(path));
  return std::pair{std::move(origin), std::move(target)};
}

HttpAnswer Send(const HttpRequest& r) {
  HttpAnswer answer;
  auto parts = SplitUrl(r.url, r.what);
  if (!parts.ok()) {
    answer.body = parts.status();
    return answer;
  }
  httplib::Client client(parts->first);
  client.set_connection_timeout(r.timeout);
  client.set_read_timeout(r.timeout);
  client.set_write_timeout(r.timeout);
  client.set_keep_alive(false);
  client.set_follow_location(false);
  if (r.basic_auth) client.set_basic_auth(r.basic_auth->first, r.basic_auth->second);
  httplib::Headers headers;
  for (const auto& [k, v] : r.headers) headers.emplace(k, v);
  std::string body;
  bool too_big = false;
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (r.method == "POST" || r.method == "DELETE") {
    res = r.method == "POST" ? client.Post(parts->second, headers, r.body, r.content_type)
                             : client.Delete(parts->second, headers, r.body, r.content_type);
    if (res && res->body.size() > r.max_bytes) too_big = true;
    if (res && !too_big) body = res->body;
  } else {
    res = client.Get(parts->second, headers, [&](const char* data, size_t n) {
      if (body.size() + n > r.max_bytes) {
        too_big = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
  }
  if (too_big) {
    answer.body = FailedPreconditionError(
        fmt::format("{}: the answer is larger than the {} bytes allowed", r.what, r.max_bytes));
    return answer;
  }
  if (!res) {
    answer.body = UnavailableError(
        fmt::format("{}: no answer ({})", r.what, httplib::to_string(res.error())));
    return answer;
  }
  answer.http_status = res->status;
  if (res->status == 429 || res->status == 503) answer.retry_after = ParseRetryAfter(*res);
  Status s = StatusOfAnswer(res->status, r.what);
  if (!s.ok()) {
    answer.error_body = body.substr(0, kMaxErrorBody);
    answer.body = s;
    return answer;
  }
  answer.body = std::move(body);
  return answer;
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace vigil::exchange::internal
