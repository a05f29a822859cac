#include "http/address_limiter.hpp"

#include <cstring>

namespace pend::http {

AddressLimiter::AddressLimiter(std::size_t max_per_address, std::vector<util::Cidr> exempt)
    : max_(max_per_address), exempt_(std::move(exempt)) {}

std::size_t AddressLimiter::KeyHash::operator()(const Key& key) const noexcept {
  std::uint64_t a, b;
  std::memcpy(&a, key.bytes.data(), 8);
  std::memcpy(&b, key.bytes.data() + 8, 8);
  return static_cast<std::size_t>((a * 0x9E3779B97F4A7C15ull) ^ (b + 0x632BE59BD9B4E019ull));
}

AddressLimiter::Key AddressLimiter::key_of(const boost::asio::ip::address& address) {
  const auto normal = util::normalize(address);
  Key key{};
  if (normal.is_v4()) {
    const auto v4 = normal.to_v4().to_bytes();
    key.bytes[10] = key.bytes[11] = 0xFF;  // as ::ffff:a.b.c.d
    std::memcpy(key.bytes.data() + 12, v4.data(), 4);
  } else {
    key.bytes = normal.to_v6().to_bytes();
  }
  return key;
}

bool AddressLimiter::exempt(const boost::asio::ip::address& address) const {
  for (const auto& cidr : exempt_) {
    if (cidr.contains(address)) return true;
  }
  return false;
}

bool AddressLimiter::acquire(const boost::asio::ip::address& address) {
  if (max_ == 0 || exempt(address)) return true;
  const Key key = key_of(address);
  auto& stripe = stripes_[KeyHash{}(key) % kStripes];
  std::lock_guard lock(stripe.mutex);
  auto& open = stripe.open[key];
  if (open >= max_) {
    if (open == 0) stripe.open.erase(key);
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  ++open;
  return true;
}

void AddressLimiter::release(const boost::asio::ip::address& address) {
  if (max_ == 0 || exempt(address)) return;
  const Key key = key_of(address);
  auto& stripe = stripes_[KeyHash{}(key) % kStripes];
  std::lock_guard lock(stripe.mutex);
  const auto it = stripe.open.find(key);
  if (it == stripe.open.end()) return;
  if (--it->second == 0) stripe.open.erase(it);
}

std::size_t AddressLimiter::addresses() const {
  std::size_t total = 0;
  for (const auto& stripe : stripes_) {
    std::lock_guard lock(stripe.mutex);
    total += stripe.open.size();
  }
  return total;
}

}  // namespace pend::http
