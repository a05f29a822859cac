#include "chain/store.hpp"

#include "db/copy_encoder.hpp"
#include "util/hex.hpp"

#include <map>
#include <set>

namespace pend::chain {

namespace {

constexpr const char* kBlockColumns =
    "(hash, number, parent_hash, consensus, timestamp, miner, gas_used, gas_limit, "
    "base_fee_per_gas, transaction_count, size)";
constexpr const char* kTransactionColumns =
    "(hash, block_hash, block_number, block_timestamp, block_consensus, index, from_address, "
    "to_address, created_contract_address, value, nonce, gas, gas_price, max_fee_per_gas, "
    "max_priority_fee_per_gas, effective_gas_price, gas_used, cumulative_gas_used, type, status, "
    "input, method_id)";
constexpr const char* kLogColumns =
    "(block_hash, log_index, block_number, block_consensus, transaction_hash, transaction_index, "
    "address, topic0, topic1, topic2, topic3, data)";
constexpr const char* kTransferColumns =
    "(block_hash, log_index, batch_index, block_number, block_timestamp, block_consensus, "
    "transaction_hash, token_address, token_type, from_address, to_address, amount, token_id)";
constexpr const char* kEventColumns =
    "(timestamp, event_type, contract_address, transaction_hash, block_number, block_hash, "
    "log_index, event_signature, decoded_data, raw_data)";

db::Timestamp timestamp_of(std::int64_t seconds) {
  return db::Timestamp{std::chrono::seconds{seconds}};
}

// A transaction that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(db::BlockingSession& session) : session_(session) { session_.exec("BEGIN"); }
  ~Transaction() {
    if (open_) {
      try {
        session_.exec("ROLLBACK");
      } catch (...) {  // the session is broken: it ends, and the transaction with it
      }
    }
  }
  void commit() {
    session_.exec("COMMIT");
    open_ = false;
  }

 private:
  db::BlockingSession& session_;
  bool open_ = true;
};

void optional_decimal(db::CopyEncoder& rows, const std::optional<std::string>& value) {
  if (value)
    rows.field(*value);
  else
    rows.null();
}

void optional_bytes(db::CopyEncoder& rows, const std::string& value) {
  if (value.empty())
    rows.null();
  else
    rows.bytea(value);
}

}  // namespace

Cursor ChainStore::cursor(std::uint64_t start_block) {
  session_.exec(
      "INSERT INTO chain_sync (name, next_block) VALUES ('main', $1) ON CONFLICT DO NOTHING",
      {std::to_string(start_block)});
  const auto rows = session_.exec(
      "SELECT next_block, coalesce(head_block, -1), reorgs, coalesce(chain_id, -1) FROM chain_sync "
      "WHERE name = 'main'");
  Cursor cursor;
  cursor.next_block = std::stoull(rows.value(0, 0));
  if (const auto head = std::stoll(rows.value(0, 1)); head >= 0)
    cursor.head = static_cast<std::uint64_t>(head);
  cursor.reorgs = std::stoull(rows.value(0, 2));
  if (const auto id = std::stoll(rows.value(0, 3)); id >= 0)
    cursor.chain_id = static_cast<std::uint64_t>(id);
  return cursor;
}

std::optional<std::string> ChainStore::consensus_hash(std::uint64_t number) {
  const auto rows =
      session_.exec("SELECT encode(hash, 'hex') FROM blocks WHERE number = $1 AND consensus",
                    {std::to_string(number)});
  if (rows.size() == 0) return std::nullopt;
  return util::from_hex(rows.value(0, 0));
}

std::optional<std::pair<std::uint64_t, std::string>> ChainStore::tip(std::uint64_t below) {
  const auto rows = session_.exec(
      "SELECT number, encode(hash, 'hex') FROM blocks WHERE number < $1 AND consensus "
      "ORDER BY number DESC LIMIT 1",
      {std::to_string(below)});
  if (rows.size() == 0) return std::nullopt;
  return std::pair{std::stoull(rows.value(0, 0)), util::from_hex(rows.value(0, 1)).value()};
}

