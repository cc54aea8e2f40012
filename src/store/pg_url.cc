#include "store/pg_url.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <memory>

namespace vigil::store {
namespace {

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
struct PqMemDeleter {
  void operator()(char* p) const { PQfreemem(p); }
};

Status CheckPorts(std::string_view ports, std::string_view redacted) {
  // A multi-host URL has one port per host, comma-separated; an empty one means the default.
  while (true) {
    const size_t comma = ports.find(',');
    const std::string_view port = ports.substr(0, comma);
    if (!port.empty()) {
      int value = 0;
      const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
      if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
        return InvalidArgumentError(
            fmt::format("database URL {}: port '{}' is not a number in 1..65535", redacted, port));
      }
    }
    if (comma == std::string_view::npos) return Status::Ok();
    ports.remove_prefix(comma + 1);
  }
}

// The password in the user part of `url` ("scheme://user:password@host..."), or empty.
std::string_view UserinfoPassword(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view userinfo = authority.substr(0, at);
  const size_t colon = userinfo.find(':');
  return colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
}

std::string ReplaceAll(std::string text, std::string_view secret) {
  for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 4)) {
    text.replace(pos, secret.size(), "****");
  }
  return text;
}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string RedactPgUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t authority_begin = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string out(url.substr(0, authority_begin));
  const std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);
  // The user part ends at the last '@', so an unencoded '@' in a password cannot leak its tail.
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    out += userinfo.substr(0, userinfo.find(':'));
    out += authority.substr(at);
  } else {
    out += authority;
  }
  const size_t query = url.find('?', authority_end);
  if (query == std::string_view::npos) return out += url.substr(authority_end);
  out += url.substr(authority_end, query - authority_end);
  std::string_view params = url.substr(query + 1);
  char separator = '?';
  while (!params.empty()) {
    const size_t amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    if (!param.starts_with("password=") && param != "password") {
      out += separator;
      out += param;
      separator = '&';
    }
    if (amp == std::string_view::npos) break;
    params.remove_prefix(amp + 1);
  }
  return out;
}

std::string ScrubPassword(std::string text, std::string_view password) {
  if (password.size() < 4) return text;
  return ReplaceAll(std::move(text), password);
}

Result<PgUrl> ParsePgUrl(std::string_view url) {
  PgUrl out{.url = std::string(url), .redacted = RedactPgUrl(url), .password = {}};
  if (!IsPostgresUrl(url)) {
    return InvalidArgumentError(
        fmt::format("database URL {} is not a postgresql:// URL", out.redacted));
  }
  char* raw_error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoDeleter> options(
      PQconninfoParse(out.url.c_str(), &raw_error));
  std::unique_ptr<char, PqMemDeleter> error(raw_error);
  if (options == nullptr) {
    std::string why = error ? std::string(error.get()) : std::string("out of memory");
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    // libpq quotes the piece of the URL it choked on, which may be a badly encoded password:
    // remove it whatever its length (mangling a short message beats leaking a secret).
    const std::string_view password = UserinfoPassword(url);
    if (!password.empty()) why = ReplaceAll(std::move(why), password);
    return InvalidArgumentError(fmt::format("database URL {} is malformed: {}", out.redacted, why));
  }
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view keyword(o->keyword);
    if (keyword == "password") out.password = o->val;
    if (keyword == "port") RETURN_IF_ERROR(CheckPorts(o->val, out.redacted));
  }
  return out;
}

}  // namespace vigil::store
