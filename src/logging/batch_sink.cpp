#include "logging/batch_sink.hpp"

#include "logging/console_sink.hpp"
#include "logging/json_writer.hpp"
#include "util/ids.hpp"
#include "util/thread_name.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

namespace pend::logging {

namespace {
constexpr std::size_t kMaxMerged = 5'000;
}  // namespace

std::string with_id(std::string_view line, std::string_view id) {
  std::string row;
  const auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || line[first] != '{' || line.back() != '}') {
    row = "{\"message\":";
    append_json_string(row, line);
  } else {
    line.remove_suffix(1);
    const bool empty = line.find_last_not_of(" \t\r\n") == first;  // "{}"
    row.reserve(line.size() + id.size() + 10);
    row = line;
    if (empty) row.resize(first + 1);
  }
  if (row.back() != '{') row += ',';
  row += "\"id\":";
  append_json_string(row, id);
  row += '}';
  return row;
}

struct BatchSink::Work {
  std::vector<std::string> rows;        // with their ids
  std::optional<Spool::Batch> spooled;  // where they came from, when from the spool
  bool replay = false;
};

BatchSink::BatchSink(BatchSinkOptions options)
    : Sink(options.level, Filter::all, options.kind),
      options_(std::move(options)),
      spool_(options_.log_dir / "spool" / options_.name, options_.spool_max_bytes) {
  options_.deliveries = std::max(1u, options_.deliveries);
}

BatchSink::~BatchSink() { stop(); }

void BatchSink::start() {
  for (unsigned delivery = 0; delivery < options_.deliveries; ++delivery) {
    threads_.emplace_back([this, delivery] {
      util::name_this_thread("pend-log-" + options_.name);
      util::make_this_thread_background();
      run(delivery);
    });
  }
}

void BatchSink::stop() {
  if (threads_.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (!pending_.empty()) {
      queued_rows_ += pending_.size();
      queue_.push_back(std::move(pending_));
    }
    pending_.clear();
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void BatchSink::write(const RecordMeta& meta, std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  pending_.emplace_back(line);
  if (meta.level == Level::error) urgent_ = true;  // errors are shipped at once
}

void BatchSink::flush() {
  const auto now = std::chrono::steady_clock::now();
  if (pending_.empty()) {
    last_handoff_ = now;
    return;
  }
  // Full batches go; a short remainder waits for more, unless an error or the interval says
  // it goes now.
  const bool everything = urgent_ || now - last_handoff_ >= options_.interval;
  std::size_t start = 0;
  {
    std::lock_guard lock(mutex_);
    for (; start < pending_.size(); start += options_.batch_size) {
      const auto end = std::min(pending_.size(), start + options_.batch_size);
      if (end - start < options_.batch_size && !everything) break;
      queue_.emplace_back(std::make_move_iterator(pending_.begin() + start),
                          std::make_move_iterator(pending_.begin() + end));
      queued_rows_ += end - start;
    }
    // The delivery threads move a backlog to the spool when they come back for work; when
    // they do not (every connection stuck on a server that stopped answering), the writer
    // does, past twice the backlog, so memory stays bounded whatever the server does.
    while (queued_rows_ > 2 * options_.max_backlog_rows) {
      to_spool(take_merged(), /*attempted=*/false);
    }
  }
  pending_.erase(pending_.begin(), pending_.begin() + std::min(start, pending_.size()));
  urgent_ = false;
  if (everything) last_handoff_ = now;
  if (start > 0) wake_.notify_one();
}

void BatchSink::run(unsigned delivery) {
  Work work;
  while (next_work(work)) finish(work, deliver(delivery, work.rows, work.replay));
}

bool BatchSink::next_work(Work& work) {
  using Clock = std::chrono::steady_clock;
  work = Work{};
  std::unique_lock lock(mutex_);
  for (;;) {
    // One FIFO: the spool holds the oldest batches, the queue the newer. A backlog beyond
    // what memory should hold moves from the front of the queue to the end of the spool.
    // On the way out, a server that is away or a spool to replay first sends the rest to the
    // spool too: a stop never waits for an outage or a long replay (the next process does it).
    const bool leaving = stopping_ && (down_ || !spool_.empty());
    while (queued_rows_ > options_.max_backlog_rows || (leaving && !queue_.empty())) {
      to_spool(take_merged(), /*attempted=*/false);
    }
    const auto now = Clock::now();
    const bool may_try = !down_ || now >= next_retry_;
    if (leaving) return false;  // what is left is in the spool
    if (!spool_.empty()) {
      if (may_try) {
        if (auto batch = spool_.oldest(taken_)) {
          if (down_) next_retry_ = now + options_.retry;  // one probe per interval
          taken_.insert(batch->path);
          work.rows = std::move(batch->lines);
          work.replay = batch->attempted;
          work.spooled = std::move(batch);
          return true;
        }
      }
      // The spool first: nothing newer goes while it holds anything (the rest is being
      // delivered by another thread, or waits for the next attempt).
    } else if (!queue_.empty() && may_try) {
      work.rows = take_merged();
      return true;
    } else if (stopping_ && queue_.empty()) {
      return false;
    }
    if (stopping_ && spool_.empty() && queue_.empty()) return false;
    wake_.wait_until(lock, down_ ? next_retry_ : now + options_.retry);
  }
}

std::vector<std::string> BatchSink::take_merged() {
  // Under a backlog the batches waiting together go as one (up to kMaxMerged rows): one
  // statement instead of many, in the same order.
  std::vector<std::string> rows;
  while (!queue_.empty() && (rows.empty() || rows.size() + queue_.front().size() <= kMaxMerged)) {
    for (auto& line : queue_.front()) {
      rows.push_back(options_.splice_ids ? with_id(line, util::new_request_id()) : std::move(line));
    }
    queued_rows_ -= queue_.front().size();
    queue_.pop_front();
  }
  return rows;
}

void BatchSink::finish(Work& work, bool delivered) {
  {
    std::lock_guard lock(mutex_);
    down_ = !delivered;  // set first: nothing new is sent until the batch is in the spool
    if (!delivered) next_retry_ = std::chrono::steady_clock::now() + options_.retry;
    if (work.spooled) {
      taken_.erase(work.spooled->path);
      if (delivered) {
        spool_.remove(*work.spooled);
        figures_.replayed.fetch_add(1, std::memory_order_relaxed);
      }
    }
    figures_.down = down_;
  }
  // A fresh batch the server could not take: fsynced into the spool, outside the lock so the
  // writer thread never waits for the disk.
  if (!delivered && !work.spooled) to_spool(work.rows, /*attempted=*/true);
  wake_.notify_all();
}

void BatchSink::to_spool(const std::vector<std::string>& rows, bool attempted) {
  if (spool_.append(rows, attempted)) {
    figures_.spooled.fetch_add(1, std::memory_order_relaxed);
  } else {
    figures_.lost.fetch_add(rows.size(), std::memory_order_relaxed);
  }
}

void BatchSink::dead_letter(const std::string& row) {
  std::lock_guard lock(dead_letter_mutex_);
  const auto dir = options_.log_dir / "dead-letter";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto path = dir / (options_.name + (options_.splice_ids ? ".jsonl" : ".rows"));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd >= 0) {
    write_fully(fd, row + "\n");
    ::close(fd);
  }
  figures_.dead_letters.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace pend::logging