void ChainStore::ensure_staging() {
  if (staging_ready_) return;
  session_.exec(
      "CREATE TEMP TABLE IF NOT EXISTS stage_blocks (LIKE blocks INCLUDING DEFAULTS) "
      "ON COMMIT DELETE ROWS;"
      "CREATE TEMP TABLE IF NOT EXISTS stage_transactions (LIKE transactions INCLUDING DEFAULTS) "
      "ON COMMIT DELETE ROWS;"
      "CREATE TEMP TABLE IF NOT EXISTS stage_logs (LIKE logs INCLUDING DEFAULTS) "
      "ON COMMIT DELETE ROWS;"
      "CREATE TEMP TABLE IF NOT EXISTS stage_token_transfers "
      "(LIKE token_transfers INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;"
      "CREATE TEMP TABLE IF NOT EXISTS stage_events (LIKE blockchain_events INCLUDING DEFAULTS) "
      "ON COMMIT DELETE ROWS");
  staging_ready_ = true;
}

void ChainStore::copy_rows(const std::vector<BlockData>& blocks,
                           const std::vector<EventRow>& events, bool staging, WriteReport& report) {
  const std::string prefix = staging ? "stage_" : "";
  db::CopyEncoder rows;
  const auto copy = [&](const std::string& table, const char* columns) {
    if (rows.rows() > 0)
      session_.copy_in("COPY " + prefix + table + " " + columns + " FROM STDIN", rows.data());
    rows.clear();
  };
  for (const auto& b : blocks) {
    rows.bytea(b.hash).field(static_cast<std::int64_t>(b.number)).bytea(b.parent_hash);
    rows.field(true).field(timestamp_of(b.timestamp)).bytea(b.miner);
    rows.field(b.gas_used).field(b.gas_limit);
    optional_decimal(rows, b.base_fee_per_gas);
    rows.field(static_cast<std::int64_t>(b.transactions.size()));
    if (b.size)
      rows.field(static_cast<std::int64_t>(*b.size));
    else
      rows.null();
    rows.end_row();
  }
  report.blocks = rows.rows();
  copy("blocks", kBlockColumns);
  for (const auto& b : blocks) {
    for (const auto& t : b.transactions) {
      rows.bytea(t.hash).bytea(b.hash).field(static_cast<std::int64_t>(b.number));
      rows.field(timestamp_of(b.timestamp)).field(true).field(static_cast<std::int64_t>(t.index));
      rows.bytea(t.from);
      optional_bytes(rows, t.to);
      optional_bytes(rows, t.created_contract);
      rows.field(t.value).field(static_cast<std::int64_t>(t.nonce)).field(t.gas);
      optional_decimal(rows, t.gas_price);
      optional_decimal(rows, t.max_fee_per_gas);
      optional_decimal(rows, t.max_priority_fee_per_gas);
      optional_decimal(rows, t.effective_gas_price);
      optional_decimal(rows, t.gas_used);
      optional_decimal(rows, t.cumulative_gas_used);
      rows.field(static_cast<std::int64_t>(t.type));
      if (t.status)
        rows.field(static_cast<std::int64_t>(*t.status));
      else
        rows.null();
      rows.bytea(t.input);
      if (t.input.size() >= 4)
        rows.bytea(std::string_view{t.input}.substr(0, 4));
      else
        rows.null();
      rows.end_row();
    }
  }
  report.transactions = rows.rows();
  copy("transactions", kTransactionColumns);
  for (const auto& b : blocks) {
    for (const auto& l : b.logs) {
      rows.bytea(b.hash).field(static_cast<std::int64_t>(l.log_index));
      rows.field(static_cast<std::int64_t>(b.number)).field(true).bytea(l.transaction_hash);
      rows.field(static_cast<std::int64_t>(l.transaction_index)).bytea(l.address);
      for (std::size_t i = 0; i < 4; ++i) {
        if (i < l.topics.size())
          rows.bytea(l.topics[i]);
        else
          rows.null();
      }
      rows.bytea(l.data).end_row();
    }
  }
  report.logs = rows.rows();
  copy("logs", kLogColumns);
  for (const auto& b : blocks) {
    for (const auto& t : b.transfers) {
      rows.bytea(b.hash).field(static_cast<std::int64_t>(t.log_index));
      rows.field(static_cast<std::int64_t>(t.batch_index))
          .field(static_cast<std::int64_t>(b.number));
      rows.field(timestamp_of(b.timestamp)).field(true).bytea(t.transaction_hash).bytea(t.token);
      rows.field(to_string(t.type)).bytea(t.from).bytea(t.to);
      optional_decimal(rows, t.amount);
      optional_decimal(rows, t.token_id);
      rows.end_row();
    }
  }
  report.transfers = rows.rows();
  copy("token_transfers", kTransferColumns);
  for (const auto& e : events) {
    rows.field(timestamp_of(e.timestamp)).field(e.event_type).field(e.contract_address);
    rows.field(e.transaction_hash).field(static_cast<std::int64_t>(e.block_number));
    rows.field(util::to_prefixed_hex(std::span{
        reinterpret_cast<const std::uint8_t*>(e.block_hash.data()), e.block_hash.size()}));
    rows.field(static_cast<std::int64_t>(e.log_index)).field(e.event_signature);
    rows.field(e.decoded_data).field(e.raw_data).end_row();
  }
  report.events = rows.rows();
  copy(staging ? "events" : "blockchain_events", kEventColumns);
}

