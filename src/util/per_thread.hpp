// PerThread<T>: one T per thread for one owner object, created on the thread's first use.
// After that a thread reaches its T without locks (a short thread-local lookup); readers on
// other threads visit all of them under a mutex that writers never take again. Used where
// hot-path writers must not share state: request metrics, log rings.
//
//   PerThread<Counters> counters([] { return std::make_unique<Counters>(); });
//   counters.local().requests++;                          // on any thread
//   counters.for_each([&](const Counters& c) { ... });    // e.g. on scrape
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace pend::util {

template <typename T>
class PerThread {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  explicit PerThread(Factory factory) : factory_(std::move(factory)) {}
  PerThread(const PerThread&) = delete;
  PerThread& operator=(const PerThread&) = delete;

  T& local() {
    struct CacheEntry {
      std::uint64_t owner;
      T* item;
    };
    // Keyed by id, not address: a new owner at a dead one's address must not find its items.
    thread_local std::vector<CacheEntry> cache;
    for (const auto& entry : cache) {
      if (entry.owner == id_) return *entry.item;
    }
    std::lock_guard lock(mutex_);
    items_.push_back(factory_());
    cache.push_back({id_, items_.back().get()});
    return *items_.back();
  }

  template <typename F>
  void for_each(F&& visit) const {
    std::lock_guard lock(mutex_);
    for (const auto& item : items_) visit(*item);
  }

 private:
  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{1};
    return counter.fetch_add(1);
  }

  const std::uint64_t id_ = next_id();
  Factory factory_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<T>> items_;
};

}  // namespace pend::util
