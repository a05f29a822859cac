// Reply: one parsed Redis reply, owned (hiredis's redisReply, freed on destruction), read
// through ReplyView, which also views the elements of an array reply.
//
//   Reply reply = co_await redis.command("HMGET", key, "cached_at", "data");
//   if (reply.view()[1].is_nil()) ...;  std::string_view data = reply.view()[1].text();
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

struct redisReply;

namespace pend::cache {

class ReplyView {
 public:
  enum class Type : std::uint8_t { string, array, integer, nil, status, error };

  explicit ReplyView(const redisReply* reply) : reply_(reply) {}

  Type type() const;
  bool is_nil() const { return type() == Type::nil; }
  bool is_error() const { return type() == Type::error; }
  // Text of a string, status or error reply; empty for the others.
  std::string_view text() const;
  // An integer reply, or a string reply that holds a decimal integer.
  std::optional<std::int64_t> integer() const;
  std::size_t size() const;                   // elements of an array reply, else 0
  ReplyView operator[](std::size_t i) const;  // i < size()

 private:
  const redisReply* reply_;
};

class Reply {
 public:
  Reply() = default;
  explicit Reply(redisReply* reply);
  ~Reply();
  Reply(Reply&& other) noexcept : reply_(std::exchange(other.reply_, nullptr)) {}
  Reply& operator=(Reply&& other) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;

  ReplyView view() const { return ReplyView{reply_}; }
  ReplyView::Type type() const { return view().type(); }
  bool is_nil() const { return view().is_nil(); }
  bool is_error() const { return view().is_error(); }
  std::string_view text() const { return view().text(); }
  std::optional<std::int64_t> integer() const { return view().integer(); }
  std::size_t size() const { return view().size(); }
  ReplyView operator[](std::size_t i) const { return view()[i]; }

 private:
  redisReply* reply_ = nullptr;
};

}  // namespace pend::cache
