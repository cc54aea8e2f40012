#include "exchange/source.h"

#include "exchange/credentials.h"
#include "exchange/internal/open.h"

namespace vigil::exchange {

Result<std::unique_ptr<Exchange>> OpenExchange(const ExchangeConfig& config,
                                               const OpenOptions& options) {
  ASSIGN_OR_RETURN(std::string secret, ResolveCredentials(config.credentials_ref, options.getenv));
  switch (config.type) {
    case ExchangeType::kFile:
      return internal::OpenFileExchange(config, std::move(secret), options);
    case ExchangeType::kNcmec:
      return internal::OpenNcmecExchange(config, std::move(secret), options);
    case ExchangeType::kThreatExchange:
      return internal::OpenThreatExchange(config, std::move(secret), options);
  }
  return InvalidArgumentError("unknown exchange type");
}

}  // namespace vigil::exchange
