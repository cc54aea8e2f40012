// InMemoryCaseStore against the CaseStore contract and the review rules.
#include "cases/case_store_contract.h"

namespace vigil::cases::testing {
namespace {

class InMemoryBackend final : public CaseStoreBackend {
 public:
  Status Open() override {
    store_ = std::make_unique<InMemoryCaseStore>();
    return Status::Ok();
  }
  CaseStore& store() override { return *store_; }
  Status Reopen() override { return UnimplementedError("in memory"); }

 private:
  std::unique_ptr<InMemoryCaseStore> store_;
};

CASE_SUITES_FOR_BACKEND(InMemory, (CaseBackendFactory{"InMemory", [] {
                                                        return std::make_unique<InMemoryBackend>();
                                                      }}));

}  // namespace
}  // namespace vigil::cases::testing
