// Status: the outcome of a fallible library call, as a value.
//
// Every fallible call in vigil returns a Status or a Result<T> (result.h). A Status carries
// a code from a small fixed set and a message that names the input it failed on, so a
// user can act on it without a stack trace. Exceptions are used only at process edges
// (main, HTTP handlers), which map codes with HttpStatusFor() / ExitCodeFor().
//
// Which code to use:
//   kInvalidArgument     the caller's input is malformed (bad hex, corrupt file, bad flag).
//   kNotFound            a named thing (file, bank, case) does not exist.
//   kAlreadyExists       creating something whose name or key is taken.
//   kFailedPrecondition  the system is not in a state that allows the call (wrong case state).
//   kPermissionDenied    the caller lacks the role for the call.
//   kResourceExhausted   an input exceeds a configured limit (file size, pixel count).
//   kUnimplemented       a format or feature this build does not support.
//   kUnavailable         a dependency (database, hotline) cannot be reached; retrying may help.
//   kDataLoss            stored data is corrupt (checksum mismatch, truncated index file).
//   kInternal            a bug or an unexpected library failure.
//
// Thread safety: Status is a value type; distinct objects may be used from any thread.
#ifndef VIGIL_CORE_STATUS_H_
#define VIGIL_CORE_STATUS_H_

#include <memory>
#include <string>
#include <string_view>

namespace vigil {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kPermissionDenied,
  kResourceExhausted,
  kUnimplemented,
  kUnavailable,
  kDataLoss,
  kInternal,
};

// Short stable name of a code, e.g. "INVALID_ARGUMENT"; used in logs and JSON errors.
std::string_view StatusCodeName(StatusCode code);

// The one table that maps codes to the edges: HTTP status for the server, exit code for the CLI.
int HttpStatusFor(StatusCode code);
int ExitCodeFor(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status. Cheap: holds no allocation.
  Status() = default;
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // Empty for an OK status.
  const std::string& message() const;

  // "OK" or "INVALID_ARGUMENT: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>", keeping the code. Used to add the
  // name of the input (a file, a line number) as an error travels outwards.
  Status WithContext(std::string_view prefix) const;

  // Explicitly drops a status the caller has decided not to act on.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  // Null when OK; shared because statuses are immutable once made.
  std::shared_ptr<const State> state_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status PermissionDeniedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnimplementedError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

}  // namespace vigil

#define VIGIL_STATUS_CONCAT_INNER_(a, b) a##b
#define VIGIL_STATUS_CONCAT_(a, b) VIGIL_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function with the status of `expr` when it is not OK.
#define RETURN_IF_ERROR(expr)                                          \
  do {                                                                 \
    ::vigil::Status vigil_status_ = ::vigil::internal::ToStatus(expr); \
    if (!vigil_status_.ok()) return vigil_status_;                     \
  } while (false)

namespace vigil::internal {
inline const Status& ToStatus(const Status& s) { return s; }
}  // namespace vigil::internal

#endif  // VIGIL_CORE_STATUS_H_
