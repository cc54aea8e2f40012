// The reviewer console's static assets (docs/console.md): one flat directory of built files
// (web/dist) served under /console. Names are checked against a strict pattern and an extension
// list before any file system call, and the resolved file must lie inside the configured
// directory, so no request can read anything else.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <system_error>

#include "core/file.h"
#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxAssetBytes = 16ull << 20;

struct AssetType {
  std::string_view extension;
  std::string_view content_type;
};

// Only what the build produces; anything else is 404, so a stray file in the directory (a
// config, a source map with paths, an editor backup) is never served.
constexpr AssetType kAssetTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".json", "application/json"},
};

// The console only talks to this server; the policy also keeps injected markup from loading
// scripts or sending data anywhere else. blob: images are the media the console fetched.
constexpr char kCsp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "media-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

std::optional<std::string_view> ContentTypeFor(std::string_view name) {
  for (const AssetType& t : kAssetTypes) {
    if (name.size() > t.extension.size() && name.ends_with(t.extension)) return t.content_type;
  }
  return std::nullopt;
}

// Letters, digits, '.', '-', '_'; starts with a letter or digit (no hidden files, no "..").
bool SafeName(std::string_view name) {
  if (name.empty() || name.size() > 128 || !std::isalnum(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_') {
      return false;
    }
  }
  return name.find("..") == std::string_view::npos;
}

Status AssetNotFound(std::string_view name) {
  return NotFoundError(fmt::format("console file '{}' does not exist", name));
}

Result<Reply> ServeAsset(const Call& call, std::string_view name) {
  const std::string& dir = call.ctx.config.console_dir;
  if (dir.empty()) {
    return NotFoundError("the console is not configured: set console_dir (docs/console.md)");
  }
  auto type = ContentTypeFor(name);
  if (!SafeName(name) || !type) return AssetNotFound(bank::EscapeForMessage(name, 64));
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec) return UnavailableError(fmt::format("console_dir {}: {}", dir, ec.message()));
  const fs::path file = fs::canonical(root / std::string(name), ec);
  // canonical() resolves symbolic links: the target must still be a file inside the directory.
  if (ec || file.parent_path() != root || !fs::is_regular_file(file, ec)) {
    return AssetNotFound(name);
  }
  const auto size = fs::file_size(file, ec);
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return AssetNotFound(name);
  // The names carry no content hash, so browsers revalidate every time (cheap: a 304).
  const std::string etag =
      fmt::format("\"{:x}-{:x}\"", size, mtime.time_since_epoch().count() & 0xffffffffffffull);
  Reply reply{200,
              "",
              std::string(*type),
              {{"Cache-Control", "no-cache"},
               {"ETag", etag},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"X-Frame-Options", "DENY"}}};
  if (name.ends_with(".html")) reply.headers.push_back({"Content-Security-Policy", kCsp});
  if (call.req.get_header_value("If-None-Match") == etag) {
    reply.status = 304;
    return reply;
  }
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(file.string(), kMaxAssetBytes));
  reply.body.assign(bytes.begin(), bytes.end());
  return reply;
}

}  // namespace

Result<Reply> RootRedirect(Call&) {
  return Reply{302, "", "text/plain", {{"Location", "/console"}}};
}

Result<Reply> ConsoleIndex(Call& call) { return ServeAsset(call, "index.html"); }

Result<Reply> ConsoleFile(Call& call) { return ServeAsset(call, call.params.at("file")); }

}  // namespace vigil::server::handlers
