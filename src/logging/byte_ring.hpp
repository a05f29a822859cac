// ByteRing: a bounded single-producer single-consumer ring of bytes. Each logging thread owns
// one and writes whole lines into it; the writer thread drains every ring. No locks, no
// allocation per entry.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace pend::logging {

class ByteRing {
 public:
  explicit ByteRing(std::size_t capacity);  // rounded up to a power of two

  // Producer: appends all of data, or nothing when there is not room for all of it.
  bool try_write(std::string_view data);

  // Consumer: moves everything written so far to the end of out; returns the byte count.
  std::size_t drain(std::string& out);

  // Bytes written and bytes drained since creation (monotonic).
  std::uint64_t written() const { return head_.load(std::memory_order_acquire); }
  std::uint64_t drained() const { return tail_.load(std::memory_order_acquire); }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t mask_;
  alignas(64) std::atomic<std::uint64_t> head_{0};  // next byte the producer writes
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // next byte the consumer reads
};

}  // namespace pend::logging
