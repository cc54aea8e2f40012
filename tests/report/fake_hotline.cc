#include "report/fake_hotline.h"

#include <fmt/format.h>

#include <chrono>

#include "hash/digest.h"

namespace vigil::report::testing {

namespace {

// "esp:s3cret" in Base64.
constexpr char kAuth[] = "Basic ZXNwOnMzY3JldA==";

std::string ResponseXml(int code, const std::string& description, int64_t report_id,
                        const std::string& file_id, const std::string& hash) {
  std::string xml = fmt::format(
      "<?xml version=\"1.0\"?><reportResponse><responseCode>{}</responseCode>"
      "<responseDescription>{}</responseDescription>",
      code, description);
  if (report_id) xml += fmt::format("<reportId>{}</reportId>", report_id);
  if (!file_id.empty()) xml += fmt::format("<fileId>{}</fileId>", file_id);
  if (!hash.empty()) xml += fmt::format("<hash>{}</hash>", hash);
  return xml + "</reportResponse>";
}

std::string TagText(const std::string& xml, const std::string& tag) {
  const size_t b = xml.find("<" + tag + ">");
  const size_t e = xml.find("</" + tag + ">");
  if (b == std::string::npos || e == std::string::npos) return "";
  return xml.substr(b + tag.size() + 2, e - b - tag.size() - 2);
}

}  // namespace

FakeHotline::FakeHotline(const ncmec::SchemaValidator* validator) : validator_(validator) {
  Route("/submit", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type").find("text/xml") != 0) {
      return Answer(res, 4000, "content type must be text/xml", 0);
    }
    if (!validator_->Validate(req.body, "submitted report").ok()) {
      return Answer(res, 4100, "Validation failed", 0);
    }
    const int64_t id = next_report_++;
    reports_[id].xml = req.body;
    Answer(res, 0, "", id);
  });
  Route("/upload", [this](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_file("id") || !req.has_file("file"))
      return Answer(res, 4200, "Malformed file submittal", 0);
    const int64_t id = std::stoll(req.get_file_value("id").content);
    auto it = reports_.find(id);
    if (it == reports_.end()) return Answer(res, 5001, "Report does not exist", id);
    if (it->second.finished) return Answer(res, 5102, "Report already finished", id);
    if (it->second.retracted) return Answer(res, 5101, "Report already retracted", id);
    const auto file = req.get_file_value("file");
    const std::string file_id = fmt::format("f{}", next_file_++);
    it->second.files[file_id] = file.content;
    it->second.names[file_id] = file.filename;
    const std::vector<uint8_t> bytes(file.content.begin(), file.content.end());
    Answer(res, 0, "", id, file_id, hash::DigestToHex(hash::Md5(bytes)));
  });
  Route("/fileinfo", [this](const httplib::Request& req, httplib::Response& res) {
    if (!validator_->Validate(req.body, "fileDetails").ok())
      return Answer(res, 4100, "Validation failed", 0);
    const int64_t id = std::stoll(TagText(req.body, "reportId"));
    const std::string file_id = TagText(req.body, "fileId");
    auto it = reports_.find(id);
    if (it == reports_.end()) return Answer(res, 5001, "Report does not exist", id);
    if (it->second.finished) return Answer(res, 5102, "Report already finished", id);
    if (!it->second.files.count(file_id)) return Answer(res, 5002, "File does not exist", id);
    it->second.infos.insert(file_id);
    Answer(res, 0, "", id, file_id);
  });
  Route("/finish", [this](const httplib::Request& req, httplib::Response& res) {
    const int64_t id = std::stoll(req.get_param_value("id"));
    auto it = reports_.find(id);
    auto done = [&](int code) {
      std::string xml = fmt::format(
          "<reportDoneResponse><responseCode>{}</responseCode><reportId>{}</reportId><files>", code,
          id);
      if (it != reports_.end()) {
        for (const auto& [file_id, bytes] : it->second.files)
          xml += "<fileId>" + file_id + "</fileId>";
      }
      res.set_content(xml + "</files></reportDoneResponse>", "text/xml");
    };
    if (it == reports_.end()) return done(5001);
    if (it->second.finished) return done(5102);
    if (it->second.retracted) return done(5101);
    // Step order: every uploaded file has its details before the report is finished.
    if (it->second.infos.size() != it->second.files.size()) return done(4000);
    it->second.finished = true;
    done(0);
  });
  Route("/retract", [this](const httplib::Request& req, httplib::Response& res) {
    const int64_t id = std::stoll(req.get_param_value("id"));
    auto it = reports_.find(id);
    if (it == reports_.end()) return Answer(res, 5001, "Report does not exist", id);
    if (it->second.finished) return Answer(res, 5102, "Report already finished", id);
    if (it->second.retracted) return Answer(res, 5101, "Report already retracted", id);
    it->second.retracted = true;
    Answer(res, 0, "", id);
  });
  server_.Get("/ispws/status", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    calls_.push_back("/status");
    if (Authorised(req, res)) Answer(res, 0, "", 0);
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeHotline::~FakeHotline() {
  server_.stop();
  thread_.join();
}

std::string FakeHotline::endpoint() const {
  return fmt::format("http://127.0.0.1:{}/ispws", port_);
}

void FakeHotline::FailNext(const std::string& route, Fault fault) {
  std::lock_guard lock(mu_);
  faults_[route].push_back(fault);
}

std::map<int64_t, FakeHotline::Report> FakeHotline::reports() {
  std::lock_guard lock(mu_);
  return reports_;
}

std::vector<std::string> FakeHotline::calls() {
  std::lock_guard lock(mu_);
  return calls_;
}

int FakeHotline::FinishedCount() {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& [id, r] : reports_) n += r.finished ? 1 : 0;
  return n;
}

