// Spool: a sink's batches that could not be delivered, kept on disk in order until they
// are. Each batch is one file, NNNNNNNNNNNN.batch (a sequence number that continues after a
// restart), or NNNNNNNNNNNN.new.batch for a batch never sent (set aside under a backlog, so
// none of it can be stored already), written to a temporary name, fsynced (a batch that was
// sent) and renamed, so a batch is either whole on disk or absent. The disk's work is done
// outside the spool's lock. The spool is capped in bytes; past the cap new batches are
// refused (and counted by the caller) rather than filling the disk.
//
// A spool directory belongs to one process, which holds an flock on its .lock file. Processes
// that share LOG_DIR (serve next to `pend-server worker NAME`, two instances on one host)
// take the first slot no one holds: DIR, DIR.1, DIR.2 ... The directory is read once, when
// the slot is taken; from then on the spool keeps its own index. The batches of slots no
// process holds any more (a process that stopped and did not come back) are adopted then:
// moved behind the spool's own, so no batch waits for a process that may never return.
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

  // dir is the first slot's path; dir() is the slot taken. Every call is thread-safe.
  Spool(const std::filesystem::path& dir, std::uint64_t max_bytes);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

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

  static constexpr unsigned kMaxSlots = 1'000;
  static constexpr int kHeld = -1;  // lock(): another process holds the slot
  static constexpr int kGone = -2;  // lock(): its lock file was removed as it was taken
  // The slot's lock file, opened and flocked: its descriptor, kHeld or kGone.
  static int lock(const std::filesystem::path& slot);
  void take_slot(const std::filesystem::path& first);
  void read_own();
  void adopt(const std::filesystem::path& slot);

  std::filesystem::path dir_;
  int lock_fd_ = -1;
  std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, File> files_;  // by sequence number: the order of the batches
  std::atomic<std::size_t> count_{0};    // files_.size(), read without the lock
  std::uint64_t bytes_ = 0;
  std::uint64_t next_ = 1;
};

}  // namespace pend::logging
