#include "queue/job.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "queue/queue.h"

namespace vigil::queue {
namespace {

using Json = nlohmann::json;

bool IsHex(std::string_view s, size_t digits) {
  if (s.size() != digits) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

Result<std::string> TextField(const Json& j, const char* name, bool required,
                              std::string_view where) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required)
      return InvalidArgumentError(fmt::format("{}: field '{}' is missing", where, name));
    return std::string();
  }
  if (!it->is_string()) {
    return InvalidArgumentError(fmt::format("{}: field '{}' must be a string", where, name));
  }
  return it->get<std::string>();
}

Result<std::string> HexField(const Json& j, const char* name, size_t digits, bool required,
                             std::string_view where) {
  ASSIGN_OR_RETURN(std::string value, TextField(j, name, required, where));
  if (value.empty() && !required) return value;
  if (!IsHex(value, digits)) {
    return InvalidArgumentError(
        fmt::format("{}: field '{}' must be {} hex digits", where, name, digits));
  }
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value;
}

Status ReadOptional(const Json& j, std::string_view where, ScanJob* job) {
  ASSIGN_OR_RETURN(std::string surface, TextField(j, "surface", false, where));
  if (!surface.empty()) job->surface = surface;
  ASSIGN_OR_RETURN(std::string region, TextField(j, "region", false, where));
  if (!region.empty()) {
    if (region != "eu" && region != "non-eu" && region != "unknown") {
      return InvalidArgumentError(
          fmt::format("{}: region '{}' is not eu, non-eu or unknown", where, region));
    }
    job->region = region;
  }
  if (auto q = j.find("pdq_quality"); q != j.end()) {
    if (!q->is_number_integer() || q->get<int64_t>() < 0 || q->get<int64_t>() > 100) {
      return InvalidArgumentError(
          fmt::format("{}: field 'pdq_quality' must be an integer 0..100", where));
    }
    job->pdq_quality = q->get<int>();
  }
  if (auto e = j.find("end_to_end_encrypted"); e != j.end()) {
    if (!e->is_boolean()) {
      return InvalidArgumentError(
          fmt::format("{}: field 'end_to_end_encrypted' must be true or false", where));
    }
    job->end_to_end_encrypted = e->get<bool>();
  }
  ASSIGN_OR_RETURN(std::string sealed, TextField(j, "sealed_account_id", false, where));
  if (auto f = j.find("sealed_account_id"); f != j.end() && !f->is_null()) {
    if (sealed.empty() || sealed.size() % 2 != 0 || sealed.size() > kMaxSealedAccountHex ||
        sealed.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return InvalidArgumentError(fmt::format(
          "{}: field 'sealed_account_id' must be an even number of lowercase hex digits, at most "
          "{}",
          where, kMaxSealedAccountHex));
    }
    job->sealed_account_id = std::move(sealed);
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeJob(const ScanJob& job) {
  nlohmann::ordered_json j;
  j["item_id"] = job.item_id;
  j["account_id"] = job.account_id;
  j["surface"] = job.surface;
  j["region"] = job.region;
  if (job.pdq) {
    j["pdq"] = *job.pdq;
    j["pdq_quality"] = job.pdq_quality;
  }
  j["md5"] = job.md5;
  j["sha256"] = job.sha256;
  if (job.end_to_end_encrypted) j["end_to_end_encrypted"] = true;
  if (job.sealed_account_id) j["sealed_account_id"] = *job.sealed_account_id;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ScanJob> DecodeJob(std::string_view data, std::string_view where) {
  if (data.size() > kMaxJobBytes) {
    return ResourceExhaustedError(fmt::format("{}: {} bytes, more than the {} a job may have",
                                              where, data.size(), kMaxJobBytes));
  }
  Json j = Json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", where));
  if (!j.is_object()) return InvalidArgumentError(fmt::format("{}: not a JSON object", where));
  ScanJob job;
  ASSIGN_OR_RETURN(job.item_id, TextField(j, "item_id", true, where));
  ASSIGN_OR_RETURN(job.account_id, TextField(j, "account_id", true, where));
  if (job.item_id.empty()) return InvalidArgumentError(fmt::format("{}: item_id is empty", where));
  if (job.account_id.empty()) {
    return InvalidArgumentError(fmt::format("{}: account_id is empty", where));
  }
  ASSIGN_OR_RETURN(std::string pdq, HexField(j, "pdq", 64, false, where));
  if (!pdq.empty()) job.pdq = pdq;
  ASSIGN_OR_RETURN(job.md5, HexField(j, "md5", 32, true, where));
  ASSIGN_OR_RETURN(job.sha256, HexField(j, "sha256", 64, true, where));
  RETURN_IF_ERROR(ReadOptional(j, where, &job));
  return job;
}

}  // namespace vigil::queue

namespace vigil::queue {

std::string BankEventSubject(const BankEvent& event) {
  return event.kind == BankEvent::Kind::kBankCreated ? fmt::format("bank {}", event.bank_id)
                                                     : fmt::format("entry {}", event.entry_id);
}

std::string EncodeBankEvent(const BankEvent& event) {
  nlohmann::ordered_json j;
  switch (event.kind) {
    case BankEvent::Kind::kAdded:
    case BankEvent::Kind::kRetired:
      j["kind"] = event.kind == BankEvent::Kind::kAdded ? "added" : "retired";
      j["entry_id"] = event.entry_id;
      break;
    case BankEvent::Kind::kBankCreated:
      j["kind"] = "bank_created";
      j["bank_id"] = event.bank_id;
      break;
  }
  return j.dump();
}

Result<BankEvent> DecodeBankEvent(std::string_view data, std::string_view where) {
  nlohmann::json j = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", where));
  }
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string() ||
      (*kind != "added" && *kind != "retired" && *kind != "bank_created")) {
    return InvalidArgumentError(
        fmt::format("{}: kind must be \"added\", \"retired\" or \"bank_created\"", where));
  }
  const bool created = *kind == "bank_created";
  const char* field = created ? "bank_id" : "entry_id";
  auto id = j.find(field);
  if (id == j.end() || !id->is_number_integer() || id->get<int64_t>() <= 0) {
    return InvalidArgumentError(fmt::format("{}: {} must be a positive integer", where, field));
  }
  if (created)
    return BankEvent{.kind = BankEvent::Kind::kBankCreated, .bank_id = id->get<int64_t>()};
  return BankEvent{.kind = *kind == "added" ? BankEvent::Kind::kAdded : BankEvent::Kind::kRetired,
                   .entry_id = id->get<int64_t>()};
}

}  // namespace vigil::queue
