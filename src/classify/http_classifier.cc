#include "classify/http_classifier.h"

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace vigil::classify {
namespace {

using Json = nlohmann::json;

Json ConversationJson(const Conversation& c) {
  Json j = {{"id", c.id}, {"language", c.language}};
  j["participants"] = Json::array();
  for (const Participant& p : c.participants) {
    Json pj = {{"id", p.id}};
    if (p.age) pj["age"] = *p.age;
    pj["age_source"] = p.age_estimated ? "estimated" : "declared";
    if (p.minors_contacted) pj["minors_contacted"] = *p.minors_contacted;
    j["participants"].push_back(std::move(pj));
  }
  j["messages"] = Json::array();
  for (const Message& m : c.messages) {
    j["messages"].push_back({{"id", m.id}, {"from", m.from}, {"time", m.time}, {"text", m.text}});
  }
  return j;
}

std::string RequestBody(const HttpClassifierConfig& config, const ClassifierInput& input) {
  Json j = {{"model", config.model},
            {"version", config.version},
            {"kind", std::string(InputKindName(input.kind))}};
  if (input.kind == InputKind::kConversation) {
    j["conversation"] = ConversationJson(*input.conversation);
  } else {
    j["frames"] = Json::array();
    for (const Frame& f : input.frames) {
      j["frames"].push_back({{"width", f.width},
                             {"height", f.height},
                             {"channels", f.channels},
                             {"pixels", Base64Encode(f.pixels)}});
    }
  }
  return j.dump();
}

}  // namespace

Result<Score> ParseClassifierResponse(const HttpClassifierConfig& config, std::string_view body) {
  const std::string source = fmt::format("{}@{} response", config.model, config.version);
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return DataLossError(fmt::format("{}: not a JSON object", source));
  }
  auto s = j.find("score");
  // nlohmann reads the bare token NaN as invalid JSON; a string "NaN" lands here.
  if (s == j.end() || !s->is_number()) {
    return DataLossError(fmt::format("{}: 'score' is missing or not a number", source));
  }
  Score score{s->get<double>(), config.model, config.version, {}};
  RETURN_IF_ERROR(CheckScoreValue(score.value, source));
  if (auto f = j.find("frames"); f != j.end()) {
    if (!f->is_array()) return DataLossError(fmt::format("{}: 'frames' is not an array", source));
    Evidence e{"frame_score", score.value, {}, {}, "frames the classifier scored highest"};
    for (const Json& i : *f) {
      if (!i.is_number_integer()) {
        return DataLossError(fmt::format("{}: 'frames' holds a non-integer", source));
      }
      e.frames.push_back(i.get<int>());
    }
    score.evidence.push_back(std::move(e));
  }
  return score;
}

std::string Base64Encode(std::span<const uint8_t> in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint32_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint32_t(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= in[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

Result<std::unique_ptr<HttpClassifier>> HttpClassifier::Create(HttpClassifierConfig config,
                                                               std::shared_ptr<const Clock> clock) {
  if (config.model.empty() || config.version.empty()) {
    return InvalidArgumentError("http classifier: 'model' and 'version' are required");
  }
  const std::string url = config.url;  // a copy: config moves below
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  const size_t path_start =
      scheme_end == std::string::npos ? url.npos : url.find('/', scheme_end + 3);
  if ((scheme != "http" && scheme != "https") || path_start == std::string::npos ||
      path_start == scheme_end + 3) {
    return InvalidArgumentError(
        fmt::format("http classifier: url '{}' is not http(s)://host[:port]/path", url));
  }
  if (config.max_attempts < 1 || config.breaker_failures < 1) {
    return InvalidArgumentError("http classifier: attempts and breaker failures must be >= 1");
  }
  std::unique_ptr<HttpClassifier> c(new HttpClassifier(std::move(config), std::move(clock)));
  c->base_ = url.substr(0, path_start);
  c->path_ = url.substr(path_start);
  return c;
}

Status HttpClassifier::AdmitCall() const {
  std::lock_guard lock(mu_);
  if (!open_until_) return Status::Ok();
  if (clock_->Now() < *open_until_ || trial_in_flight_) {
    return UnavailableError(fmt::format("{}@{}: circuit breaker open after {} failed calls",
                                        config_.model, config_.version, consecutive_failures_));
  }
  trial_in_flight_ = true;  // half-open: this call is the one trial
  return Status::Ok();
}

void HttpClassifier::Record(bool failed) const {
  std::lock_guard lock(mu_);
  trial_in_flight_ = false;
  if (!failed) {
    consecutive_failures_ = 0;
    open_until_.reset();
    return;
  }
  ++consecutive_failures_;
  if (open_until_ || consecutive_failures_ >= config_.breaker_failures) {
    open_until_ = clock_->Now() + std::chrono::seconds(config_.breaker_open_seconds);
  }
}

bool HttpClassifier::breaker_open() const {
  std::lock_guard lock(mu_);
  return open_until_.has_value();
}

Result<Score> HttpClassifier::Attempt(const std::string& body) const {
  httplib::Client client(base_);
  client.set_connection_timeout(config_.timeout);
  client.set_read_timeout(config_.timeout);
  client.set_write_timeout(config_.timeout);
  httplib::Headers headers;
  if (!config_.authorization.empty()) headers.emplace("Authorization", config_.authorization);
  auto res = client.Post(path_, headers, body, "application/json");
  const std::string target =
      fmt::format("{}@{} at {}{}", config_.model, config_.version, base_, path_);
  if (!res) {
    return UnavailableError(fmt::format("{}: {}", target, httplib::to_string(res.error())));
  }
  if (res->status >= 500) return UnavailableError(fmt::format("{}: HTTP {}", target, res->status));
  if (res->status != 200) {
    return InvalidArgumentError(fmt::format("{}: HTTP {}", target, res->status));
  }
  if (res->body.size() > config_.max_response_bytes) {
    return DataLossError(fmt::format("{}: response of {} bytes", target, res->body.size()));
  }
  return ParseClassifierResponse(config_, res->body);
}

Result<Score> HttpClassifier::Classify(const ClassifierInput& input) const {
  RETURN_IF_ERROR(CheckFrames(input));
  RETURN_IF_ERROR(AdmitCall());
  const std::string body = RequestBody(config_, input);
  auto delay = config_.backoff;
  Result<Score> result = UnavailableError("not attempted");
  int attempts = 0;
  for (int attempt = 1; attempt <= config_.max_attempts; ++attempt) {
    attempts = attempt;
    result = Attempt(body);
    // Only transport failures and 5xx are worth repeating; a bad answer stays bad.
    if (result.ok() || result.status().code() != StatusCode::kUnavailable) break;
    if (attempt < config_.max_attempts) {
      std::this_thread::sleep_for(delay);
      delay *= 2;
    }
  }
  Record(!result.ok());
  if (!result.ok()) {
    return result.status().WithContext(fmt::format("after {} attempt(s)", attempts));
  }
  return result;
}

}  // namespace vigil::classify
