-- 013_chain: the indexed EVM chain (docs/architecture/chain.md), in Blockscout's layout:
-- hashes and addresses as bytea; every block of a height the node ever showed us is kept,
-- and `consensus` says which one is on the canonical chain. Child rows copy the block's
-- number, timestamp and consensus flag so the explorer's queries read one table. A reorg
-- flips consensus on the replaced blocks and on every row of theirs, in one transaction.
-- The rows are written only by the indexer, a block and its children in one transaction,
-- so there are no foreign keys to check on every COPY.

CREATE TABLE blocks (
  hash BYTEA PRIMARY KEY CHECK (length(hash) = 32),
  number BIGINT NOT NULL CHECK (number >= 0),
  parent_hash BYTEA NOT NULL CHECK (length(parent_hash) = 32),
  consensus BOOLEAN NOT NULL DEFAULT true,
  timestamp TIMESTAMPTZ NOT NULL,
  miner BYTEA NOT NULL CHECK (length(miner) = 20),
  gas_used NUMERIC(78, 0) NOT NULL,
  gas_limit NUMERIC(78, 0) NOT NULL,
  base_fee_per_gas NUMERIC(78, 0),
  transaction_count INTEGER NOT NULL,
  size INTEGER,
  inserted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- At most one consensus block per height.
CREATE UNIQUE INDEX idx_blocks_consensus_number ON blocks (number) WHERE consensus;
-- Replaced blocks by height (the explorer's ?type=reorg, the reorg walk-back).
CREATE INDEX idx_blocks_number ON blocks (number DESC);
-- getblocknobytime: the consensus block at or before a time.
CREATE INDEX idx_blocks_timestamp ON blocks (timestamp) WHERE consensus;

CREATE TABLE transactions (
  hash BYTEA NOT NULL CHECK (length(hash) = 32),
  block_hash BYTEA NOT NULL,
  block_number BIGINT NOT NULL,
  block_timestamp TIMESTAMPTZ NOT NULL,
  block_consensus BOOLEAN NOT NULL DEFAULT true,
  index INTEGER NOT NULL,
  from_address BYTEA NOT NULL,
  to_address BYTEA,
  created_contract_address BYTEA,
  value NUMERIC(78, 0) NOT NULL,
  nonce BIGINT NOT NULL,
  gas NUMERIC(78, 0) NOT NULL,
  gas_price NUMERIC(78, 0),
  max_fee_per_gas NUMERIC(78, 0),
  max_priority_fee_per_gas NUMERIC(78, 0),
  effective_gas_price NUMERIC(78, 0),
  gas_used NUMERIC(78, 0),
  cumulative_gas_used NUMERIC(78, 0),
  type SMALLINT NOT NULL DEFAULT 0,
  status SMALLINT,  -- 1 success, 0 reverted (receipts since Byzantium)
  input BYTEA NOT NULL,
  method_id BYTEA,  -- the input's first 4 bytes, when it has them
  -- A transaction mined in a block a reorg replaced and again in its successor has a row for
  -- each block; block_consensus says which is current.
  PRIMARY KEY (hash, block_hash)
);
CREATE INDEX idx_transactions_block ON transactions (block_hash, index);
-- Latest transactions, and address activity by block, newest first.
CREATE INDEX idx_transactions_latest ON transactions (block_number DESC, index DESC)
  WHERE block_consensus;
CREATE INDEX idx_transactions_from ON transactions (from_address, block_number DESC, index DESC)
  WHERE block_consensus;
CREATE INDEX idx_transactions_to ON transactions (to_address, block_number DESC, index DESC)
  WHERE block_consensus;
CREATE INDEX idx_transactions_created ON transactions (created_contract_address)
  WHERE created_contract_address IS NOT NULL;

CREATE TABLE logs (
  block_hash BYTEA NOT NULL,
  log_index INTEGER NOT NULL,
  block_number BIGINT NOT NULL,
  block_consensus BOOLEAN NOT NULL DEFAULT true,
  transaction_hash BYTEA NOT NULL,
  transaction_index INTEGER NOT NULL,
  address BYTEA NOT NULL,
  topic0 BYTEA,
  topic1 BYTEA,
  topic2 BYTEA,
  topic3 BYTEA,
  data BYTEA NOT NULL,
  PRIMARY KEY (block_hash, log_index)
);
CREATE INDEX idx_logs_transaction ON logs (transaction_hash, log_index);
CREATE INDEX idx_logs_address ON logs (address, block_number DESC, log_index DESC)
  WHERE block_consensus;
CREATE INDEX idx_logs_topic0 ON logs (topic0, block_number) WHERE block_consensus;

-- Token movements read from the logs: ERC-20 and ERC-721 Transfer, ERC-1155 TransferSingle
-- and TransferBatch (one row per id of a batch, batch_index its position).
CREATE TABLE token_transfers (
  block_hash BYTEA NOT NULL,
  log_index INTEGER NOT NULL,
  batch_index INTEGER NOT NULL DEFAULT 0,
  block_number BIGINT NOT NULL,
  block_timestamp TIMESTAMPTZ NOT NULL,
  block_consensus BOOLEAN NOT NULL DEFAULT true,
  transaction_hash BYTEA NOT NULL,
  token_address BYTEA NOT NULL,
  token_type VARCHAR(10) COLLATE "C" NOT NULL
    CHECK (token_type IN ('ERC-20', 'ERC-721', 'ERC-1155')),
  from_address BYTEA NOT NULL,
  to_address BYTEA NOT NULL,
  amount NUMERIC(78, 0),    -- ERC-20 and ERC-1155
  token_id NUMERIC(78, 0),  -- ERC-721 and ERC-1155
  PRIMARY KEY (block_hash, log_index, batch_index)
);
CREATE INDEX idx_token_transfers_token
  ON token_transfers (token_address, block_number DESC, log_index DESC) WHERE block_consensus;
CREATE INDEX idx_token_transfers_from
  ON token_transfers (from_address, block_number DESC, log_index DESC) WHERE block_consensus;
CREATE INDEX idx_token_transfers_to
  ON token_transfers (to_address, block_number DESC, log_index DESC) WHERE block_consensus;
CREATE INDEX idx_token_transfers_transaction ON token_transfers (transaction_hash);

-- The plan's assets: token contracts seen in transfers or configured, with their metadata
-- (fetched once with eth_call) and whether their events are decoded into blockchain_events.
CREATE TABLE tokens (
  contract_address BYTEA PRIMARY KEY CHECK (length(contract_address) = 20),
  type VARCHAR(10) COLLATE "C" NOT NULL CHECK (type IN ('ERC-20', 'ERC-721', 'ERC-1155')),
  name TEXT,
  symbol TEXT,
  decimals SMALLINT,
  total_supply NUMERIC(78, 0),
  tracked BOOLEAN NOT NULL DEFAULT false,
  first_seen_block BIGINT,
  metadata_fetched_at TIMESTAMPTZ,
  metadata_error TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TRIGGER tokens_touch BEFORE UPDATE ON tokens
  FOR EACH ROW EXECUTE FUNCTION pend_touch_updated_at();
-- Search by symbol or name prefix, in any case.
CREATE INDEX idx_tokens_symbol ON tokens (lower(symbol) text_pattern_ops);
CREATE INDEX idx_tokens_name ON tokens (lower(name) text_pattern_ops);
CREATE INDEX idx_tokens_unfetched ON tokens (created_at) WHERE metadata_fetched_at IS NULL;

-- Coin balances read from the node (eth_getBalance at a block) for the addresses the app and
-- the explorer ask about, and after the events that move them.
CREATE TABLE address_coin_balances (
  address BYTEA NOT NULL CHECK (length(address) = 20),
  block_number BIGINT NOT NULL,
  value NUMERIC(78, 0) NOT NULL,
  value_fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (address, block_number)
);

-- Token balances read from the node (balanceOf), the latest per address, token and id
-- (token_id 0 for ERC-20 and ERC-721, whose balance is a count).
CREATE TABLE address_token_balances (
  address BYTEA NOT NULL CHECK (length(address) = 20),
  token_address BYTEA NOT NULL,
  token_id NUMERIC(78, 0) NOT NULL DEFAULT 0,
  block_number BIGINT NOT NULL,
  value NUMERIC(78, 0) NOT NULL,
  value_fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (address, token_address, token_id)
);
-- Holders of a token, largest first.
CREATE INDEX idx_address_token_balances_token
  ON address_token_balances (token_address, value DESC) WHERE value > 0;

-- Where the indexer stands: the next height to import and the last head it saw. Written in
-- the transaction of each batch, so a killed indexer resumes where its last commit left off.
CREATE TABLE chain_sync (
  name VARCHAR(32) COLLATE "C" PRIMARY KEY,
  next_block BIGINT NOT NULL,
  head_block BIGINT,
  head_seen_at TIMESTAMPTZ,
  chain_id BIGINT,
  reorgs BIGINT NOT NULL DEFAULT 0,
  deepest_reorg INTEGER NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- blockchain_events (the plan's table, 001) as the indexer fills it: one row per decoded log
-- of a tracked token or configured contract, processed by the chain-events worker.
ALTER TABLE blockchain_events
  ADD COLUMN voided BOOLEAN NOT NULL DEFAULT false,  -- its block was replaced by a reorg
  ADD COLUMN dead BOOLEAN NOT NULL DEFAULT false,    -- processing_attempts ran out
  ADD COLUMN next_attempt_at TIMESTAMPTZ,
  -- The last business entry written for it (TRANSFER_RECEIVED or TRANSFER_VOIDED), so a
  -- reorg and its undoing each tell the recipient once.
  ADD COLUMN last_report VARCHAR(20) COLLATE "C";
CREATE UNIQUE INDEX idx_blockchain_events_log ON blockchain_events (block_hash, log_index);
CREATE INDEX idx_blockchain_events_queue ON blockchain_events (next_attempt_at NULLS FIRST, block_number)
  WHERE NOT processed AND NOT dead;
