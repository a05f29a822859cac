#include "domain/explorer/live.hpp"

#include "cache/blocking_redis.hpp"
#include "cache/redis_error.hpp"
#include "http/api_error.hpp"
#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"
#include "metrics/prometheus_writer.hpp"
#include "security/evm_address.hpp"
#include "util/json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <deque>
#include <optional>

namespace pend::domain::explorer {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view kEvents = "blockchain:events";  // the stream and the channel
constexpr std::string_view kEpoch = "blockchain:epoch";
constexpr std::chrono::milliseconds kRedisTimeout{2'000};

// A stream entry's id, ms-seq, and the place of a frame after it: 0 the entry's own event,
// n its n-th transfer for the stream's wallet.
struct Position {
  std::uint64_t ms = 0, seq = 0, sub = 0;
  auto operator<=>(const Position&) const = default;
};

bool parse_number(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// "ms-seq" or "ms-seq/n".
std::optional<Position> parse_position(std::string_view text) {
  Position out;
  const auto slash = text.find('/');
  if (slash != std::string_view::npos) {
    if (!parse_number(text.substr(slash + 1), out.sub) || out.sub == 0) return std::nullopt;
    text = text.substr(0, slash);
  }
  const auto dash = text.find('-');
  if (dash == std::string_view::npos || !parse_number(text.substr(0, dash), out.ms) ||
      !parse_number(text.substr(dash + 1), out.seq)) {
    return std::nullopt;
  }
  return out;
}

std::string frame(std::string_view id, std::string_view type, std::string_view data) {
  std::string out;
  out.reserve(id.size() + type.size() + data.size() + 24);
  out += "id: ";
  out += id;
  out += "\nevent: ";
  out += type;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

// The data's block hash for a block event (hex without 0x), for the wallet lookups.
std::string block_hash_of(std::string_view type, std::string_view data) {
  if (type != "block") return {};
  boost::system::error_code ec;
  const auto value = json::parse(data, ec);
  if (ec || !value.is_object()) return {};
  const auto* hash = value.as_object().if_contains("hash");
  if (hash == nullptr || !hash->is_string() || hash->as_string().size() != 66) return {};
  return std::string{hash->as_string().subview().substr(2)};
}

// "{id} {type} {data}", as chain/chain_cache.cpp publishes it.
std::optional<LiveEvent> parse_message(std::string_view text) {
  const auto first = text.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  LiveEvent event{std::string{text.substr(0, first)},
                  std::string{text.substr(first + 1, second - first - 1)},
                  std::string{text.substr(second + 1)},
                  {}};
  if (!parse_position(event.id)) return std::nullopt;
  event.block_hash = block_hash_of(event.type, event.data);
  return event;
}

// A stream entry as XRANGE answers it: [id, [type, T, data, D]].
std::optional<LiveEvent> entry_event(const cache::BlockingReply& entry) {
  if (entry.elements.size() != 2) return std::nullopt;
  LiveEvent event{entry.elements[0].text, {}, {}, {}};
  const auto& fields = entry.elements[1].elements;
  for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
    if (fields[f].text == "type") event.type = fields[f + 1].text;
    if (fields[f].text == "data") event.data = fields[f + 1].text;
  }
  if (event.type.empty() || !parse_position(event.id)) return std::nullopt;
  event.block_hash = block_hash_of(event.type, event.data);
  return event;
}

// The transactions with value and the token transfers of one block, for the wallets of the
// streams open (matched in memory: one query per block and shard, however many wallets).
constexpr db::Statement kBlockIncoming{
    "explorer.stream_incoming",
    "SELECT encode(to_address, 'hex'), 'native', encode(hash, 'hex'), NULL::int, NULL, "
    "encode(from_address, 'hex'), value::text, NULL, block_number FROM transactions "
    "WHERE block_hash = decode($1, 'hex') AND block_consensus AND to_address IS NOT NULL AND "
    "value > 0 AND status IS DISTINCT FROM 0 "
    "UNION ALL SELECT encode(to_address, 'hex'), token_type, encode(transaction_hash, 'hex'), "
    "log_index, encode(token_address, 'hex'), encode(from_address, 'hex'), amount::text, "
    "token_id::text, block_number FROM token_transfers WHERE block_hash = decode($1, 'hex') "
    "AND block_consensus ORDER BY 4 NULLS FIRST, 3"};

json::value text_or_null(const db::Row& row, int column) {
  if (row.is_null(column)) return nullptr;
  return json::value(row.get<std::string>(column));
}

std::string transfer_data(const db::Row& r) {
  json::object out{
      {"block_number", r.get<std::int64_t>(8)},
      {"type", r.get<std::string>(1)},
      {"transaction_hash", "0x" + r.get<std::string>(2)},
      {"log_index", r.is_null(3) ? json::value(nullptr) : json::value(r.get<std::int64_t>(3))},
      {"token", r.is_null(4) ? json::value(nullptr)
                             : json::value(security::to_checksum(r.get<std::string>(4)))},
      {"from", security::to_checksum(r.get<std::string>(5))},
      {"to", security::to_checksum(r.get<std::string>(0))},
      {"value", text_or_null(r, 6)},
      {"token_id", text_or_null(r, 7)}};
  return util::json::serialize(out);
}

}  // namespace

struct LiveEvents::Shard {
  asio::any_io_executor executor;
  std::vector<Stream*> streams;  // touched on the shard's thread only
  std::size_t wallets = 0;       // streams with a wallet
  std::deque<std::shared_ptr<const LiveEvent>> pending;
  bool busy = false;  // a coroutine is delivering `pending`
};

class LiveEvents::Stream final : public http::ResponseStream {
 public:
  Stream(LiveEvents& owner, std::shared_ptr<Shard> shard, std::string wallet)
      : owner_(owner),
        shard_(std::move(shard)),
        wallet_(std::move(wallet)),
        timer_(shard_->executor) {
    shard_->streams.push_back(this);
    if (!wallet_.empty()) ++shard_->wallets;
    owner_.open_.fetch_add(1, std::memory_order_relaxed);
  }
  ~Stream() override {
    std::erase(shard_->streams, this);
    if (!wallet_.empty()) --shard_->wallets;
    owner_.open_.fetch_sub(1, std::memory_order_relaxed);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  asio::awaitable<std::string_view> next() override {
    while (true) {
      if (!frames_.empty()) {
        current_ = std::move(frames_.front());
        frames_.pop_front();
        co_return std::string_view{current_};
      }
      if (stopped_) co_return std::string_view{};
      timer_.expires_after(owner_.settings_.stream_heartbeat);
      auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!ec) {
        current_ = ": heartbeat\n\n";
        co_return std::string_view{current_};
      }
      // Cancelled: something to send, or stopped.
    }
  }
  std::uint64_t size() const override { return kUnbounded; }
  void stop() override {
    stopped_ = true;
    timer_.cancel();
  }

  const std::string& wallet() const { return wallet_; }

  // A frame in order (the greeting, the replay).
  void add(std::string text) {
    if (frames_.size() >= owner_.settings_.stream_queue_limit) {
      overflow();
      return;
    }
    frames_.push_back(std::move(text));
    timer_.cancel();
  }
  // A live frame: held while the replay runs; dropped if the replay already sent it.
  void push(const Position& at, std::string text) {
    if (replaying_) {
      held_.emplace_back(at, std::move(text));
      return;
    }
    if (floor_ && at <= *floor_) return;
    add(std::move(text));
    owner_.delivered_.fetch_add(1, std::memory_order_relaxed);
  }
  void begin_replay() { replaying_ = true; }
  void end_replay(std::optional<Position> floor) {
    replaying_ = false;
    floor_ = floor;
    auto held = std::move(held_);
    for (auto& [at, text] : held) push(at, std::move(text));
  }

 private:
  void overflow() {
    if (stopped_) return;
    owner_.overflowed_.fetch_add(1, std::memory_order_relaxed);
    frames_.clear();
    stop();
  }

  LiveEvents& owner_;
  std::shared_ptr<Shard> shard_;
  std::string wallet_;
  asio::steady_timer timer_;
  std::deque<std::string> frames_;
  std::vector<std::pair<Position, std::string>> held_;
  std::optional<Position> floor_;
  bool replaying_ = false;
  bool stopped_ = false;
  std::string current_;
};

LiveEvents::LiveEvents(const Deps& deps) : deps_(deps), settings_(deps.settings.chain) {
  thread_ = std::thread([this] { run(); });
}

LiveEvents::~LiveEvents() { stop(); }

void LiveEvents::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<LiveEvents::Shard> LiveEvents::shard_of(const asio::any_io_executor& executor) {
  std::lock_guard lock(mutex_);
  for (const auto& shard : shards_) {
    if (shard->executor == executor) return shard;
  }
  auto shard = std::make_shared<Shard>();
  shard->executor = executor;
  shards_.push_back(shard);
  return shard;
}

namespace {

// Delivers a shard's pending events in order: each to every stream, and a block's incoming
// transfers to the streams of their wallets.
asio::awaitable<void> deliver_pending(std::shared_ptr<LiveEvents::Shard> shard, db::Database& db,
                                      std::atomic<bool>& warned);

}  // namespace

void LiveEvents::deliver(std::shared_ptr<const LiveEvent> event) {
  std::vector<std::shared_ptr<Shard>> shards;
  {
    std::lock_guard lock(mutex_);
    shards = shards_;
  }
  for (auto& shard : shards) {
    asio::post(shard->executor, [this, shard, event] {
      if (shard->streams.empty()) return;
      shard->pending.push_back(event);
      if (shard->busy) return;
      shard->busy = true;
      asio::co_spawn(shard->executor, deliver_pending(shard, deps_.database, lookup_warned_),
                     logging::rethrow_unhandled);
    });
  }
}

namespace {

// An event's frames for one stream: its own, then (a block's) the transfers to the stream's
// wallet, each with its position.
template <typename Emit>
void frames_for(LiveEvents::Stream& stream, const LiveEvent& event, const Position& at,
                const db::Result* incoming, std::string block_frame, Emit&& emit) {
  emit(at, std::move(block_frame));
  if (incoming == nullptr || stream.wallet().empty()) return;
  std::uint64_t n = 0;
  for (int i = 0; i < incoming->rows(); ++i) {
    const auto& row = (*incoming)[i];
    if (row.get<std::string>(0) != stream.wallet()) continue;
    ++n;
    Position sub = at;
    sub.sub = n;
    emit(sub, frame(event.id + "/" + std::to_string(n), "transfer", transfer_data(row)));
  }
}

asio::awaitable<void> deliver_pending(std::shared_ptr<LiveEvents::Shard> shard, db::Database& db,
                                      std::atomic<bool>& warned) {
  while (!shard->pending.empty()) {
    const auto event = shard->pending.front();
    shard->pending.pop_front();
    const auto at = parse_position(event->id).value_or(Position{});
    std::optional<db::Result> incoming;
    if (!event->block_hash.empty() && shard->wallets > 0) {
      try {
        incoming = co_await db.query(kBlockIncoming, db::Scope{.timeout = kRedisTimeout},
                                     event->block_hash);
      } catch (const std::exception& error) {
        if (!warned.exchange(true)) {
          logging::warn("BLOCKCHAIN", "LIVE_TRANSFERS_UNAVAILABLE",
                        "a block's transfers could not be read for the live streams",
                        {{"error", error.what()}});
        }
      }
    }
    const auto block_frame = frame(event->id, event->type, event->data);
    // (The list is read afresh after the wait: streams may have closed meanwhile.)
    for (auto* stream : shard->streams) {
      frames_for(
          *stream, *event, at, incoming ? &*incoming : nullptr, block_frame,
          [stream](const Position& p, std::string text) { stream->push(p, std::move(text)); });
    }
  }
  shard->busy = false;
}

}  // namespace

asio::awaitable<std::unique_ptr<http::ResponseStream>> LiveEvents::open(
    std::string wallet, std::string_view last_event_id) {
  std::optional<Position> resume;
  if (!last_event_id.empty()) {
    resume = parse_position(last_event_id);
    if (!resume) {
      throw http::ApiError::bad_request("invalid_last_event_id",
                                        "Last-Event-ID is not an event id of this stream");
    }
  }
  if (open_.load(std::memory_order_relaxed) >= settings_.stream_max_connections) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    co_return nullptr;
  }
  const auto executor = co_await asio::this_coro::executor;
  auto stream = std::make_unique<Stream>(*this, shard_of(executor), std::move(wallet));
  stream->add("retry: 1000\n\n");
  if (!resume) co_return stream;

  // Live events wait while what followed the client's id is read and sent.
  stream->begin_replay();
  const std::string from = std::to_string(resume->ms) + "-" + std::to_string(resume->seq);
  const std::string count = std::to_string(settings_.stream_queue_limit);
  cache::Reply entries;
  try {
    entries = co_await deps_.redis.command("XRANGE", kEvents, from, "+", "COUNT", count);
  } catch (const cache::RedisError&) {
    throw http::ApiError::service_unavailable("live updates cannot resume now", 1);
  }
  std::optional<Position> floor;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto entry = entries[i];
    if (entry.size() != 2) continue;
    LiveEvent event;
    event.id = std::string{entry[0].text()};
    const auto fields = entry[1];
    for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
      if (fields[f].text() == "type") event.type = std::string{fields[f + 1].text()};
      if (fields[f].text() == "data") event.data = std::string{fields[f + 1].text()};
    }
    const auto at = parse_position(event.id);
    if (!at || event.type.empty()) continue;
    event.block_hash = block_hash_of(event.type, event.data);
    std::optional<db::Result> incoming;
    if (!event.block_hash.empty() && !stream->wallet().empty()) {
      incoming = co_await deps_.database.query(kBlockIncoming, db::Scope{.timeout = kRedisTimeout},
                                               event.block_hash);
    }
    // The client's own entry: only what it had not got of it.
    frames_for(*stream, event, *at, incoming ? &*incoming : nullptr,
               frame(event.id, event.type, event.data), [&](const Position& p, std::string text) {
                 if (p > *resume) stream->add(std::move(text));
               });
    floor = Position{at->ms, at->seq, ~std::uint64_t{0}};
  }
  stream->end_replay(floor);
  co_return stream;
}

