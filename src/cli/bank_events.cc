#include "cli/bank_events.h"

namespace vigil::cli {

Result<std::unique_ptr<BankChangeTarget>> BankChangeTarget::Open(store::Database& db,
                                                                 const std::string& events_url) {
  auto target = std::make_unique<BankChangeTarget>(db);
  if (events_url.empty()) return target;
  queue::NatsOptions options;
  options.url = events_url;
  options.client_name = "vigil-bank";
  ASSIGN_OR_RETURN(target->nats_, queue::NatsQueue::Connect(options));
  target->publishing_ = std::make_unique<worker::PublishingBankStore>(
      db.banks(), *target->nats_, worker::PublishingBankStore::PublishFailures::kKeep);
  return target;
}

}  // namespace vigil::cli
