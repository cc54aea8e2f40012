#include "report/ncmec/client.h"

#include <fmt/format.h>
#include <httplib.h>

namespace vigil::report::ncmec {

namespace {

constexpr char kXml[] = "text/xml; charset=utf-8";

// The endpoint split into what httplib needs: scheme://host:port, and the path prefix.
struct Endpoint {
  std::string origin;
  std::string base_path;
};

Result<Endpoint> SplitEndpoint(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return InvalidArgumentError(fmt::format("NCMEC endpoint '{}' is not an http(s) URL", url));
  }
  const size_t path = url.find('/', scheme_end + 3);
  Endpoint e{.origin = url.substr(0, path),
             .base_path = path == std::string::npos ? "" : url.substr(path)};
  if (e.origin.size() <= scheme_end + 3) {
    return InvalidArgumentError(fmt::format("NCMEC endpoint '{}' has no host", url));
  }
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  return e;
}

class HttpNcmecClient final : public NcmecClient {
 public:
  HttpNcmecClient(const NcmecConfig& config, Endpoint endpoint)
      : endpoint_(std::move(endpoint)), http_(endpoint_.origin) {
    http_.set_basic_auth(config.username, config.password);
    const auto t = config.timeout;
    http_.set_connection_timeout(t);
    http_.set_read_timeout(t);
    http_.set_write_timeout(t);
    http_.set_keep_alive(false);
    http_.set_follow_location(false);
  }

  Result<ReportResponse> CheckStatus() override {
    return Answer(http_.Get(Path("/status")), "status");
  }
  Result<ReportResponse> Submit(std::string_view report_xml) override {
    return Answer(http_.Post(Path("/submit"), report_xml.data(), report_xml.size(), kXml),
                  "submit");
  }
  Result<ReportResponse> Upload(int64_t report_id, const std::string& file_name,
                                const std::vector<uint8_t>& bytes) override {
    httplib::MultipartFormDataItems items = {
        {"id", std::to_string(report_id), "", ""},
        {"file", std::string(bytes.begin(), bytes.end()), file_name, "application/octet-stream"}};
    return Answer(http_.Post(Path("/upload"), items), "upload");
  }
  Result<ReportResponse> FileInfo(std::string_view file_details_xml) override {
    return Answer(
        http_.Post(Path("/fileinfo"), file_details_xml.data(), file_details_xml.size(), kXml),
        "fileinfo");
  }
  Result<ReportDoneResponse> Finish(int64_t report_id) override {
    ASSIGN_OR_RETURN(std::string body,
                     Body(http_.Post(Path("/finish"), IdForm(report_id)), "finish"));
    auto parsed = ParseReportDoneResponse(body, "NCMEC finish response");
    // A garbled answer leaves it open whether the report was finished.
    if (!parsed.ok()) return UnavailableError(parsed.status().message());
    return parsed;
  }
  Result<ReportResponse> Retract(int64_t report_id) override {
    return Answer(http_.Post(Path("/retract"), IdForm(report_id)), "retract");
  }

 private:
  std::string Path(std::string_view route) const {
    return endpoint_.base_path + std::string(route);
  }

  static httplib::Params IdForm(int64_t report_id) {
    return httplib::Params{{"id", std::to_string(report_id)}};
  }

  // The body of an answer worth parsing; an error when there is none.
  Result<std::string> Body(const httplib::Result& res, std::string_view step) const {
    const std::string where = fmt::format("NCMEC {} at {}", step, endpoint_.origin);
    if (!res) {
      return UnavailableError(
          fmt::format("{}: no answer ({})", where, httplib::to_string(res.error())));
    }
    const bool xml_body = res->body.find("<") != std::string::npos;
    if ((res->status == 401 || res->status == 403) && !xml_body) {
      return PermissionDeniedError(
          fmt::format("{}: HTTP {}: the credentials were refused", where, res->status));
    }
    if (!xml_body) {
      return UnavailableError(
          fmt::format("{}: HTTP {} without a response document", where, res->status));
    }
    return res->body;
  }

  Result<ReportResponse> Answer(const httplib::Result& res, std::string_view step) const {
    ASSIGN_OR_RETURN(std::string body, Body(res, step));
    auto parsed = ParseReportResponse(body, fmt::format("NCMEC {} response", step));
    if (!parsed.ok()) return UnavailableError(parsed.status().message());
    return parsed;
  }

  Endpoint endpoint_;
  httplib::Client http_;
};

}  // namespace

Result<std::unique_ptr<NcmecClient>> NcmecClient::Create(const NcmecConfig& config) {
  ASSIGN_OR_RETURN(Endpoint endpoint, SplitEndpoint(config.endpoint));
  return std::unique_ptr<NcmecClient>(
      std::make_unique<HttpNcmecClient>(config, std::move(endpoint)));
}

}  // namespace vigil::report::ncmec
