// RecordRing: a bounded single-producer single-consumer ring of log records (record.hpp's
// framing). Each logging thread owns one; the writer thread reads the records where they
// lie and hands them to the sinks without copying, then releases them. No locks, no
// allocation per entry. A record never wraps: one that does not fit before the end of the
// buffer starts again at its beginning, behind a skip marker.
//
//   ring.try_push(record);                    // producer: all of it, or false when full
//   std::string_view records = ring.peek();   // consumer: whole records, contiguous
//   ...                                       // the bytes stay put until
//   ring.pop(records.size());                 // the consumer releases them
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

namespace pend::logging {

class RecordRing {
 public:
  explicit RecordRing(std::size_t capacity);  // rounded up to a power of two

  // Producer: record is a whole framed record (its size a multiple of kRecordAlign).
  bool try_push(std::string_view record);

  // Consumer: the records written and not yet popped, up to the end of the buffer (the
  // rest, if any, comes with the next peek); may end with a skip marker.
  std::string_view peek() const;
  void pop(std::size_t bytes);

  // Bytes pushed and bytes popped since creation (monotonic).
  std::uint64_t written() const { return head_.load(std::memory_order_acquire); }
  std::uint64_t drained() const { return tail_.load(std::memory_order_acquire); }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t mask_;
  alignas(64) std::atomic<std::uint64_t> head_{0};  // next byte the producer writes
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // next byte the consumer reads
};

}  // namespace pend::logging
