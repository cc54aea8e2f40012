// Result<T>: either a value of type T or a non-OK Status.
//
// Use it as the return type of every fallible call that produces a value:
//   Result<Image> Decode(...);
//   ASSIGN_OR_RETURN(Image image, Decode(bytes, limits));
// Accessing value() of an error Result is a bug and asserts.
//
// Thread safety: a value type, like the T it holds.
#ifndef VIGIL_CORE_RESULT_H_
#define VIGIL_CORE_RESULT_H_

#include <cassert>
#include <utility>
#include <variant>

#include "core/status.h"

namespace vigil {

template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit from a value or from an error status, so `return value;` and `return status;`
  // both work inside a function returning Result<T>.
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  // The error, or an OK status when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> data_;
};

namespace internal {
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace vigil

// Evaluates `rexpr` (a Result<T>); on error returns its status, else moves the value into `lhs`.
// `lhs` may be a declaration: ASSIGN_OR_RETURN(auto image, Decode(bytes));
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL_(VIGIL_STATUS_CONCAT_(vigil_result_, __LINE__), lhs, rexpr)

#define VIGIL_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                                 \
  if (!result.ok()) return result.status();              \
  lhs = std::move(result).value()

#endif  // VIGIL_CORE_RESULT_H_
