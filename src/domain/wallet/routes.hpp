// The signed-in user's wallet (the plan's wallet controller) and the tracked assets:
//
//   GET /api/v1/wallet               address, coin balance and each tracked asset's balance,
//                                    each with the block it is true at and where it came from
//   GET /api/v1/wallet/transactions  the user's transactions and token transfers, newest first,
//                                    each with direction (in, out, self) and counterparty
//   GET /api/v1/assets               the tracked assets with their metadata
//
// Balances come through the plan's blockchain cache (blockchain:balance:{address}, written by
// the chain-events worker), then the index, then the node (off the shard's loop).
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::wallet {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::wallet
