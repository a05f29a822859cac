#include "cache/redis_reply.hpp"

#include <hiredis/hiredis.h>

#include <charconv>

namespace pend::cache {

ReplyView::Type ReplyView::type() const {
  if (reply_ == nullptr) return Type::nil;
  switch (reply_->type) {
    case REDIS_REPLY_STRING:
      return Type::string;
    case REDIS_REPLY_ARRAY:
      return Type::array;
    case REDIS_REPLY_INTEGER:
      return Type::integer;
    case REDIS_REPLY_STATUS:
      return Type::status;
    case REDIS_REPLY_ERROR:
      return Type::error;
    default:
      return Type::nil;
  }
}

std::string_view ReplyView::text() const {
  switch (type()) {
    case Type::string:
    case Type::status:
    case Type::error:
      return {reply_->str, reply_->len};
    default:
      return {};
  }
}

std::optional<std::int64_t> ReplyView::integer() const {
  if (type() == Type::integer) return reply_->integer;
  if (type() != Type::string) return std::nullopt;
  std::int64_t value = 0;
  const auto* end = reply_->str + reply_->len;
  const auto [ptr, ec] = std::from_chars(reply_->str, end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::size_t ReplyView::size() const { return type() == Type::array ? reply_->elements : 0; }

ReplyView ReplyView::operator[](std::size_t i) const {
  return ReplyView{i < size() ? reply_->element[i] : nullptr};
}

Reply::Reply(redisReply* reply) : reply_(reply) {}

Reply::~Reply() {
  if (reply_ != nullptr) freeReplyObject(reply_);
}

Reply& Reply::operator=(Reply&& other) noexcept {
  if (this != &other) {
    if (reply_ != nullptr) freeReplyObject(reply_);
    reply_ = std::exchange(other.reply_, nullptr);
  }
  return *this;
}

}  // namespace pend::cache
