// WorkPool: threads for work that must not run on a shard's loop (a blocking HTTP call to an
// SMS provider, Argon2id, file encryption). A coroutine hands a function to the pool and is
// resumed on its own loop with the result (or the exception) when the function returns; the
// shard meanwhile serves other requests.
//
//   util::WorkPool pool(4);
//   const auto sent = co_await pool.run([&] { return sms.send_blocking(to, body); });
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>

namespace pend::util {

class WorkPool {
 public:
  explicit WorkPool(std::size_t threads) : pool_(threads == 0 ? 1 : threads) {}
  ~WorkPool() { stop(); }
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // The result (or the exception) comes back to the calling coroutine's own executor.
  // Not a lambda coroutine: GCC 12 relocates such a closure's captures (a std::string's
  // buffer pointer then points into the old place).
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F>> run(F work) {
    using Result = std::invoke_result_t<F>;
    queued_.fetch_add(1, std::memory_order_relaxed);
    struct Done {
      std::atomic<std::size_t>& queued;
      ~Done() { queued.fetch_sub(1, std::memory_order_relaxed); }
    } done{queued_};
    // Named: a braced temporary inside a co_await expression is what GCC 12 mishandles.
    Initiate<F> initiate{pool_, std::move(work)};
    if constexpr (std::is_void_v<Result>) {
      co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                           void(std::exception_ptr)>(std::move(initiate),
                                                                     boost::asio::use_awaitable);
    } else {
      co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                     void(std::exception_ptr, Result)>(
          std::move(initiate), boost::asio::use_awaitable);
    }
  }

  std::size_t queued() const { return queued_.load(std::memory_order_relaxed); }
  // Waits for every function handed over so far to return.
  void stop() { pool_.join(); }

 private:
  // Runs work on the pool, then hands its outcome to the handler on the handler's executor.
  template <typename F>
  struct Initiate {
    boost::asio::thread_pool& pool;
    F work;
    template <typename Handler>
    void operator()(Handler handler) {
      boost::asio::post(pool, [work = std::move(work), handler = std::move(handler)]() mutable {
        using Result = std::invoke_result_t<F>;
        auto executor = boost::asio::get_associated_executor(handler);
        std::exception_ptr error;
        if constexpr (std::is_void_v<Result>) {
          try {
            work();
          } catch (...) {
            error = std::current_exception();
          }
          boost::asio::post(executor, [handler = std::move(handler), error]() mutable {
            std::move(handler)(error);
          });
        } else {
          Result result{};
          try {
            result = work();
          } catch (...) {
            error = std::current_exception();
          }
          boost::asio::post(executor, [handler = std::move(handler), error,
                                       result = std::move(result)]() mutable {
            std::move(handler)(error, std::move(result));
          });
        }
      });
    }
  };

  boost::asio::thread_pool pool_;
  std::atomic<std::size_t> queued_{0};
};

}  // namespace pend::util
