// A fake NCMEC CyberTipline server for tests: the same routes on a loopback port (cpp-httplib),
// Basic auth, every XML body validated against cyber_tipline.xsd, the step order enforced
// (upload/fileinfo/finish/retract only on an open report, fileinfo only for an uploaded file,
// nothing after finish or retract), and failures on demand.
#ifndef VIGIL_TESTS_REPORT_FAKE_HOTLINE_H_
#define VIGIL_TESTS_REPORT_FAKE_HOTLINE_H_

#include <httplib.h>

#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "report/ncmec/schema.h"

namespace vigil::report::testing {

class FakeHotline {
 public:
  enum class Fault {
    kHttp500,       // 500 with no body; nothing applied
    kSlow,          // sleeps past the client's timeout, then applies the step
    kMalformed,     // applies the step, answers garbage
    kApplyThen500,  // applies the step, then answers 500 (the client cannot know it happened)
    kCode1000,      // a <reportResponse> with code 1000 (server error); nothing applied
    kHostile,       // answers a document with a DOCTYPE and an entity
  };

  struct Report {
    std::string xml;
    std::map<std::string, std::string> files;  // file id -> uploaded bytes
    std::map<std::string, std::string> names;  // file id -> file name
    std::set<std::string> infos;               // file ids with fileinfo
    bool finished = false;
    bool retracted = false;
  };

  explicit FakeHotline(const ncmec::SchemaValidator* validator);
  ~FakeHotline();

  // The endpoint to configure: http://127.0.0.1:PORT/ispws
  std::string endpoint() const;
  // The next call to `route` ("/submit", ...) fails with `fault`.
  void FailNext(const std::string& route, Fault fault);
  void set_slow_ms(int ms) { slow_ms_ = ms; }

  std::map<int64_t, Report> reports();
  // Each request as "route" or "route:error" in arrival order.
  std::vector<std::string> calls();
  // Reports that were finished (what NCMEC would act on).
  int FinishedCount();

 private:
  bool Authorised(const httplib::Request& req, httplib::Response& res);
  // Pops the fault queued for `route`, if any.
  bool TakeFault(const std::string& route, Fault* fault);
  void Answer(httplib::Response& res, int code, const std::string& description, int64_t report_id,
              const std::string& file_id = "", const std::string& hash = "");
  void Route(const std::string& route,
             const std::function<void(const httplib::Request&, httplib::Response&)>& apply);

  const ncmec::SchemaValidator* validator_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  int slow_ms_ = 1500;
  std::mutex mu_;
  std::map<int64_t, Report> reports_;                // guarded by mu_
  std::vector<std::string> calls_;                   // guarded by mu_
  std::map<std::string, std::deque<Fault>> faults_;  // guarded by mu_
  int64_t next_report_ = 1000;                       // guarded by mu_
  int next_file_ = 1;                                // guarded by mu_
};

}  // namespace vigil::report::testing

#endif  // VIGIL_TESTS_REPORT_FAKE_HOTLINE_H_
