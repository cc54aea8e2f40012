// The redress configuration file: defaults, every key, and each malformed input named.
#include <gtest/gtest.h>

#include "redress/redress.h"

namespace vigil::redress {
namespace {

std::string ErrorOf(const std::string& json) {
  auto c = ParseRedressConfig(json, "r.json");
  return c.ok() ? "ok" : c.status().message();
}

TEST(RedressConfigTest, DefaultsAndEveryKey) {
  auto minimal = ParseRedressConfig(R"({"supervisory_authority": "A"})", "r.json");
  ASSERT_TRUE(minimal.ok()) << minimal.status().ToString();
  EXPECT_EQ(minimal->redress.complaint_deadline, std::chrono::days(180));
  EXPECT_EQ(minimal->redress.complaint_decision_target, std::chrono::days(14));
  EXPECT_EQ(minimal->redress.default_language, "en");
  EXPECT_TRUE(minimal->webhook.url.empty());
  EXPECT_FALSE(minimal->templates_dir);

  auto full = ParseRedressConfig(R"({"service_name": "S", "supervisory_authority": "A",
      "complaint_deadline_days": 14, "complaint_decision_days": 7, "default_language": "de", "templates_dir": "/etc/n",
      "webhook": {"url": "http://127.0.0.1:9/n", "bearer_token": "t", "timeout_ms": 250,
                  "max_attempts": 3, "first_backoff_seconds": 2, "max_backoff_seconds": 10}})",
                                 "r.json");
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->redress.complaint_deadline, std::chrono::days(14));
  EXPECT_EQ(full->redress.complaint_decision_target, std::chrono::days(7));
  EXPECT_EQ(full->redress.service_name, "S");
  EXPECT_EQ(*full->templates_dir, "/etc/n");
  EXPECT_EQ(full->webhook.url, "http://127.0.0.1:9/n");
  EXPECT_EQ(full->webhook.timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(full->webhook.max_attempts, 3);
  EXPECT_EQ(full->webhook.first_backoff, std::chrono::seconds(2));
  EXPECT_EQ(full->webhook.max_backoff, std::chrono::seconds(10));
}

TEST(RedressConfigTest, MalformedConfigsAreNamed) {
  EXPECT_EQ(ErrorOf("[1]"), "redress config r.json: not a JSON object");
  EXPECT_EQ(ErrorOf("{"), "redress config r.json: not a JSON object");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": "A", "x": 1})"),
            "redress config r.json: unknown key \"x\"");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": 5})"),
            "redress config r.json: \"supervisory_authority\" must be a string");
  EXPECT_EQ(ErrorOf(R"({})"),
            "redress config r.json: supervisory_authority is required: Art 3(1)(g)(vi) notices "
            "must name it");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": "A", "complaint_deadline_days": 0})"),
            "redress config r.json: \"complaint_deadline_days\" must be 1 to 3650, not 0");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": "A", "complaint_deadline_days": "30"})"),
            "redress config r.json: \"complaint_deadline_days\" must be an integer");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": "A", "complaint_decision_days": 400})"),
            "redress config r.json: \"complaint_decision_days\" must be 1 to 365, not 400");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": "A", "webhook": {"url": "ftp://x"}})"),
            "redress config r.json webhook: \"url\" must start with http:// or https://");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": "A", "webhook": {"max_attempts": 0}})"),
            "redress config r.json webhook: \"max_attempts\" must be 1 to 100, not 0");
  EXPECT_EQ(ErrorOf(R"({"supervisory_authority": "A", "webhook": []})"),
            "redress config r.json: \"webhook\" must be an object");
  EXPECT_EQ(LoadRedressConfig("/nonexistent/redress.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::redress
