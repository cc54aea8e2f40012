// vigil's /v1 API for hash exchanges (docs/exchanges.md): each exchange's last sync, counts,
// last error and its confirmed hashes waiting to be shared (Art 7). Read-only; endpoints,
// options and credential references stay out of the answer (a URL may carry a token).
#include "exchange/exchange.h"
#include "server/routes.h"

namespace vigil::server {
namespace {

Json OptionalTime(const std::optional<TimePoint>& t) { return t ? Json(FormatUtc(*t)) : Json(); }

Result<Json> ExchangeJson(ServerContext& ctx, const exchange::ExchangeRecord& r) {
  ASSIGN_OR_RETURN(exchange::ShareCounts shares, ctx.db->share_queue().Counts(r.config.id));
  const exchange::ExchangeState& s = r.state;
  return Json{{"name", r.config.name},
              {"type", exchange::ExchangeTypeName(r.config.type)},
              {"bank", r.config.bank},
              {"organisation", r.config.organisation},
              {"organisation_kind", r.config.organisation_kind},
              {"share", r.config.share},
              {"last_sync_at", OptionalTime(s.last_sync_at)},
              {"last_error", s.last_error},
              {"last_error_at", OptionalTime(s.last_error_at)},
              {"pages", s.pages},
              {"added", s.added},
              {"updated", s.updated},
              {"removed", s.removed},
              {"shares",
               {{"pending", shares.pending},
                {"shared", shares.shared},
                {"refused", shares.refused},
                {"cancelled", shares.cancelled},
                {"withdrawing", shares.withdrawing},
                {"withdrawn", shares.withdrawn},
                {"withdraw_refused", shares.withdraw_refused},
                {"oldest_pending", OptionalTime(shares.oldest_pending)},
                {"last_error", shares.last_error}}}};
}

}  // namespace

namespace handlers {

Result<Reply> V1ListExchanges(Call& call) {
  ASSIGN_OR_RETURN(std::vector<exchange::ExchangeRecord> all,
                   call.ctx.db->exchanges().ListExchanges());
  Json list = Json::array();
  for (const exchange::ExchangeRecord& r : all) {
    ASSIGN_OR_RETURN(Json j, ExchangeJson(call.ctx, r));
    list.push_back(std::move(j));
  }
  return JsonReply({{"exchanges", list}});
}

Result<Reply> V1GetExchange(Call& call) {
  ASSIGN_OR_RETURN(exchange::ExchangeRecord r,
                   call.ctx.db->exchanges().GetExchange(call.params.at("name")));
  ASSIGN_OR_RETURN(Json j, ExchangeJson(call.ctx, r));
  return JsonReply(j);
}

}  // namespace handlers
}  // namespace vigil::server
