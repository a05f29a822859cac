// AdvisoryLease: the right to run a cluster-scoped worker, held as a PostgreSQL advisory lock
// on a session of its own. hold() takes the lock when it is free and, while held, proves the
// session still lives; a leader whose process dies or whose connection breaks loses the lock
// with its session (TCP keepalives and a user timeout bound how long PostgreSQL and the
// leader take to notice a silent network), and a standby's next hold() takes it over.
//
//   AdvisoryLease lease(database_url, "cleanup");
//   if (lease.hold()) run(lease.session());   // nobody else holds it meanwhile
#pragma once

#include "db/blocking_session.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace pend::workers {

class AdvisoryLease {
 public:
  AdvisoryLease(const std::string& database_url, std::string name);
  ~AdvisoryLease();  // the session ends, and the lock with it

  // True while this process holds the lock. Takes it when free; never waits for it.
  bool hold();
  bool held() const { return held_; }
  db::BlockingSession& session() { return *session_; }  // while held

  // The lock's key: a fixed class for pend-server's workers and a hash of the name.
  static std::int32_t key_of(std::string_view name);

 private:
  void lose(const char* reason);

  std::string url_;  // secret
  std::string name_;
  std::unique_ptr<db::BlockingSession> session_;
  bool held_ = false;
};

// The URL with the keepalive settings a lease and a worker's session use, so a vanished
// peer is noticed in about ten seconds rather than the kernel's two hours.
std::string with_keepalives(const std::string& database_url);

}  // namespace pend::workers
