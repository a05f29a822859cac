// Spool: a sink's batches that could not be delivered, kept on disk in order until they
// are. Each batch is one file, NNNNNNNNNNNN.batch (a sequence number that continues after a
// restart), written to a temporary name, fsynced and renamed, so a batch is either whole on
// disk or absent. The spool is capped in bytes; past the cap new batches are refused (and
// counted by the caller) rather than filling the disk.
//
//   Spool spool(log_dir / "spool" / "postgres", 1 << 30);
//   spool.append(lines);                       // durable when it returns true
//   while (auto batch = spool.oldest()) { deliver(batch->lines); spool.remove(*batch); }
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pend::logging {

class Spool {
 public:
  struct Batch {
    std::filesystem::path path;
    std::vector<std::string> lines;
  };

  Spool(std::filesystem::path dir, std::uint64_t max_bytes);

  bool append(const std::vector<std::string>& lines);  // false: over the cap, or I/O failed
  std::optional<Batch> oldest() const;
  void remove(const Batch& batch);
  bool empty() const { return count() == 0; }
  std::size_t count() const;
  std::uint64_t bytes() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::vector<std::filesystem::path> files() const;  // in order

  std::filesystem::path dir_;
  std::uint64_t max_bytes_;
  std::uint64_t next_ = 1;
};

}  // namespace pend::logging
