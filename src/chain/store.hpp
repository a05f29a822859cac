// ChainStore: the indexed chain in PostgreSQL (migrations/013_chain.sql) as the indexer writes
// it, on the indexer's own session. A batch of blocks is one transaction: its rows go in
// with COPY (straight into the tables when the range is new, through temporary tables and
// INSERT ... ON CONFLICT when some of it is there already, so re-indexing a range is
// idempotent), together with the cursor, so a killed indexer leaves either the whole batch
// or none of it. unwind() is the reorg: the blocks above a height lose consensus, with every
// row of theirs, and their events are voided, in one transaction.
//
//   ChainStore store(session);
//   auto cursor = store.cursor(settings.start_block);
//   store.write(blocks, events, head);
#pragma once

#include "chain/block_data.hpp"
#include "db/blocking_session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pend::chain {

struct Cursor {
  std::uint64_t next_block = 0;  // the next height to import
  std::optional<std::uint64_t> head;
  std::uint64_t reorgs = 0;
  std::optional<std::uint64_t> chain_id;  // the chain the index holds, once known
};

// A decoded log of a tracked token or configured contract (a blockchain_events row).
struct EventRow {
  std::string block_hash;  // raw
  std::uint64_t block_number = 0;
  std::int64_t timestamp = 0;
  std::uint32_t log_index = 0;
  std::string event_type;        // the event's name
  std::string contract_address;  // EIP-55
  std::string transaction_hash;  // 0x hex
  std::string event_signature;   // topic0, 0x hex
  std::string decoded_data;      // JSON text
  std::string raw_data;          // the log's data, 0x hex
};

struct WriteReport {
  std::size_t blocks = 0, transactions = 0, logs = 0, transfers = 0, events = 0;
  bool merged = false;       // some rows were there already (the slower path)
  std::size_t replaced = 0;  // consensus blocks the node has not got, now replaced
  std::size_t rows() const { return blocks + transactions + logs + transfers + events; }
};

class ChainStore {
 public:
  explicit ChainStore(db::BlockingSession& session) : session_(session) {}

  // The cursor row, made at start_block when there is none.
  Cursor cursor(std::uint64_t start_block);
  // The consensus block's hash at a height (raw bytes), if one is stored.
  std::optional<std::string> consensus_hash(std::uint64_t number);
  // The highest stored consensus block below `below`, as (number, hash).
  std::optional<std::pair<std::uint64_t, std::string>> tip(std::uint64_t below);

  // Blocks in ascending order, each the parent of the next; then the cursor moves past the
  // last one. One transaction.
  WriteReport write(const std::vector<BlockData>& blocks, const std::vector<EventRow>& events,
                    std::optional<std::uint64_t> head);
  // Blocks at `from` and above lose consensus (and their rows), their events are voided and
  // queued again, the cursor goes back to `from`. Returns how many blocks were replaced.
  std::uint64_t unwind(std::uint64_t from, std::uint64_t depth);
  void set_head(std::uint64_t head);
  void set_chain_id(std::uint64_t chain_id);

 private:
  void copy_rows(const std::vector<BlockData>& blocks, const std::vector<EventRow>& events,
                 bool staging, WriteReport& report);
  void ensure_staging();

  db::BlockingSession& session_;
  bool staging_ready_ = false;
};

}  // namespace pend::chain
