#include "logging/record_ring.hpp"

#include "logging/record.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace pend::logging {

RecordRing::RecordRing(std::size_t capacity) {
  const std::size_t size = std::bit_ceil(std::max<std::size_t>(capacity, 64));
  data_ = std::make_unique<char[]>(size);
  mask_ = size - 1;
}

bool RecordRing::try_push(std::string_view record) {
  const std::uint64_t head = head_.load(std::memory_order_relaxed);
  const std::uint64_t tail = tail_.load(std::memory_order_acquire);
  const std::size_t capacity = mask_ + 1;
  const std::size_t start = head & mask_;
  const std::size_t to_end = capacity - start;  // a multiple of kRecordAlign, like records
  const bool wraps = record.size() > to_end;
  const std::size_t needed = wraps ? to_end + record.size() : record.size();
  if (needed > capacity - (head - tail)) return false;
  if (wraps) {
    encode_skip(data_.get() + start);
    std::memcpy(data_.get(), record.data(), record.size());
  } else {
    std::memcpy(data_.get() + start, record.data(), record.size());
  }
  head_.store(head + needed, std::memory_order_release);
  return true;
}

std::string_view RecordRing::peek() const {
  const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
  const std::uint64_t head = head_.load(std::memory_order_acquire);
  const std::size_t start = tail & mask_;
  const std::size_t size = std::min<std::size_t>(head - tail, mask_ + 1 - start);
  return {data_.get() + start, size};
}

void RecordRing::pop(std::size_t bytes) {
  tail_.store(tail_.load(std::memory_order_relaxed) + bytes, std::memory_order_release);
}

}  // namespace pend::logging
