#include "privacy/account_identity.h"

#include <fmt/format.h>

#include <vector>

#include "privacy/key_text.h"

namespace vigil::privacy {
namespace {

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<std::vector<uint8_t>> FromHex(std::string_view hex) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = value(hex[2 * i]);
    const int lo = value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

std::string AccountSealId(int64_t case_id) { return fmt::format("account:case:{}", case_id); }

Status KeepClearAccountId(PrivacyStore& store, const EvidenceCipher& cipher, int64_t case_id,
                          std::string_view clear, TimePoint now) {
  if (clear.empty() || clear.size() > kMaxAccountIdBytes) {
    return InvalidArgumentError(fmt::format("case {}: a clear account id must have 1 to {} bytes",
                                            case_id, kMaxAccountIdBytes));
  }
  if (Pseudonymiser::LooksPseudonymised(clear)) {
    return InvalidArgumentError(
        fmt::format("case {}: the account id to keep for reports is already a pseudonym", case_id));
  }
  ASSIGN_OR_RETURN(
      std::vector<uint8_t> sealed,
      cipher.Seal(std::span(reinterpret_cast<const uint8_t*>(clear.data()), clear.size()),
                  AccountSealId(case_id)));
  return store.PutSealedAccount(case_id, ToHex(sealed), now);
}

Result<std::optional<std::string>> RevealClearAccountId(PrivacyStore& store,
                                                        const EvidenceCipher& cipher,
                                                        int64_t case_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> hex, store.GetSealedAccount(case_id));
  if (!hex) return std::optional<std::string>();
  const std::optional<std::vector<uint8_t>> sealed = FromHex(*hex);
  if (!sealed) {
    return DataLossError(
        fmt::format("case {}: the stored account id is not hex (damaged row)", case_id));
  }
  auto plain = cipher.Open(*sealed, AccountSealId(case_id));
  if (!plain.ok()) {
    return Status(plain.status().code(),
                  fmt::format("case {}: stored account id: {}", case_id, plain.status().message()));
  }
  return std::optional<std::string>(std::string(plain->begin(), plain->end()));
}

std::string AccountJobSealId(std::string_view pseudonym) {
  return fmt::format("account:pseudonym:{}", pseudonym);
}

Result<JobAccount> SealAccountForJob(const Pseudonymiser& pseudonyms, const EvidenceCipher& cipher,
                                     std::string_view account) {
  if (account.empty() || account.size() > kMaxAccountIdBytes) {
    return InvalidArgumentError(
        fmt::format("an account id must have 1 to {} bytes", kMaxAccountIdBytes));
  }
  if (Pseudonymiser::LooksPseudonymised(account)) return JobAccount{std::string(account), {}};
  JobAccount out{pseudonyms.Pseudonymise(account), {}};
  ASSIGN_OR_RETURN(
      std::vector<uint8_t> sealed,
      cipher.Seal(std::span(reinterpret_cast<const uint8_t*>(account.data()), account.size()),
                  AccountJobSealId(out.account_id)));
  out.sealed_account_id = ToHex(sealed);
  return out;
}

Result<std::string> OpenJobAccount(const Pseudonymiser& pseudonyms, const EvidenceCipher& cipher,
                                   std::string_view pseudonym, std::string_view sealed_hex,
                                   std::string_view where) {
  const std::string_view key_id = Pseudonymiser::KeyIdOf(pseudonym);
  if (key_id.empty()) {
    return InvalidArgumentError(fmt::format(
        "{}: a sealed account id comes with a pseudonym as account_id, not a clear id", where));
  }
  const std::optional<std::vector<uint8_t>> sealed = FromHex(sealed_hex);
  if (!sealed || sealed->empty()) {
    return InvalidArgumentError(fmt::format("{}: the sealed account id is not hex", where));
  }
  auto plain = cipher.Open(*sealed, AccountJobSealId(pseudonym));
  if (!plain.ok()) {
    return Status(plain.status().code(),
                  fmt::format("{}: sealed account id: {}", where, plain.status().message()));
  }
  std::string clear(plain->begin(), plain->end());
  auto expected = pseudonyms.PseudonymiseUnder(key_id, clear);
  if (!expected.ok()) {
    return Status(expected.status().code(),
                  fmt::format("{}: account pseudonym: {}", where, expected.status().message()));
  }
  if (*expected != pseudonym) {
    return DataLossError(fmt::format(
        "{}: the sealed account id is not the clear id of the job's pseudonym (key '{}')", where,
        key_id));
  }
  return clear;
}

Result<Pseudonymiser> LoadPseudonymiser(const std::string& key_file, std::string_view env_text,
                                        std::string current_id) {
  ASSIGN_OR_RETURN(KeyText key_text,
                   ReadKeyText(key_file, env_text, "VIGIL_PSEUDONYM_KEYS",
                               "no pseudonymisation key: give a key file (--pseudonym-keys) or set "
                               "VIGIL_PSEUDONYM_KEYS"));
  const std::string& name = key_text.source;
  ASSIGN_OR_RETURN(std::vector<PseudonymKey> keys, ParsePseudonymKeys(key_text.text, name));
  if (current_id.empty()) current_id = keys.back().id;
  auto p = Pseudonymiser::Create(std::move(keys), current_id);
  if (!p.ok()) return Status(p.status().code(), fmt::format("{}: {}", name, p.status().message()));
  return p;
}

}  // namespace vigil::privacy
