#include "metrics/process_sampler.hpp"

#include "metrics/host_figures.hpp"
#include "metrics/process_metrics.hpp"
#include "util/thread_name.hpp"

#include <cmath>

namespace pend::metrics {

ProcessSampler::ProcessSampler(std::chrono::milliseconds period) : period_(period) {
  sample();
  thread_ = std::thread([this] {
    util::name_this_thread("pend-sampler");
    util::make_this_thread_background();
    run();
  });
}

ProcessSampler::~ProcessSampler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ProcessSampler::sample() {
  if (const auto rss = resident_memory_bytes()) {
    memory_centi_mb_ = std::llround(static_cast<double>(*rss) / (1024.0 * 1024.0) * 100.0);
  }
  const auto now = std::chrono::steady_clock::now();
  if (const auto process = read_process()) {
    if (last_ticks_ != 0 && now > last_at_) {
      const double seconds = static_cast<double>(process->cpu_ticks - last_ticks_) /
                             static_cast<double>(clock_ticks_per_second());
      const double elapsed = std::chrono::duration<double>(now - last_at_).count();
      cpu_centi_percent_ = std::llround(100.0 * seconds / elapsed * 100.0);
    }
    last_ticks_ = process->cpu_ticks;
    last_at_ = now;
  }
}

void ProcessSampler::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    sample();
    lock.lock();
  }
}

}  // namespace pend::metrics
