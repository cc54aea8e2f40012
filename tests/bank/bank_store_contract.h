// The contract every bank::BankStore implementation passes: one parameterised suite, run against
// InMemoryBankStore (tests/bank) and each database backend (tests/store).
//
// A backend supplies a BankStoreBackend. Rules about persistence, migrations and damaged files
// apply only to backends that keep data; the others report kUnimplemented from those hooks and
// the tests skip.
#ifndef VIGIL_TESTS_BANK_BANK_STORE_CONTRACT_H_
#define VIGIL_TESTS_BANK_BANK_STORE_CONTRACT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bank/bank.h"
#include "core/clock.h"

namespace vigil::bank::testing {

class BankStoreBackend {
 public:
  virtual ~BankStoreBackend() = default;

  // Opens fresh, empty storage using `clock`.
  virtual Status Open(std::shared_ptr<const Clock> clock) = 0;
  virtual BankStore& store() = 0;

  // Closes and opens the same storage again (the status of the open is returned).
  // kUnimplemented when the backend keeps nothing.
  virtual Status Reopen() = 0;

  // (version, applied_at) of each applied schema migration; kUnimplemented without a schema.
  virtual Result<std::vector<std::pair<int, TimePoint>>> AppliedMigrations() = 0;

  // Closes the storage and records a schema version newer than the code knows.
  virtual Status CloseAndMarkNewerSchema() = 0;

  // Closes the storage and overwrites it with garbage bytes.
  virtual Status CloseAndCorrupt() = 0;

  // The name (file path) error messages about the storage must contain.
  virtual std::string storage_name() const = 0;
};

struct BackendFactory {
  std::string name;
  std::function<std::unique_ptr<BankStoreBackend>()> make;
};

// gtest prints the backend's name in test names and failures.
inline void PrintTo(const BackendFactory& f, std::ostream* os) { *os << f.name; }
inline std::string BackendName(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

class BankStoreContractTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override;

  BankStore& store() { return backend_->store(); }
  Bank MakeBank(const std::string& name);
  // A batch of `n` PDQ entries with values derived from `first`.
  static EntryBatch PdqBatch(int first, int n);
  static std::string Pdq(int i);
  static std::string Md5(int i);
  std::vector<BankEntry> Entries(BankId bank, bool include_retired = false);

  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<BankStoreBackend> backend_;
};

}  // namespace vigil::bank::testing

#endif  // VIGIL_TESTS_BANK_BANK_STORE_CONTRACT_H_
