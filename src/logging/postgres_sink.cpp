#include "logging/postgres_sink.hpp"

#include "db/binary_copy_encoder.hpp"
#include "db/blocking_session.hpp"

#include <algorithm>

namespace pend::logging {

namespace {

#define PEND_SERVER_LOGS_COLUMNS                                                              \
  "id, timestamp, level, category, event_type, user_id, admin_id, session_id, request_id, "   \
  "correlation_id, ip_address, user_agent, endpoint, method, status_code, response_time_ms, " \
  "request_size_bytes, response_size_bytes, error_code, error_message, error_stack, "         \
  "request_data, response_data, metadata"
constexpr std::uint16_t kColumns = 24;

// Fresh batches: straight into the table.
const std::string kCopy =
    "COPY server_logs (" PEND_SERVER_LOGS_COLUMNS ") FROM STDIN (FORMAT binary)";

// Replays, and batches the table refused as a whole: into a staging table of the same
// columns without their constraints, then merged. Ids already stored (a replay after a crash
// between commit and spool removal) are skipped; a user_id or admin_id that is not (or no
// longer) a user becomes NULL and is kept in metadata, rather than losing the row to the
// foreign key.
const std::string kCreateStaging =
    "CREATE TEMPORARY TABLE IF NOT EXISTS server_logs_incoming (id uuid, timestamp timestamptz, "
    "level text, category text, event_type text, user_id uuid, admin_id uuid, session_id text, "
    "request_id text, correlation_id text, ip_address inet, user_agent text, endpoint text, "
    "method text, status_code int, response_time_ms int, request_size_bytes int, "
    "response_size_bytes int, error_code text, error_message text, error_stack text, "
    "request_data jsonb, response_data jsonb, metadata jsonb) ON COMMIT DELETE ROWS";
const std::string kCopyStaging =
    "COPY server_logs_incoming (" PEND_SERVER_LOGS_COLUMNS ") FROM STDIN (FORMAT binary)";
const std::string kMerge =
    "INSERT INTO server_logs (" PEND_SERVER_LOGS_COLUMNS
    ") "
    "SELECT r.id, r.timestamp, r.level, r.category, r.event_type, u.id, a.id, r.session_id, "
    "r.request_id, r.correlation_id, r.ip_address, r.user_agent, r.endpoint, r.method, "
    "r.status_code, r.response_time_ms, r.request_size_bytes, r.response_size_bytes, "
    "r.error_code, r.error_message, r.error_stack, r.request_data, r.response_data, "
    "COALESCE(r.metadata, '{}') "
    "|| CASE WHEN r.user_id IS NOT NULL AND u.id IS NULL "
    "THEN jsonb_build_object('user_id', r.user_id) ELSE '{}' END "
    "|| CASE WHEN r.admin_id IS NOT NULL AND a.id IS NULL "
    "THEN jsonb_build_object('admin_id', r.admin_id) ELSE '{}' END "
    "FROM server_logs_incoming r "
    "LEFT JOIN users u ON u.id = r.user_id LEFT JOIN admin_users a ON a.id = r.admin_id "
    "ON CONFLICT DO NOTHING";

#undef PEND_SERVER_LOGS_COLUMNS

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

void encode(const LogRow& row, db::BinaryCopyEncoder& out) {
  const auto text = [&](const std::optional<std::string_view>& value) {
    value ? out.text(*value) : out.null();
  };
  const auto int4 = [&](const std::optional<std::int32_t>& value) {
    value ? out.int4(*value) : out.null();
  };
  const auto uuid = [&](const std::optional<db::Uuid>& value) {
    value ? out.uuid(*value) : out.null();
  };
  const auto jsonb = [&](const std::optional<std::string>& value) {
    value ? out.jsonb(*value) : out.null();
  };
  out.begin_row(kColumns);
  out.uuid(row.id).timestamptz(row.timestamp).text(row.level).text(row.category);
  out.text(row.event_type);
  uuid(row.user_id);
  uuid(row.admin_id);
  text(row.session_id);
  text(row.request_id);
  text(row.correlation_id);
  row.ip_address ? out.inet(*row.ip_address) : out.null();
  text(row.user_agent);
  text(row.endpoint);
  text(row.method);
  int4(row.status_code);
  int4(row.response_time_ms);
  int4(row.request_size_bytes);
  int4(row.response_size_bytes);
  text(row.error_code);
  text(row.error_message);
  text(row.error_stack);
  jsonb(row.request_data);
  jsonb(row.response_data);
  out.jsonb(row.metadata);
}

}  // namespace

PostgresSink::PostgresSink(PostgresSinkOptions options)
    : BatchSink({.name = "postgres",
                 .level = options.level,
                 .batch_size = options.batch_size,
                 .interval = options.interval,
                 .log_dir = options.log_dir,
                 .spool_max_bytes = options.spool_max_bytes,
                 .retry = options.retry,
                 .deliveries = std::max(1u, options.connections),
                 .max_backlog_rows = options.max_backlog_rows}),
      url_(with_connect_timeout(options.url)) {
  for (unsigned i = 0; i < std::max(1u, options.connections); ++i) {
    channels_.push_back(std::make_unique<Channel>());
    channels_.back()->encoder = std::make_unique<db::BinaryCopyEncoder>();
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
        stored(rows, copy(channel, rows, kCopy));
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
  db::BinaryCopyEncoder& encoder = *channel.encoder;
  session.copy_begin(copy_sql);
  encoder.clear();
  for (const auto& text : rows) {
    const LogRow* row = channel.mapper.map(text);
    if (row == nullptr) {
      refused.push_back(&text);
      continue;
    }
    encode(*row, encoder);
    if (encoder.data().size() >= kChunk) {
      session.copy_send(encoder.data());
      encoder.consumed();
    }
  }
  session.copy_send(encoder.finish());
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
    session.exec(kCreateStaging);
    channel.staging_ready = true;
  }
  session.exec("BEGIN");
  std::vector<const std::string*> refused;
  try {
    refused = copy(channel, rows, kCopyStaging);
    session.exec(kMerge);
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
