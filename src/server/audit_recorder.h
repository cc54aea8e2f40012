// AuditRecorder: where the server records who changed what and who viewed which evidence.
//
// The server calls it after every successful state change and before releasing every view of
// evidence (a case, a bank entry). AuditLogRecorder appends to the hash-chained audit log
// (module `audit`, Database::audit()), which `vigil audit verify` checks; the interface exists so
// tests can make recording fail.
//
// Thread safety: implementations must be safe to call from the server's worker threads.
#ifndef VIGIL_SERVER_AUDIT_RECORDER_H_
#define VIGIL_SERVER_AUDIT_RECORDER_H_

#include "audit/audit.h"
#include "core/status.h"

namespace vigil::server {

class AuditRecorder {
 public:
  virtual ~AuditRecorder() = default;
  // Stores one event durably; an error means it was not recorded.
  virtual Status Record(const audit::AuditEvent& event) = 0;
};

// Appends to an audit log; `log` must outlive the recorder.
class AuditLogRecorder final : public AuditRecorder {
 public:
  explicit AuditLogRecorder(audit::AuditStore& log) : log_(log) {}
  Status Record(const audit::AuditEvent& event) override { return log_.Append(event).status(); }

 private:
  audit::AuditStore& log_;
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_AUDIT_RECORDER_H_
