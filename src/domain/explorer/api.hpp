// The explorer API's query types (PendScan's pages), named like their components in
// docs/api/openapi.yaml. The answers are built from the chain tables' rows (routes.cpp):
// 256-bit values as decimal strings, addresses in EIP-55, hashes and bytes as 0x hex,
// timestamps RFC 3339 UTC, lists as keyset pages ({"items", "next_cursor"}).
#pragma once

#include "http/problems.hpp"

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pend::domain::explorer::api {

// GET /blocks: the consensus chain, latest first; type=reorg: the replaced blocks.
struct BlockListQuery {
  static constexpr std::string_view kSchema = "ExplorerBlockListQuery";
  std::optional<std::string> type;
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(BlockListQuery, (), (type, limit, cursor))

// Every other list: a page.
struct PageQuery {
  static constexpr std::string_view kSchema = "ExplorerPageQuery";
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(PageQuery, (), (limit, cursor))

// GET /search?q=: a block number, a block or transaction hash, an address, or the start of
// a token's symbol or name.
struct SearchQuery {
  static constexpr std::string_view kSchema = "ExplorerSearchQuery";
  std::optional<std::string> q;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(SearchQuery, (), (q))

}  // namespace pend::domain::explorer::api
