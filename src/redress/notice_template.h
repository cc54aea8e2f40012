// User notices (Art 3(1)(g)(vi)): when content is removed or blocked or an account suspended or
// closed, the user is told what happened and why, that they can complain (and until when), that
// they may lodge a complaint with the supervisory authority and that they have a judicial
// remedy. The wording is data: one versioned template per language (data/notices/*.json,
// embedded at build time, or a directory named in the configuration), so lawyers and
// translators change text without code; the version is stored with every notice sent.
//
// Thread safety: immutable values once loaded.
#ifndef VIGIL_REDRESS_NOTICE_TEMPLATE_H_
#define VIGIL_REDRESS_NOTICE_TEMPLATE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "redress/types.h"

namespace vigil::redress {

// Placeholders a template may use: {service} {date} {item} {reason} {technologies} {deadline}
// {case} {action} {authority}. Any other {name} is an error when the template is loaded.
struct NoticeTemplate {
  std::string language{};
  std::string version{};
  std::string subject{};
  std::map<ActionKind, std::string> what_happened{};  // every kind that needs a notice
  std::string reason{};
  std::string legal_basis{};
  std::string redress{};
  std::string authority{};
  std::string judicial{};
};

// Parses one template (JSON object with "kind": "vigil user notice", language, version,
// subject, what_happened.{remove_content, block_content, suspend_account, terminate_account},
// reason, legal_basis, redress, authority, judicial). kInvalidArgument naming `source` and the
// key for malformed JSON, a missing or empty key, a wrong type, an unknown placeholder or an
// unbalanced brace.
Result<NoticeTemplate> ParseNoticeTemplate(std::string_view json, std::string_view source);

class NoticeTemplates {
 public:
  // The templates shipped in data/notices/ (embedded at build time).
  static Result<NoticeTemplates> Embedded();
  // Every *.json file of `dir`; kNotFound when it does not exist, kInvalidArgument when it holds
  // no template, a bad one (naming the file) or two for one language.
  static Result<NoticeTemplates> FromDirectory(const std::string& dir);
  // From (source name, JSON) pairs; errors as above.
  static Result<NoticeTemplates> FromSources(
      const std::vector<std::pair<std::string, std::string>>& sources);

  // kNotFound "no user-notice template for language X (available: de, en)".
  Result<NoticeTemplate> For(std::string_view language) const;
  std::vector<std::string> Languages() const;

 private:
  std::map<std::string, NoticeTemplate, std::less<>> by_language_;
};

// What a notice states, besides the action itself.
struct NoticeFacts {
  std::string service{};    // the operator's service name
  std::string authority{};  // the supervisory authority the user may complain to
  TimePoint complaint_deadline{};
};

struct RenderedNotice {
  std::string subject{};
  std::string text{};  // paragraphs separated by blank lines
  std::string json{};  // what the webhook receives (docs/redress.md)
};

// Fills `t` for `action`. kInvalidArgument when the action needs no notice (preserving
// evidence) or the template lacks its kind.
Result<RenderedNotice> RenderUserNotice(const NoticeTemplate& t, const Action& action,
                                        const NoticeFacts& facts);

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_NOTICE_TEMPLATE_H_
