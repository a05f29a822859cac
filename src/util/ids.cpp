#include "util/ids.hpp"

#include "util/hex.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace pend::util {
namespace {

// xoshiro256** (Blackman & Vigna): fast, good statistical quality, seeded once per thread.
class Xoshiro {
 public:
  Xoshiro() {
    std::random_device device;
    for (auto& word : state_) word = (std::uint64_t{device()} << 32) | device();
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

Xoshiro& generator() {
  thread_local Xoshiro instance;
  return instance;
}

}  // namespace

char* write_request_id(char* out) {
  const auto ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  const std::uint64_t random_a = generator().next();
  const std::uint64_t random_b = generator().next();
  const auto hex = [&](std::uint64_t value, int digits) { out = write_hex(out, value, digits); };
  hex(ms >> 16, 8);
  *out++ = '-';
  hex(ms & 0xFFFF, 4);
  *out++ = '-';
  hex(0x7000 | (random_a & 0x0FFF), 4);  // version 7
  *out++ = '-';
  hex(0x8000 | ((random_a >> 12) & 0x3FFF), 4);  // RFC 4122 variant
  *out++ = '-';
  hex(random_b & 0xFFFFFFFFFFFFull, 12);
  return out;
}

std::string new_request_id() {
  std::string id(36, '\0');
  write_request_id(id.data());
  return id;
}

std::string random_hex(std::size_t bytes) {
  std::string out;
  out.reserve(bytes * 2);
  while (out.size() < bytes * 2) {
    const std::uint64_t value = generator().next();
    const auto digits = static_cast<int>(std::min<std::size_t>(16, bytes * 2 - out.size()));
    char chunk[16];
    out.append(chunk, write_hex(chunk, value, digits));
  }
  if (out.find_first_not_of('0') == std::string::npos) out.back() = '1';  // W3C: never zero
  return out;
}

}  // namespace pend::util
