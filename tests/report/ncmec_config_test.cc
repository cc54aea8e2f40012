// The NCMEC settings file: every field read, the password only from the environment, and every
// bad file named with the field at fault.
#include "report/ncmec/ncmec_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace vigil::report::ncmec {
namespace {

TEST(NcmecConfig, ReadsEveryFieldAndThePasswordFromTheNamedVariable) {
  ::setenv("VIGIL_TEST_NCMEC_PASSWORD", "s3cret", 1);
  auto c = ParseNcmecConfig(R"({"org_name": "Example", "platform": "Example Photos",
      "reporter": {"first_name": "A", "last_name": "B", "email": "a@example.org", "phone": "1"},
      "contact": {"email": "c@example.org"}, "service_url": "https://x", "legal_url": "https://l",
      "endpoint": "http://127.0.0.1:9/ispws", "username": "esp", "password_env":
      "VIGIL_TEST_NCMEC_PASSWORD", "xsd_path": "/x.xsd", "timeout_seconds": 7})",
                            "ncmec.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->org_name, "Example");
  EXPECT_EQ(c->reporter.phone, "1");
  EXPECT_EQ(c->contact.email, "c@example.org");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9/ispws");
  EXPECT_EQ(c->username, "esp");
  EXPECT_EQ(c->password, "s3cret");
  EXPECT_EQ(c->xsd_path, "/x.xsd");
  EXPECT_EQ(c->timeout, std::chrono::seconds(7));
  auto defaults = ParseNcmecConfig(R"({"org_name": "E", "reporter": {"email": "a@b"}})", "n");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->endpoint, "https://exttest.cybertip.org/ispws");  // NCMEC's test system
}

TEST(NcmecConfig, BadFilesAreNamedWithTheField) {
  const auto message = [](const std::string& json) {
    auto c = ParseNcmecConfig(json, "ncmec.json");
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << json;
    return c.status().message();
  };
  EXPECT_EQ(message("{"), "ncmec.json: not valid JSON");
  EXPECT_EQ(message("[]"), "ncmec.json: must be a JSON object");
  EXPECT_EQ(message(R"({"reporter": {"email": "a@b"}})"), "ncmec.json: \"org_name\" is required");
  EXPECT_EQ(message(R"({"org_name": "E"})"), "ncmec.json: \"reporter\".\"email\" is required");
  EXPECT_EQ(message(R"({"org_name": 5})"), "ncmec.json: \"org_name\" must be a string");
  EXPECT_EQ(message(R"({"org_name": "E", "reporter": {"email": "a@b", "fax": "1"}})"),
            "ncmec.json: reporter: unknown field \"fax\"");
  EXPECT_NE(message(R"({"org_name": "E", "reporter": {"email": "a@b"}, "endpoint": "ftp://x"})")
                .find("endpoint 'ftp://x' is not an http(s) URL"),
            std::string::npos);
  EXPECT_NE(message(R"({"org_name": "E", "reporter": {"email": "a@b"}, "timeout_seconds": 0})")
                .find("timeout_seconds"),
            std::string::npos);
  ::unsetenv("VIGIL_TEST_NCMEC_UNSET");
  EXPECT_NE(message(R"({"org_name": "E", "reporter": {"email": "a@b"},
                       "password_env": "VIGIL_TEST_NCMEC_UNSET"})")
                .find("names VIGIL_TEST_NCMEC_UNSET, which is not set"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::report::ncmec
