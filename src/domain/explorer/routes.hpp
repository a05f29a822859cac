// PendScan's explorer API over the indexed chain (docs/architecture/chain.md, "Explorer"):
//
//   GET /api/v1/explorer/blocks                       latest first; ?type=reorg: replaced ones
//   GET /api/v1/explorer/blocks/{number_or_hash}      a replaced block by hash: consensus false
//   GET /api/v1/explorer/blocks/{number_or_hash}/transactions
//   GET /api/v1/explorer/transactions                 latest first
//   GET /api/v1/explorer/transactions/{hash}          with fee, method id, logs, token transfers
//   GET /api/v1/explorer/transactions/{hash}/logs
//   GET /api/v1/explorer/stats                        head, indexed height, lag, counts
//   GET /api/v1/explorer/addresses/{address}          balance (and its block), counters, seen
//   GET /api/v1/explorer/addresses/{address}/transactions, /token-transfers, /tokens
//   GET /api/v1/explorer/tokens, /tokens/{address}, /tokens/{address}/transfers, /holders
//   GET /api/v1/explorer/search?q=                    typed results
//
// Lists are keyset pages (?limit=&cursor=). Unknown: 404; a malformed number, hash: 400 naming
// the parameter.
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::explorer {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::explorer
