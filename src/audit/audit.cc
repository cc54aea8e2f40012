#include "audit/audit.h"

#include <fmt/format.h>

#include <charconv>

#include "core/text.h"
#include "hash/digest.h"

namespace vigil::audit {
namespace {

// Bumped only together with a migration that rewrites stored chains.
constexpr std::string_view kDomainTag = "vigil-audit-v1";
constexpr size_t kMaxFieldBytes = 64 * 1024;

void AppendField(std::string& out, std::string_view value) {
  fmt::format_to(std::back_inserter(out), "{}:", value.size());
  out.append(value);
  out.push_back('\n');
}

bool IsLowerHex(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Status CheckField(std::string_view name, std::string_view value, bool required) {
  if (required && value.empty()) {
    return InvalidArgumentError(fmt::format("audit event: {} is empty", name));
  }
  if (value.size() > kMaxFieldBytes) {
    return InvalidArgumentError(fmt::format("audit event: {} is {} bytes, more than {}", name,
                                            value.size(), kMaxFieldBytes));
  }
  if (!IsValidUtf8(value)) {
    return InvalidArgumentError(fmt::format("audit event: {} is not valid UTF-8", name));
  }
  return Status::Ok();
}

}  // namespace

std::string ChainHash(std::string_view prev_hash, int64_t seq, TimePoint at,
                      const AuditEvent& event) {
  std::string message;
  AppendField(message, kDomainTag);
  AppendField(message, prev_hash);
  AppendField(message, std::to_string(seq));
  AppendField(message, std::to_string(at.time_since_epoch().count()));
  AppendField(message, event.actor);
  AppendField(message, event.action);
  AppendField(message, event.target);
  AppendField(message, event.origin);
  AppendField(message, event.details);
  const auto bytes = std::span(reinterpret_cast<const uint8_t*>(message.data()), message.size());
  return hash::DigestToHex(hash::Sha256(bytes));
}

Status ValidateEvent(const AuditEvent& event) {
  RETURN_IF_ERROR(CheckField("actor", event.actor, true));
  RETURN_IF_ERROR(CheckField("action", event.action, true));
  RETURN_IF_ERROR(CheckField("target", event.target, false));
  RETURN_IF_ERROR(CheckField("origin", event.origin, false));
  return CheckField("details", event.details, false);
}

Result<ChainHead> VerifyChain(AuditStore& store, size_t page_size) {
  if (page_size == 0) return InvalidArgumentError("audit verify: page size must be at least 1");
  ASSIGN_OR_RETURN(std::optional<AuditCheckpoint> cp, store.LatestCheckpoint());
  ChainHead head{.records = 0,
                 .seq = cp ? cp->through_seq : 0,
                 .hash = cp ? cp->hash : std::string(kGenesisHash)};
  while (true) {
    ASSIGN_OR_RETURN(std::vector<AuditRecord> page, store.List(head.seq + 1, page_size));
    for (const AuditRecord& r : page) {
      if (r.seq != head.seq + 1) {
        return DataLossError(
            fmt::format("audit log broken at seq {}: records {} to {} are missing (deleted?)",
                        head.seq + 1, head.seq + 1, r.seq - 1));
      }
      if (r.prev_hash != head.hash) {
        return DataLossError(fmt::format(
            "audit log broken at seq {}: prev_hash {} does not link to record {} (hash {})", r.seq,
            r.prev_hash, head.seq, head.hash));
      }
      if (!IsLowerHex(r.hash) || r.hash != ChainHash(r.prev_hash, r.seq, r.at, r.event)) {
        return DataLossError(fmt::format(
            "audit log broken at seq {}: its fields do not match its hash (edited?)", r.seq));
      }
      head.seq = r.seq;
      head.hash = r.hash;
      ++head.records;
    }
    if (page.size() < page_size) return head;
  }
}

Status VerifyAnchor(AuditStore& store, int64_t seq, std::string_view hash) {
  ASSIGN_OR_RETURN(std::optional<AuditCheckpoint> cp, store.LatestCheckpoint());
  if (cp && seq == cp->through_seq) {
    if (cp->hash == hash) return Status::Ok();
    return DataLossError(fmt::format(
        "audit log differs from the anchor at seq {}: the purge checkpoint has hash {}, the "
        "anchor says {}",
        seq, cp->hash, hash));
  }
  if (cp && seq < cp->through_seq) {
    return FailedPreconditionError(
        fmt::format("record {} was purged by retention (checkpoint through seq {} at {}); check "
                    "a newer anchor",
                    seq, cp->through_seq, FormatUtc(cp->purged_at)));
  }
  ASSIGN_OR_RETURN(std::vector<AuditRecord> found, store.List(seq, 1));
  if (found.empty() || found.front().seq != seq) {
    return DataLossError(fmt::format(
        "audit log does not reach the anchor: record {} is missing (the log was truncated)", seq));
  }
  if (found.front().hash != hash) {
    return DataLossError(
        fmt::format("audit log differs from the anchor at seq {}: hash is {}, "
                    "the anchor says {}",
                    seq, found.front().hash, hash));
  }
  return Status::Ok();
}

Result<std::pair<int64_t, std::string>> ParseAnchor(std::string_view text) {
  const size_t colon = text.find(':');
  int64_t seq = 0;
  if (colon != std::string_view::npos) {
    const std::string_view digits = text.substr(0, colon);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
    const std::string_view hash = text.substr(colon + 1);
    if (ec == std::errc() && end == digits.data() + digits.size() && seq >= 1 && IsLowerHex(hash)) {
      return std::pair<int64_t, std::string>(seq, std::string(hash));
    }
  }
  return InvalidArgumentError(fmt::format(
      "audit anchor '{}' is not SEQ:HASH (a seq from 1 and 64 lowercase hex digits)", text));
}

}  // namespace vigil::audit
