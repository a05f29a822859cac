// The database Scope of an HTTP request: statements are cut to the request's remaining
// budget, their time is added to the request's database time, and they are cancelled when
// the client leaves (the connection's sweeper emits ctx.cancel).
//
//   Result rows = co_await database.query(kStatement, db::request_scope(ctx), id);
#pragma once

#include "db/pg_connection.hpp"
#include "http/request_context.hpp"

namespace pend::db {

inline Scope request_scope(http::RequestContext& ctx) {
  return Scope{.deadline = ctx.deadline,
               .timeout = std::chrono::milliseconds{0},
               .time = &ctx.database_time,
               .cancel = ctx.cancel.slot()};
}

}  // namespace pend::db
