// Private: the constructors OpenExchange dispatches to, one per exchange type.
#ifndef VIGIL_EXCHANGE_INTERNAL_OPEN_H_
#define VIGIL_EXCHANGE_INTERNAL_OPEN_H_

#include <memory>
#include <string>

#include "exchange/source.h"

namespace vigil::exchange::internal {

// `secret` is the resolved credentials ("" when none).
Result<std::unique_ptr<Exchange>> OpenFileExchange(const ExchangeConfig& config, std::string secret,
                                                   const OpenOptions& options);
Result<std::unique_ptr<Exchange>> OpenNcmecExchange(const ExchangeConfig& config,
                                                    std::string secret, const OpenOptions& options);
Result<std::unique_ptr<Exchange>> OpenThreatExchange(const ExchangeConfig& config,
                                                     std::string secret,
                                                     const OpenOptions& options);

}  // namespace vigil::exchange::internal

#endif  // VIGIL_EXCHANGE_INTERNAL_OPEN_H_
