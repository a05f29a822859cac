#include "sinks/postgres_sink.hpp"

#include "db/binary_copy_encoder.hpp"
#include "db/blocking_session.hpp"

#include <algorithm>

namespace pend::sinks {

namespace {

// Rows are sent in pieces of this size, so PostgreSQL works while the next piece is encoded.
constexpr std::size_t kChunk = 256 * 1024;

// The URL with bounds on everything a delivery thread waits for, unless it sets them itself:
// connecting, a server that stops answering mid-COPY (keepalives, and TCP's unacknowledged
// data), and a statement that runs too long.
std::string with_bounds(const std::string& url) {
  return db::with_default_parameters(url, {{"connect_timeout", "3"},
                                           {"keepalives", "1"},
                                           {"keepalives_idle", "10"},
                                           {"keepalives_interval", "5"},
                                           {"keepalives_count", "3"},
                                           {"tcp_user_timeout", "30000"},
                                           {"options", "-c%20statement_timeout%3D60000"}});
}

// What one row can cause: its data (class 22), a constraint (23), a limit such as an index
// entry's size (54). Anything else (a lost server, a read-only standby after a failover, a
// missing grant or table) says nothing about the rows: the batch waits and is tried again.
bool refused_for_data(const db::DatabaseError& error) {
  const std::string& state = error.sqlstate();
  return state.starts_with("22") || state.starts_with("23") || state.starts_with("54");
}

}  // namespace

PostgresSink::PostgresSink(PostgresSinkOptions options)
    : BatchSink({.name = options.name,
                 .level = options.level,
                 .batch_size = options.batch_size,
                 .interval = options.interval,
                 .log_dir = options.log_dir,
                 .spool_max_bytes = options.spool_max_bytes,
                 .retry = options.retry,
                 .deliveries = std::max(1u, options.connections),
                 .max_backlog_rows = options.max_backlog_rows,
                 .kind = options.kind,
                 .splice_ids = options.splice_ids}),
      url_(with_bounds(options.url)),
      target_(std::move(options.target)) {
  for (unsigned i = 0; i < std::max(1u, options.connections); ++i) {
    channels_.push_back(std::make_unique<Channel>());
    channels_.back()->rows = target_.encoder();
  }
  start();
}

PostgresSink::~PostgresSink() { stop(); }

bool PostgresSink::deliver(unsigned delivery, const std::vector<std::string>& rows, bool replay) {
  if (rows.empty()) return true;
  Channel& channel = *channels_[delivery];
  try {
    if (!channel.session) {
      channel.session = std::make_unique<db::BlockingSession>(url_);
      channel.staging_ready = false;
    }
    if (!replay) {
      try {
        stored(rows, copy(channel, rows, target_.copy));
        return true;
      } catch (const db::DatabaseError& error) {
        if (!refused_for_data(error)) throw;
        // Refused for its data (a user id that is no longer a user): merged instead.
      }
    }
    try {
      merge(channel, rows);
    } catch (const db::DatabaseError& error) {
      if (!refused_for_data(error)) throw;
      merge_row_by_row(channel, rows);
    }
    return true;
  } catch (const db::DatabaseError&) {  // lost, unable or timed out: the batch waits
    channel.session.reset();
    return false;
  }
}

std::vector<const std::string*> PostgresSink::copy(Channel& channel,
                                                   const std::vector<std::string>& rows,
                                                   const std::string& copy_sql) {
  std::vector<const std::string*> refused;
  db::BlockingSession& session = *channel.session;
  std::string& buffer = channel.buffer;
  session.copy_begin(copy_sql);
  buffer.clear();
  if (target_.binary) db::BinaryCopyEncoder::header(buffer);
  for (const auto& text : rows) {
    if (!channel.rows->encode(text, buffer)) {
      refused.push_back(&text);
      continue;
    }
    if (buffer.size() >= kChunk) {
      session.copy_send(buffer);
      buffer.clear();
    }
  }
  if (target_.binary) db::BinaryCopyEncoder::trailer(buffer);
  session.copy_send(buffer);
  session.copy_end();
  return refused;
}

void PostgresSink::stored(const std::vector<std::string>& rows,
                          const std::vector<const std::string*>& refused) {
  for (const auto* text : refused) dead_letter(*text);
  figures_.rows.fetch_add(rows.size() - refused.size(), std::memory_order_relaxed);
  figures_.batches.fetch_add(1, std::memory_order_relaxed);
}

void PostgresSink::merge(Channel& channel, const std::vector<std::string>& rows) {
  db::BlockingSession& session = *channel.session;
  if (!channel.staging_ready) {
    session.exec(target_.create_staging);
    channel.staging_ready = true;
  }
  session.exec("BEGIN");
  std::vector<const std::string*> refused;
  try {
    refused = copy(channel, rows, target_.copy_staging);
    session.exec(target_.merge);
    session.exec("COMMIT");
  } catch (const db::DatabaseError& error) {
    if (!error.unavailable()) session.exec("ROLLBACK");
    throw;
  }
  stored(rows, refused);
}

void PostgresSink::merge_row_by_row(Channel& channel, const std::vector<std::string>& rows) {
  // PostgreSQL refused the batch's data: one row at a time, and what it still refuses is
  // put aside.
  for (const auto& row : rows) {
    try {
      merge(channel, {row});
    } catch (const db::DatabaseError& error) {
      if (!refused_for_data(error)) throw;  // the whole batch again later; stored rows skipped
      dead_letter(row);
    }
  }
}

}  // namespace pend::sinks
