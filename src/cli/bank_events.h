// Where `vigil bank create|add|retire|import` write: the database's bank store, or, with
// --events URL, one that also publishes each change to the scale-out workers over NATS
// (docs/scaling.md).
#ifndef VIGIL_CLI_BANK_EVENTS_H_
#define VIGIL_CLI_BANK_EVENTS_H_

#include <memory>
#include <string>

#include "queue/nats.h"
#include "store/store.h"
#include "worker/bank_publisher.h"

namespace vigil::cli {

class BankChangeTarget {
 public:
  // `events_url` empty: changes go to the database only. Errors from connecting to NATS.
  static Result<std::unique_ptr<BankChangeTarget>> Open(store::Database& db,
                                                        const std::string& events_url);
  bank::BankStore& banks() { return publishing_ ? *publishing_ : db_.banks(); }
  bool publishes() const { return publishing_ != nullptr; }
  // A change committed whose events were not all published (kUnavailable), else OK: the
  // command still records the change in the audit log, then fails with this (issue 6).
  Status publish_failure() const {
    return publishing_ ? publishing_->publish_failure() : Status::Ok();
  }

  explicit BankChangeTarget(store::Database& db) : db_(db) {}

 private:
  store::Database& db_;
  std::unique_ptr<queue::NatsQueue> nats_;
  std::unique_ptr<worker::PublishingBankStore> publishing_;
};

}  // namespace vigil::cli

#endif  // VIGIL_CLI_BANK_EVENTS_H_
