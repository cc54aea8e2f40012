// Scoring a conversation against the grooming indicators (grooming.h).
#include "classify/grooming.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>

namespace vigil::classify {
namespace {

// Context shared by the indicator checks of one conversation.
struct Facts {
  const Conversation* c;
  int adult_age;
  std::string language;
  bool IsMinor(const Participant* p) const { return p && p->age && *p->age < adult_age; }
  bool IsAdult(const Participant* p) const { return p && p->age && *p->age >= adult_age; }
};

std::string AgeText(const Participant& p) {
  return fmt::format("{} ({} {})", p.id, *p.age, p.age_estimated ? "estimated" : "declared");
}

std::optional<Evidence> AgeGap(const Indicator& ind, const Facts& f) {
  for (const Participant& a : f.c->participants) {
    if (!f.IsAdult(&a)) continue;
    for (const Participant& m : f.c->participants) {
      if (!f.IsMinor(&m) || *a.age - *m.age < ind.min_gap_years) continue;
      return Evidence{ind.name,
                      ind.weight,
                      {},
                      {},
                      fmt::format("adult {} and minor {}", AgeText(a), AgeText(m))};
    }
  }
  return std::nullopt;
}

// The messages (from participants not known to be minors) a pattern of the language matches.
std::vector<const Message*> PatternHits(const Indicator& ind, const Facts& f) {
  std::vector<const re2::RE2*> res;
  for (const char* lang : {f.language.c_str(), "*"}) {
    auto it = ind.patterns.find(lang);
    if (it == ind.patterns.end()) continue;
    for (const auto& re : it->second) res.push_back(re.get());
  }
  std::vector<const Message*> hits;
  for (const Message& m : f.c->messages) {
    if (f.IsMinor(FindParticipant(*f.c, m.from))) continue;
    for (const re2::RE2* re : res) {
      if (re2::RE2::PartialMatch(m.text, *re)) {
        hits.push_back(&m);
        break;
      }
    }
  }
  return hits;
}

std::optional<Evidence> Pattern(const Indicator& ind, const Facts& f) {
  auto hits = PatternHits(ind, f);
  if (hits.empty()) return std::nullopt;
  Evidence e{ind.name, ind.weight, {}, {}, fmt::format("{} message(s) matched", hits.size())};
  for (const Message* m : hits) e.message_ids.push_back(m->id);
  return e;
}

// Distinct pattern indicators whose first hit lies within the window of the first message.
std::optional<Evidence> Escalation(const Indicator& ind, const std::vector<Evidence>& fired,
                                   const Facts& f) {
  if (f.c->messages.empty()) return std::nullopt;
  const int64_t start = f.c->messages.front().time;
  Evidence e{ind.name, ind.weight, {}, {}, ""};
  int count = 0;
  for (const Evidence& p : fired) {
    if (p.message_ids.empty()) continue;  // not a pattern indicator
    const std::string& first = p.message_ids.front();
    for (const Message& m : f.c->messages) {
      if (m.id != first) continue;
      if (m.time - start <= ind.window_seconds) {
        ++count;
        e.message_ids.push_back(m.id);
      }
      break;
    }
  }
  if (count < ind.min_indicators) return std::nullopt;
  e.detail =
      fmt::format("{} indicators within {} s of the first message", count, ind.window_seconds);
  return e;
}

std::optional<Evidence> ManyMinors(const Indicator& ind, const Facts& f) {
  for (const Participant& p : f.c->participants) {
    if (f.IsMinor(&p) || !p.minors_contacted || *p.minors_contacted < ind.min_minors) continue;
    return Evidence{ind.name,
                    ind.weight,
                    {},
                    {},
                    fmt::format("{} contacted {} minors", p.id, *p.minors_contacted)};
  }
  return std::nullopt;
}

}  // namespace

Result<Score> GroomingScorer::Classify(const ClassifierInput& input) const {
  if (input.kind != InputKind::kConversation || input.conversation == nullptr) {
    return InvalidArgumentError(fmt::format("{}@{} scores conversations, not {}", model_, version_,
                                            InputKindName(input.kind)));
  }
  return ScoreConversation(*input.conversation);
}

Result<Score> GroomingScorer::ScoreConversation(const Conversation& c) const {
  Facts facts{&c, adult_age_, c.language.empty() ? default_language_ : c.language};
  if (!languages_.empty() && !languages_.count(facts.language)) {
    return FailedPreconditionError(
        fmt::format("conversation '{}': no indicator rules for language '{}' in {}@{}", c.id,
                    facts.language, model_, version_));
  }
  Score score{0, model_, version_, {}};
  // Escalation looks at the pattern indicators that fired, so it runs after them.
  for (const Indicator& ind : indicators_) {
    std::optional<Evidence> e;
    if (ind.kind == IndicatorKind::kAgeGap) e = AgeGap(ind, facts);
    if (ind.kind == IndicatorKind::kPattern) e = Pattern(ind, facts);
    if (ind.kind == IndicatorKind::kManyMinors) e = ManyMinors(ind, facts);
    if (e) score.evidence.push_back(std::move(*e));
  }
  for (const Indicator& ind : indicators_) {
    if (ind.kind != IndicatorKind::kEscalation) continue;
    if (auto e = Escalation(ind, score.evidence, facts)) score.evidence.push_back(std::move(*e));
  }
  double sum = 0;
  for (const Evidence& e : score.evidence) sum += e.weight;
  score.value = std::min(1.0, sum);
  RETURN_IF_ERROR(CheckScoreValue(score.value, model_));
  return score;
}

}  // namespace vigil::classify
