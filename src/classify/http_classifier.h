// An external classifier called over HTTP, the way providers call hosted services: vigil POSTs
// the item as JSON and reads a score back.
//
// Request:  {"model": "...", "version": "...", "kind": "image" | "video" | "conversation",
//            "frames": [{"width": w, "height": h, "channels": c, "pixels": "<base64>"}],
//            "conversation": {"id", "language", "participants": [...], "messages": [...]}}
// Response: {"score": 0.93, "frames": [0, 4]}  ("frames": optional evidence)
//
// Failures never become flags: a timeout, refused connection or 5xx is retried with doubling
// backoff and then kUnavailable (the caller keeps the item for a later retry); a 4xx is
// kInvalidArgument; a body that is not the JSON above, or a score that is NaN or outside
// [0, 1], is kDataLoss. After `breaker_failures` consecutive failed calls the circuit breaker
// opens: calls fail fast with kUnavailable for `breaker_open_seconds`, then one trial call is
// let through; its success closes the breaker.
//
// Thread safety: Classify may be called from several threads (the breaker is locked; each call
// uses its own connection).
#ifndef VIGIL_CLASSIFY_HTTP_CLASSIFIER_H_
#define VIGIL_CLASSIFY_HTTP_CLASSIFIER_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "classify/classifier.h"
#include "core/clock.h"

namespace vigil::classify {

struct HttpClassifierConfig {
  std::string model;
  std::string version;
  std::string url;            // http:// or https://host[:port]/path
  std::string authorization;  // sent as the Authorization header when not empty
  std::chrono::milliseconds timeout{5000};
  int max_attempts = 3;
  std::chrono::milliseconds backoff{200};  // before the 2nd attempt; doubles after each
  int breaker_failures = 5;
  int64_t breaker_open_seconds = 30;
  size_t max_response_bytes = 1 << 20;
};

// Parses {"model", "version", "url", "authorization", "timeout_ms", "max_attempts",
// "backoff_ms", "breaker_failures", "breaker_open_seconds"}; kInvalidArgument names the field.
Result<HttpClassifierConfig> ParseHttpClassifierConfig(std::string_view json,
                                                       std::string_view name);

class HttpClassifier final : public Classifier {
 public:
  // kInvalidArgument for a URL that is not http(s)://host[:port]/path or missing names.
  static Result<std::unique_ptr<HttpClassifier>> Create(HttpClassifierConfig config,
                                                        std::shared_ptr<const Clock> clock);

  const std::string& model() const override { return config_.model; }
  const std::string& version() const override { return config_.version; }
  Result<Score> Classify(const ClassifierInput& input) const override;

  bool breaker_open() const;

 private:
  HttpClassifier(HttpClassifierConfig config, std::shared_ptr<const Clock> clock)
      : config_(std::move(config)), clock_(std::move(clock)) {}
  Result<Score> Attempt(const std::string& body) const;
  Status AdmitCall() const;
  void Record(bool failed) const;

  HttpClassifierConfig config_;
  std::string base_;  // scheme://host:port
  std::string path_;
  std::shared_ptr<const Clock> clock_;
  mutable std::mutex mu_;
  mutable int consecutive_failures_ = 0;
  mutable std::optional<TimePoint> open_until_;
  mutable bool trial_in_flight_ = false;
};

// Reads a response body as described at the top: kDataLoss naming the model for anything but
// {"score": s, "frames"?: [int...]} with s in [0, 1]. Exposed for the fuzz target.
Result<Score> ParseClassifierResponse(const HttpClassifierConfig& config, std::string_view body);

// Standard base64 with padding; for pixel bytes in requests.
std::string Base64Encode(std::span<const uint8_t> bytes);

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_HTTP_CLASSIFIER_H_