WriteReport ChainStore::write(const std::vector<BlockData>& blocks,
                              const std::vector<EventRow>& events,
                              std::optional<std::uint64_t> head) {
  WriteReport report;
  if (blocks.empty()) return report;
  Transaction transaction(session_);
  // New heights go straight into the tables; a batch that meets rows already there (a range
  // indexed again, a branch seen before) is merged instead.
  session_.exec("SAVEPOINT direct");
  try {
    copy_rows(blocks, events, false, report);
    session_.exec("RELEASE SAVEPOINT direct");
  } catch (const db::DatabaseError& error) {
    if (error.sqlstate() != "23505") throw;
    session_.exec("ROLLBACK TO SAVEPOINT direct");
    ensure_staging();
    report = {};
    report.merged = true;
    copy_rows(blocks, events, true, report);
    // A consensus block the node does not have at its height (one import-legacy brought in
    // from the old server's files) gives way, with its rows, as after a reorg.
    const auto replaced = session_.exec(
        "UPDATE blocks b SET consensus = false, updated_at = now() FROM stage_blocks s "
        "WHERE b.number = s.number AND b.consensus AND b.hash <> s.hash RETURNING b.number");
    if (replaced.size() > 0) {
      session_.exec(
          "UPDATE transactions t SET block_consensus = false FROM stage_blocks s "
          "WHERE t.block_number = s.number AND t.block_consensus AND t.block_hash <> s.hash;"
          "UPDATE logs l SET block_consensus = false FROM stage_blocks s "
          "WHERE l.block_number = s.number AND l.block_consensus AND l.block_hash <> s.hash;"
          "UPDATE token_transfers t SET block_consensus = false FROM stage_blocks s "
          "WHERE t.block_number = s.number AND t.block_consensus AND t.block_hash <> s.hash");
      report.replaced = static_cast<std::size_t>(replaced.size());
    }
    session_.exec(
        "INSERT INTO blocks SELECT * FROM stage_blocks ON CONFLICT (hash) DO UPDATE "
        "SET consensus = true, updated_at = now() WHERE NOT blocks.consensus;"
        "INSERT INTO transactions SELECT * FROM stage_transactions "
        "ON CONFLICT (hash, block_hash) DO UPDATE SET block_consensus = true "
        "WHERE NOT transactions.block_consensus;"
        "INSERT INTO logs SELECT * FROM stage_logs ON CONFLICT (block_hash, log_index) "
        "DO UPDATE SET block_consensus = true WHERE NOT logs.block_consensus;"
        "INSERT INTO token_transfers SELECT * FROM stage_token_transfers "
        "ON CONFLICT (block_hash, log_index, batch_index) DO UPDATE SET block_consensus = true "
        "WHERE NOT token_transfers.block_consensus;"
        "INSERT INTO blockchain_events SELECT * FROM stage_events "
        "ON CONFLICT (block_hash, log_index) DO UPDATE SET voided = false, processed = false, "
        "processing_attempts = 0, dead = false, next_attempt_at = NULL, "
        "last_processing_error = NULL WHERE blockchain_events.voided");
  }
  // The token contracts the transfers name, each once.
  std::map<std::string, std::pair<std::string, std::uint64_t>> tokens;
  for (const auto& b : blocks) {
    for (const auto& t : b.transfers) tokens.try_emplace(t.token, to_string(t.type), b.number);
  }
  if (!tokens.empty()) {
    std::string addresses = "{", types = "{", firsts = "{";
    for (const auto& [address, entry] : tokens) {
      if (addresses.size() > 1) {
        addresses += ',';
        types += ',';
        firsts += ',';
      }
      addresses += util::to_hex(address);
      types += entry.first;
      firsts += std::to_string(entry.second);
    }
    session_.exec(
        "INSERT INTO tokens (contract_address, type, first_seen_block) "
        "SELECT decode(a, 'hex'), t, f FROM unnest($1::text[], $2::text[], $3::bigint[]) "
        "AS u(a, t, f) ON CONFLICT (contract_address) DO NOTHING",
        {addresses + "}", types + "}", firsts + "}"});
  }
  session_.exec(
      "UPDATE chain_sync SET next_block = $1, head_block = coalesce($2::bigint, head_block), "
      "head_seen_at = CASE WHEN $2::bigint IS NULL THEN head_seen_at ELSE now() END, "
      "updated_at = now() WHERE name = 'main'",
      {std::to_string(blocks.back().number + 1), head ? std::to_string(*head) : ""});
  transaction.commit();
  return report;
}

