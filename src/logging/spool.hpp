// Spool: a sink's batches that could not be delivered, kept on disk in order until they
// are. Each batch is one file, NNNNNNNNNNNN.batch (a sequence number that continues after a
// restart), or NNNNNNNNNNNN.new.batch for a batch never sent (set aside under a backlog, so
// none of it can be stored already), written to a temporary name, fsynced (a batch that was
// sent) and renamed, so a batch is either whole on disk or absent. The disk's work is done
// outside the spool's lock. The directory is read
// once, at construction; from then on the spool keeps its own index (one process per
// LOG_DIR). The spool is capped in bytes; past the cap new batches are refused (and counted
// by the caller) rather than filling the disk.
//
//   Spool spool(log_dir / "spool" / "postgres", 1 << 30);
//   spool.append(lines);                       // durable when it returns true
//   while (auto batch = spool.oldest()) { deliver(batch->lines); spool.remove(*batch); }
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pend::logging {

class Spool {
 public:
  struct Batch {
    std::filesystem::path path;
    std::vector<std::string> lines;
    bool attempted = true;  // sent before, so part of it may be stored already
  };

  Spool(std::filesystem::path dir, std::uint64_t max_bytes);  // every call is thread-safe

  // false: over the cap, or I/O failed.
  bool append(const std::vector<std::string>& lines, bool attempted = true);
  std::optional<Batch> oldest() const;
  // The oldest batch not in skip (those another thread is delivering).
  std::optional<Batch> oldest(const std::set<std::filesystem::path>& skip) const;
  void remove(const Batch& batch);
  // The batches stored (one still being written is not counted yet).
  bool empty() const { return count() == 0; }
  std::size_t count() const { return count_.load(std::memory_order_acquire); }
  std::uint64_t bytes() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct File {
    std::filesystem::path path;
    std::uint64_t bytes = 0;
    bool attempted = true;
  };

  std::filesystem::path dir_;
  std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, File> files_;  // by sequence number: the order of the batches
  std::atomic<std::size_t> count_{0};    // files_.size(), read without the lock
  std::uint64_t bytes_ = 0;
  std::uint64_t next_ = 1;
};

}  // namespace pend::logging
