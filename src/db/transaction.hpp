// Transaction and Savepoint: BEGIN ... COMMIT as a scope on a leased connection. Unless
// commit() ran, the transaction is rolled back: an exception unwinding past it can never
// leave work half done. BEGIN, SAVEPOINT and RELEASE are not round trips of their own: they
// travel with the next statement.
//
//   db::Lease conn = co_await database.acquire(scope);
//   db::Transaction tx(*conn, scope);
//   co_await tx.query(kDebit, from, amount);
//   {
//     db::Savepoint attempt(tx);
//     try { co_await tx.query(kTryBonus, to); attempt.release(); }
//     catch (const db::DatabaseError&) {}  // only the bonus is undone
//   }
//   co_await tx.commit();
#pragma once

#include "db/pg_connection.hpp"

namespace pend::db {

class Transaction {
 public:
  // begin: the BEGIN statement, e.g. "BEGIN ISOLATION LEVEL SERIALIZABLE".
  explicit Transaction(PgConnection& connection, Scope scope = {}, std::string begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  template <typename... Args>
  boost::asio::awaitable<Result> query(const Statement& statement, Args&&... args) {
    return connection_.query(statement, scope_, std::forward<Args>(args)...);
  }
  // Throws if the transaction had already failed (PostgreSQL then rolls it back instead).
  boost::asio::awaitable<void> commit();
  boost::asio::awaitable<void> rollback();

  PgConnection& connection() { return connection_; }
  const Scope& scope() const { return scope_; }

 private:
  friend class Savepoint;
  PgConnection& connection_;
  Scope scope_;
  std::string begin_;
  bool finished_ = false;
  unsigned savepoints_ = 0;
};

class Savepoint {
 public:
  explicit Savepoint(Transaction& transaction);
  ~Savepoint();  // not released: the work since the savepoint is undone
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  void release();  // keep the work

 private:
  Transaction& transaction_;
  std::string name_;
  bool released_ = false;
};

}  // namespace pend::db
