#include "redress/redress_test_support.h"

namespace vigil::redress::testing {

void RedressFixture::SetUp() {
  banks_ = std::make_unique<bank::InMemoryBankStore>(clock_);
  auto b = banks_->CreateBank({.name = "known"});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  bank::EntryBatch batch;
  ASSERT_TRUE(
      batch
          .Add({.signal_type = bank::SignalType::kMd5, .value = "0123456789abcdef0123456789abcdef"})
          .ok());
  ASSERT_TRUE(banks_->AddEntries(b->id, batch).ok());
  ASSERT_TRUE(banks_
                  ->ForEachEntry(b->id, {},
                                 [&](const bank::BankEntry& e) {
                                   entry_id_ = e.id;
                                   return Status::Ok();
                                 })
                  .ok());
  auto review = cases::ReviewService::Create(cases_, sink_, clock_, cases::ReviewConfig{});
  ASSERT_TRUE(review.ok()) << review.status().ToString();
  review_ = std::move(*review);
  auto templates = NoticeTemplates::Embedded();
  ASSERT_TRUE(templates.ok()) << templates.status().ToString();
  auto service = RedressService::Create(
      *review_,
      {.cases = &cases_, .redress = &redress_, .banks = banks_.get(), .report_outbox = &reports_},
      *templates, clock_, config_);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  service_ = std::move(*service);
}

cases::Case RedressFixture::DecidedCase(cases::Decision decision, const std::string& reviewer) {
  cases::NewCase n{.account_id = "acct-1", .surface = "photos/upload"};
  n.items.push_back({.item_id = "item-1",
                     .content_type = "image",
                     .received_at = clock_->Now(),
                     .flags = {{.technology = "md5",
                                .raw_value = 0,
                                .bank_entry_id = entry_id_,
                                .bank_name = "known"}}});
  n.items.push_back({.item_id = "item-2",
                     .content_type = "image",
                     .received_at = clock_->Now(),
                     .flags = {{.technology = "pdq@1 r<=31",
                                .raw_value = 4,
                                .bank_entry_id = entry_id_,
                                .bank_name = "known"}}});
  auto opened = review_->OpenCase(n);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  const cases::CaseId id = opened->opened.id;
  redress_.AddCase(id);
  EXPECT_TRUE(review_->Claim(id, reviewer).ok());
  auto decided = review_->Decide(
      id, {.reviewer = reviewer, .decision = decision, .rationale = "seen and compared"});
  EXPECT_TRUE(decided.ok()) << decided.status().ToString();
  return decided->after;
}

Action RedressFixture::Act(cases::CaseId id, ActionKind kind, const std::string& item,
                           const std::string& language) {
  auto a = service_->TakeAction({.case_id = id,
                                 .kind = kind,
                                 .item_id = item,
                                 .reason = "known child sexual abuse material",
                                 .actor = "rev-a",
                                 .language = language});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? *a : Action{};
}

std::vector<std::string> RedressFixture::EventActions(cases::CaseId id) {
  std::vector<std::string> out;
  auto events = cases_.ListEvents({.case_id = id});
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  for (const cases::CaseEvent& e : *events) out.push_back(e.action);
  return out;
}

}  // namespace vigil::redress::testing
