#include "logging/postgres_sink.hpp"

#include "db/binary_copy_encoder.hpp"
#include "db/blocking_session.hpp"

#include <algorithm>

namespace pend::logging {

namespace {

// Rows are sent in pieces of this size, so PostgreSQL works while the next piece is encoded.
constexpr std::size_t kChunk = 256 * 1024;

std::string with_connect_timeout(std::string url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  url += url.find('?') == std::string::npos ? "?" : "&";
  url += "connect_timeout=3";
  return url;
}

bool unreachable(const db::DatabaseError& error) {
  return error.unavailable() || error.timed_out();
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
      url_(with_connect_timeout(options.url)),
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
        if (unreachable(error)) throw;
        // Refused for its data (a user id that is no longer a user): merged instead.
      }
    }
    try {
      merge(channel, rows);
    } catch (const db::DatabaseError& error) {
      if (unreachable(error)) throw;
      merge_row_by_row(channel, rows);
    }
    return true;
  } catch (const db::DatabaseError&) {  // lost, refused or timed out: the batch waits
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
    if (!unreachable(error)) session.exec("ROLLBACK");
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
      if (unreachable(error)) throw;  // the whole batch again later; stored rows are skipped
      dead_letter(row);
    }
  }
}

}  // namespace pend::logging