std::uint64_t ChainStore::unwind(std::uint64_t from, std::uint64_t depth) {
  Transaction transaction(session_);
  const std::vector<std::string> at{std::to_string(from)};
  const auto replaced = session_.exec(
      "UPDATE blocks SET consensus = false, updated_at = now() "
      "WHERE number >= $1 AND consensus RETURNING number",
      at);
  session_.exec(
      "UPDATE transactions SET block_consensus = false WHERE block_number >= $1 AND "
      "block_consensus",
      at);
  session_.exec(
      "UPDATE logs SET block_consensus = false WHERE block_number >= $1 AND block_consensus", at);
  session_.exec(
      "UPDATE token_transfers SET block_consensus = false WHERE block_number >= $1 AND "
      "block_consensus",
      at);
  // Their effects are recomputed: voided and queued again.
  session_.exec(
      "UPDATE blockchain_events SET voided = true, processed = false, processing_attempts = 0, "
      "dead = false, next_attempt_at = NULL, last_processing_error = NULL "
      "WHERE block_number >= $1 AND NOT voided",
      at);
  session_.exec(
      "UPDATE chain_sync SET next_block = $1, reorgs = reorgs + 1, "
      "deepest_reorg = greatest(deepest_reorg, $2::int), updated_at = now() WHERE name = 'main'",
      {at[0], std::to_string(depth)});
  transaction.commit();
  return static_cast<std::uint64_t>(replaced.size());
}

void ChainStore::set_head(std::uint64_t head) {
  session_.exec("UPDATE chain_sync SET head_block = $1, head_seen_at = now() WHERE name = 'main'",
                {std::to_string(head)});
}

void ChainStore::set_chain_id(std::uint64_t chain_id) {
  session_.exec("UPDATE chain_sync SET chain_id = $1 WHERE name = 'main'",
                {std::to_string(chain_id)});
}

}  // namespace pend::chain