// What the rest of the instance learns from an event: the newest block, the chain epoch.
void LiveEvents::heard(const LiveEvent& event) {
  if (event.type != "block" && event.type != "reorg") return;
  boost::system::error_code ec;
  const auto value = json::parse(event.data, ec);
  if (ec || !value.is_object()) return;
  const auto& data = value.as_object();
  if (event.type == "block") {
    if (const auto* number = data.if_contains("number"); number && number->is_int64()) {
      head_.store(number->as_int64(), std::memory_order_relaxed);
    }
    return;
  }
  // A reorg: the head is back below its first replaced block until the new branch arrives.
  if (const auto* from = data.if_contains("from_block"); from && from->is_int64()) {
    head_.store(from->as_int64() - 1, std::memory_order_relaxed);
  }
  if (const auto* epoch = data.if_contains("epoch"); epoch && epoch->is_int64() && deps_.cache) {
    deps_.cache->set_chain_epoch(static_cast<std::uint64_t>(epoch->as_int64()));
  }
}

void LiveEvents::run() {
  const auto endpoint = deps_.redis.options().endpoint;
  std::optional<Position> last;    // the newest event handed on
  std::optional<Position> newest;  // the stream's newest entry when first subscribed
  bool down = false;               // LIVE_UPDATES_UNAVAILABLE logged
  const auto hand_on = [&](LiveEvent event) {
    const auto at = parse_position(event.id);
    if (!at || (last && *at <= *last)) return;
    last = at;
    heard(event);
    deliver(std::make_shared<const LiveEvent>(std::move(event)));
  };
  while (!stopping_) {
    try {
      cache::BlockingRedis channel(endpoint, kRedisTimeout);
      cache::BlockingRedis reader(endpoint, kRedisTimeout);
      channel.command({"SUBSCRIBE", std::string{kEvents}});
      // Subscribed: now what happened before (or while we were away) cannot be missed.
      const auto epoch = reader.command({"GET", std::string{kEpoch}});
      if (deps_.cache && epoch.type == cache::BlockingReply::Type::text) {
        std::uint64_t value = 0;
        if (parse_number(epoch.text, value)) deps_.cache->set_chain_epoch(value);
      }
      if (const auto since = last ? last : newest) {
        // Missed while the subscription was down: from the stream.
        const auto missed =
            reader.command({"XRANGE", std::string{kEvents},
                            "(" + std::to_string(since->ms) + "-" + std::to_string(since->seq), "+",
                            "COUNT", std::to_string(settings_.stream_queue_limit)});
        for (const auto& entry : missed.elements) {
          if (auto event = entry_event(entry)) hand_on(std::move(*event));
        }
      } else {
        // The newest entry tells the head (for the cache's finality) before any event comes.
        const auto top =
            reader.command({"XREVRANGE", std::string{kEvents}, "+", "-", "COUNT", "1"});
        if (!top.elements.empty()) {
          if (const auto event = entry_event(top.elements[0])) {
            heard(*event);
            newest = parse_position(event->id);
          }
        }
      }
      subscribed_ = true;
      if (down) {
        down = false;
        logging::info("BLOCKCHAIN", "LIVE_UPDATES_AVAILABLE", "live updates are received again");
      }
      while (!stopping_) {
        auto message = channel.receive(std::chrono::milliseconds{250});
        if (!message || message->elements.size() != 3 || message->elements[0].text != "message") {
          continue;
        }
        if (auto event = parse_message(message->elements[2].text)) hand_on(std::move(*event));
      }
    } catch (const std::exception& error) {
      subscribed_ = false;
      if (!down) {
        down = true;
        logging::warn("BLOCKCHAIN", "LIVE_UPDATES_UNAVAILABLE",
                      "the live updates' Redis subscription is down; retrying",
                      {{"error", error.what()}});
      }
      // Again in a second (in steps, so a stop is not held up).
      for (int i = 0; i < 4 && !stopping_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{250});
      }
    }
  }
  subscribed_ = false;
}

void LiveEvents::collect(metrics::PrometheusWriter& out) const {
  out.family("pend_explorer_streams", "gauge",
             "Live-update streams (GET /api/v1/explorer/stream) open on this instance.");
  out.sample("pend_explorer_streams", {}, open_.load(std::memory_order_relaxed));
  out.family("pend_explorer_stream_events_total", "counter",
             "Live events handed to streams (one per stream and event).");
  out.sample("pend_explorer_stream_events_total", {}, delivered_.load(std::memory_order_relaxed));
  out.family("pend_explorer_stream_refusals_total", "counter",
             "Streams refused (chain.stream_max_connections) or ended for a full queue "
             "(chain.stream_queue_limit).");
  out.sample("pend_explorer_stream_refusals_total", {{"reason", "capacity"}},
             refused_.load(std::memory_order_relaxed));
  out.sample("pend_explorer_stream_refusals_total", {{"reason", "slow_client"}},
             overflowed_.load(std::memory_order_relaxed));
  out.family("pend_explorer_stream_subscribed", "gauge",
             "1 while this instance receives the indexer's events through Redis.");
  out.sample("pend_explorer_stream_subscribed", {}, std::uint64_t{subscribed() ? 1u : 0u});
}

}  // namespace pend::domain::explorer
