// The sessions API's types, named like their components in docs/api/openapi.yaml.
#pragma once

#include "util/time.hpp"

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pend::domain::sessions::api {

struct Session {
  static constexpr std::string_view kSchema = "Session";
  std::string id;
  std::string kind;
  util::Microseconds created_at;
  util::Microseconds last_accessed_at;
  util::Microseconds expires_at;
  std::string ip_address;
  std::string user_agent;
  bool current = false;
};
BOOST_DESCRIBE_STRUCT(Session, (),
                      (id, kind, created_at, last_accessed_at, expires_at, ip_address, user_agent,
                       current))

struct SessionList {
  static constexpr std::string_view kSchema = "SessionList";
  std::vector<Session> items;
  std::optional<std::string> next_cursor;  // always null: a principal has few sessions
};
BOOST_DESCRIBE_STRUCT(SessionList, (), (items, next_cursor))

struct RevokeAllQuery {
  static constexpr std::string_view kSchema = "RevokeAllQuery";
  std::optional<bool> keep_current;
};
BOOST_DESCRIBE_STRUCT(RevokeAllQuery, (), (keep_current))

struct RevokedSessions {
  static constexpr std::string_view kSchema = "RevokedSessions";
  std::uint64_t revoked = 0;
};
BOOST_DESCRIBE_STRUCT(RevokedSessions, (), (revoked))

}  // namespace pend::domain::sessions::api
