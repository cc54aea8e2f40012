// The kept items of failed classifications (classify::RetryStore) on SQLite and PostgreSQL:
// table classify_retries (migration 21). The SQL is written once for both engines and runs
// through the privacy store's session interface (privacy_stores.h). The bytes are kept as
// lowercase hex text, which both engines store alike.
//
// Thread safety: as the other stores of each backend; every call is one transaction.
#ifndef VIGIL_STORE_CLASSIFY_RETRY_STORES_H_
#define VIGIL_STORE_CLASSIFY_RETRY_STORES_H_

#include "classify/retry_store.h"
#include "store/privacy_stores.h"

namespace vigil::store {

class SqlRetryStore final : public classify::RetryStore {
 public:
  explicit SqlRetryStore(privacy_sql::SqlTransactor transact) : transact_(std::move(transact)) {}

  Result<int64_t> Keep(const classify::RetryItem& item) override;
  Result<std::vector<classify::RetryItem>> Pending(classify::RetryKind kind, size_t limit) override;
  Status Done(classify::RetryKind kind, const std::string& key) override;

 private:
  privacy_sql::SqlTransactor transact_;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_CLASSIFY_RETRY_STORES_H_
