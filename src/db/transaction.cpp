#include "db/transaction.hpp"

namespace pend::db {

namespace {

constexpr Statement kCommit{"transaction.commit", "COMMIT", false};
constexpr Statement kRollback{"transaction.rollback", "ROLLBACK", false};

}  // namespace

Transaction::Transaction(PgConnection& connection, Scope scope, std::string begin)
    : connection_(connection), scope_(std::move(scope)), begin_(std::move(begin)) {
  connection_.defer(begin_);
}

Transaction::~Transaction() {
  if (finished_) return;
  // Never sent: forget the BEGIN. Otherwise the ROLLBACK goes ahead of the connection's next
  // statement, or the pool sends it when the lease comes back.
  if (!connection_.undefer(begin_)) connection_.defer("ROLLBACK");
}

boost::asio::awaitable<void> Transaction::commit() {
  finished_ = true;
  const Result result = co_await connection_.query(kCommit, scope_);
  if (result.command() == "ROLLBACK") {
    throw DatabaseError("the transaction had failed, so COMMIT rolled it back", "25P02");
  }
}

boost::asio::awaitable<void> Transaction::rollback() {
  finished_ = true;
  if (connection_.undefer(begin_)) co_return;
  co_await connection_.query(kRollback, scope_);
}

Savepoint::Savepoint(Transaction& transaction)
    : transaction_(transaction), name_("pend_sp" + std::to_string(++transaction.savepoints_)) {
  transaction_.connection_.defer("SAVEPOINT " + name_);
}

Savepoint::~Savepoint() {
  if (released_) return;
  auto& connection = transaction_.connection_;
  if (connection.undefer("SAVEPOINT " + name_)) return;  // nothing happened since
  connection.defer("ROLLBACK TO SAVEPOINT " + name_);
  connection.defer("RELEASE SAVEPOINT " + name_);
}

void Savepoint::release() {
  released_ = true;
  auto& connection = transaction_.connection_;
  if (!connection.undefer("SAVEPOINT " + name_)) connection.defer("RELEASE SAVEPOINT " + name_);
}

}  // namespace pend::db
