// User-notice templates: the shipped ones parse, and every malformed template (bad JSON, wrong
// kind, missing or empty key, unknown placeholder, unbalanced brace, duplicate language, empty
// or missing directory) is refused with a message naming the file and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "redress/redress.h"

namespace vigil::redress {
namespace {

nlohmann::json Valid() {
  return {{"kind", "vigil user notice"},
          {"language", "fr"},
          {"version", "v1"},
          {"subject", "Action sur {service}"},
          {"what_happened",
           {{"remove_content", "Le {date} : {item}"},
            {"block_content", "b"},
            {"suspend_account", "s"},
            {"terminate_account", "t"}}},
          {"reason", "{reason} ({technologies})"},
          {"legal_basis", "2021/1232"},
          {"redress", "avant {deadline}, cas {case}, action {action}"},
          {"authority", "{authority}"},
          {"judicial", "tribunal"}};
}

std::string ErrorOf(const nlohmann::json& j) {
  auto t = ParseNoticeTemplate(j.dump(), "fr.json");
  return t.ok() ? "ok" : t.status().message();
}

TEST(NoticeTemplateTest, TheShippedTemplatesCoverEnglishAndGerman) {
  auto templates = NoticeTemplates::Embedded();
  ASSERT_TRUE(templates.ok()) << templates.status().ToString();
  EXPECT_EQ(templates->Languages(), (std::vector<std::string>{"de", "en"}));
  EXPECT_EQ(templates->For("en")->version, "2026-11-en-1");
}

TEST(NoticeTemplateTest, RendersEveryPlaceholder) {
  auto t = ParseNoticeTemplate(Valid().dump(), "fr.json");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const Action a{.id = 5,
                 .case_id = 3,
                 .kind = ActionKind::kRemoveContent,
                 .item_id = "photo-9",
                 .reason = "raison",
                 .technologies = "md5",
                 .taken_at = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 1 / 2))};
  auto r = RenderUserNotice(
      *t, a, {.service = "S", .authority = "CNIL", .complaint_deadline = a.taken_at});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subject, "Action sur S");
  EXPECT_EQ(r->text,
            "Le 2026-01-02 : photo-9\n\nraison (md5)\n\n2021/1232\n\navant 2026-01-02, cas 3, "
            "action 5\n\nCNIL\n\ntribunal");
  Action evidence = a;
  evidence.kind = ActionKind::kPreserveEvidence;
  EXPECT_EQ(RenderUserNotice(*t, evidence, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(NoticeTemplateTest, MalformedTemplatesNameFileAndKey) {
  EXPECT_EQ(ParseNoticeTemplate("{", "fr.json").status().message(),
            "user-notice template fr.json: not valid JSON");
  nlohmann::json j = Valid();
  j["kind"] = "something else";
  EXPECT_EQ(ErrorOf(j),
            "user-notice template fr.json: not a user-notice template (\"kind\": \"vigil user "
            "notice\")");
  j = Valid();
  j.erase("judicial");
  EXPECT_EQ(ErrorOf(j), "user-notice template fr.json: \"judicial\" must be a non-empty string");
  j = Valid();
  j["redress"] = 42;
  EXPECT_EQ(ErrorOf(j), "user-notice template fr.json: \"redress\" must be a non-empty string");
  j = Valid();
  j["what_happened"].erase("terminate_account");
  EXPECT_EQ(ErrorOf(j),
            "user-notice template fr.json what_happened: \"terminate_account\" must be a "
            "non-empty string");
  j = Valid();
  j["reason"] = "{password}";
  EXPECT_EQ(ErrorOf(j), "user-notice template fr.json \"reason\": unknown placeholder {password}");
  j = Valid();
  j["reason"] = "open {reason";
  EXPECT_EQ(ErrorOf(j), "user-notice template fr.json \"reason\": unbalanced '{' at offset 5");
  j = Valid();
  j["reason"] = "close }";
  EXPECT_EQ(ErrorOf(j), "user-notice template fr.json \"reason\": unbalanced '}' at offset 6");
  j = Valid();
  j["what_happened"] = "text";
  EXPECT_EQ(ErrorOf(j), "user-notice template fr.json: \"what_happened\" must be an object");
}

TEST(NoticeTemplateTest, DirectoriesAreCheckedWhole) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("vigil_notices_{}", getpid());
  fs::remove_all(dir);
  EXPECT_EQ(NoticeTemplates::FromDirectory(dir.string()).status().code(), StatusCode::kNotFound);
  fs::create_directories(dir);
  EXPECT_EQ(NoticeTemplates::FromDirectory(dir.string()).status().code(),
            StatusCode::kInvalidArgument);
  std::ofstream(dir / "a.json") << Valid().dump();
  auto one = NoticeTemplates::FromDirectory(dir.string());
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->Languages(), std::vector<std::string>{"fr"});
  std::ofstream(dir / "b.json") << Valid().dump();
  auto two = NoticeTemplates::FromDirectory(dir.string());
  EXPECT_EQ(two.status().message(),
            fmt::format("user-notice template {}: a second template for language fr",
                        (dir / "b.json").string()));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::redress
