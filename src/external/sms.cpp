#include "external/sms.hpp"

#include "logging/logger.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <thread>

namespace pend::external {

namespace {

// application/x-www-form-urlencoded: unreserved characters as they are, the rest %XX.
std::string form_value(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

class LogSms final : public SmsSender {
 public:
  std::string_view name() const override { return "log"; }
  SmsResult send(const SmsMessage& message) const override {
    // Development and tests only (the loader refuses this provider in production): the
    // text, code included, is what a developer needs to sign in.
    logging::debug("AUTH", "SMS_LOGGED", "SMS not sent (log provider)",
                   {{"to", message.masked_to}, {"body", message.body}});
    return {.sent = true, .provider_id = "log", .attempts = 1};
  }
};

class HttpSms final : public SmsSender {
 public:
  HttpSms(const config::AuthSettings& settings, const HttpClient& client)
      : settings_(settings), client_(client) {}
  std::string_view name() const override { return "http"; }

  SmsResult send(const SmsMessage& message) const override {
    std::string form = "To=" + form_value(message.to) + "&Body=" + form_value(message.body);
    if (!settings_.sms_messaging_service_sid.empty()) {
      form += "&MessagingServiceSid=" + form_value(settings_.sms_messaging_service_sid);
    } else {
      form += "&From=" + form_value(settings_.sms_from);
    }
    SmsResult result;
    auto backoff = std::chrono::milliseconds(200);
    for (unsigned attempt = 1; attempt <= settings_.sms_attempts; ++attempt) {
      result.attempts = attempt;
      std::chrono::nanoseconds elapsed{0};
      const HttpResponse response =
          client_.send({.method = "POST",
                        .url = settings_.sms_url,
                        .body = form,
                        .content_type = "application/x-www-form-urlencoded",
                        .headers = {{"Accept", "application/json"}}},
                       settings_.sms_timeout, &elapsed);
      result.elapsed += elapsed;
      if (response.ok()) {
        result.sent = true;
        result.provider_id = provider_id(response.body);
        break;
      }
      result.error = response.status == 0
                         ? response.error
                         : "the provider answered " + std::to_string(response.status);
      // Only a timeout, a lost connection or a 5xx is worth another try: a 4xx (a bad
      // number, bad credentials, the account's rate) will not change by asking again.
      const bool retry = response.status == 0 || response.status >= 500;
      if (!retry || attempt == settings_.sms_attempts) break;
      std::this_thread::sleep_for(backoff);  // on the work pool's thread, never a shard's
      backoff *= 2;
    }
    if (result.sent) {
      logging::info("AUTH", "SMS_SENT", "code sent by SMS",
                    {{"to", message.masked_to},
                     {"provider_message_id", result.provider_id},
                     {"attempts", result.attempts}});
    } else {
      logging::warn(
          "AUTH", "SMS_FAILED", "the SMS provider did not take the message",
          {{"to", message.masked_to}, {"error", result.error}, {"attempts", result.attempts}});
    }
    return result;
  }

 private:
  // Twilio answers {"sid": "SM...", ...}; other compatible providers "id" or "message_id".
  static std::string provider_id(const std::string& body) {
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object()) return {};
    for (const char* key : {"sid", "id", "message_id"}) {
      if (const auto* value = parsed.as_object().if_contains(key); value && value->is_string()) {
        return std::string{value->as_string()}.substr(0, 64);
      }
    }
    return {};
  }

  const config::AuthSettings& settings_;
  const HttpClient& client_;
};

}  // namespace

std::unique_ptr<SmsSender> make_sms_sender(const config::AuthSettings& settings,
                                           const HttpClient& client) {
  if (settings.sms_provider == "http") return std::make_unique<HttpSms>(settings, client);
  return std::make_unique<LogSms>();
}

}  // namespace pend::external