bool FakeHotline::Authorised(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("Authorization") == kAuth) return true;
  Answer(res, 2000, "Authentication required", 0);
  res.status = 401;
  return false;
}

bool FakeHotline::TakeFault(const std::string& route, Fault* fault) {
  auto it = faults_.find(route);
  if (it == faults_.end() || it->second.empty()) return false;
  *fault = it->second.front();
  it->second.pop_front();
  return true;
}

void FakeHotline::Answer(httplib::Response& res, int code, const std::string& description,
                         int64_t report_id, const std::string& file_id, const std::string& hash) {
  res.set_content(ResponseXml(code, description, report_id, file_id, hash), "text/xml");
}

void FakeHotline::Route(
    const std::string& route,
    const std::function<void(const httplib::Request&, httplib::Response&)>& apply) {
  server_.Post("/ispws" + route,
               [this, route, apply](const httplib::Request& req, httplib::Response& res) {
                 Fault fault{};
                 bool faulty = false;
                 {
                   std::lock_guard lock(mu_);
                   faulty = TakeFault(route, &fault);
                   calls_.push_back(faulty ? route + ":fault" : route);
                   if (!Authorised(req, res)) return;
                   if (faulty && fault == Fault::kHttp500) {
                     res.status = 500;
                     return;
                   }
                   if (faulty && fault == Fault::kCode1000)
                     return Answer(res, 1000, "Server error", 0);
                   if (faulty && fault == Fault::kHostile) {
                     res.set_content(
                         "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><reportResponse>"
                         "<responseCode>0</responseCode><responseDescription>&x;"
                         "</responseDescription></reportResponse>",
                         "text/xml");
                     return;
                   }
                   apply(req, res);
                 }
                 if (!faulty) return;
                 if (fault == Fault::kSlow)
                   std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms_));
                 if (fault == Fault::kMalformed)
                   res.set_content("<reportResponse><responseCode>0", "text/xml");
                 if (fault == Fault::kApplyThen500) {
                   res.status = 500;
                   res.set_content("", "text/plain");
                 }
               });
}

}  // namespace vigil::report::testing
