#include "logging/batch_sink.hpp"

#include "logging/console_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace pend::logging {

namespace {
constexpr std::size_t kMaxMerged = 5'000;
}  // namespace

BatchSink::BatchSink(BatchSinkOptions options)
    : Sink(options.level, Filter::all),
      options_(std::move(options)),
      spool_(options_.log_dir / "spool" / options_.name, options_.spool_max_bytes) {}

BatchSink::~BatchSink() { stop(); }

void BatchSink::start() {
  thread_ = std::thread([this] { run(); });
}

void BatchSink::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    if (!pending_.empty()) queue_.push_back(std::move(pending_));
    pending_.clear();
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void BatchSink::write(const RecordMeta& meta, std::string_view line) {
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
    }
  }
  pending_.erase(pending_.begin(), pending_.begin() + std::min(start, pending_.size()));
  urgent_ = false;
  if (everything) last_handoff_ = now;
  wake_.notify_one();
}

void BatchSink::run() {
  auto next_retry = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<std::vector<std::string>> work;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.retry, [&] { return stopping_ || !queue_.empty(); });
      work.swap(queue_);
      stopping = stopping_;
    }
    // The spool first, oldest batch first: order is kept, and nothing new overtakes it.
    if (!spool_.empty() && (std::chrono::steady_clock::now() >= next_retry || stopping)) {
      while (auto batch = spool_.oldest()) {
        if (!deliver(batch->lines, /*replay=*/true)) break;
        spool_.remove(*batch);
        figures_.replayed.fetch_add(1, std::memory_order_relaxed);
      }
      next_retry = std::chrono::steady_clock::now() + options_.retry;
    }
    // Under a backlog the batches waiting together go as one (up to kMaxMerged rows): one
    // statement instead of many, the same order.
    std::deque<std::vector<std::string>> merged;
    for (auto& lines : work) {
      if (!merged.empty() && merged.back().size() + lines.size() <= kMaxMerged) {
        auto& into = merged.back();
        into.insert(into.end(), std::make_move_iterator(lines.begin()),
                    std::make_move_iterator(lines.end()));
      } else {
        merged.push_back(std::move(lines));
      }
    }
    for (auto& lines : merged) {
      std::vector<std::string> rows;
      rows.reserve(lines.size());
      for (const auto& line : lines) rows.push_back(to_row(line));
      if (spool_.empty() && deliver(rows, /*replay=*/false)) continue;
      if (spool_.append(rows)) {
        figures_.spooled.fetch_add(1, std::memory_order_relaxed);
      } else {
        figures_.lost.fetch_add(rows.size(), std::memory_order_relaxed);
      }
    }
    figures_.down = !spool_.empty();
    if (stopping) return;
  }
}

void BatchSink::dead_letter(const std::string& row) {
  const auto dir = options_.log_dir / "dead-letter";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto path = dir / (options_.name + ".jsonl");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd >= 0) {
    write_fully(fd, row + "\n");
    ::close(fd);
  }
  figures_.dead_letters.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace pend::logging
