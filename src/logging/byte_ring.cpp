#include "logging/byte_ring.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace pend::logging {

ByteRing::ByteRing(std::size_t capacity) {
  const std::size_t size = std::bit_ceil(std::max<std::size_t>(capacity, 64));
  data_ = std::make_unique<char[]>(size);
  mask_ = size - 1;
}

bool ByteRing::try_write(std::string_view data) {
  const std::uint64_t head = head_.load(std::memory_order_relaxed);
  const std::uint64_t tail = tail_.load(std::memory_order_acquire);
  const std::size_t capacity = mask_ + 1;
  if (data.size() > capacity - (head - tail)) return false;
  const std::size_t start = head & mask_;
  const std::size_t first = std::min(data.size(), capacity - start);
  std::memcpy(data_.get() + start, data.data(), first);
  std::memcpy(data_.get(), data.data() + first, data.size() - first);
  head_.store(head + data.size(), std::memory_order_release);
  return true;
}

std::size_t ByteRing::drain(std::string& out) {
  const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
  const std::uint64_t head = head_.load(std::memory_order_acquire);
  const std::size_t size = head - tail;
  if (size == 0) return 0;
  const std::size_t capacity = mask_ + 1;
  const std::size_t start = tail & mask_;
  const std::size_t first = std::min(size, capacity - start);
  out.append(data_.get() + start, first);
  out.append(data_.get(), size - first);
  tail_.store(head, std::memory_order_release);
  return size;
}

}  // namespace pend::logging
