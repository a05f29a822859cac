// SMS: how one-time codes reach a phone. Providers are chosen by configuration
// (auth.sms_provider): "log" writes the message to the log at debug (development and tests;
// production refuses it) and "http" POSTs a Twilio-compatible form (To, From or
// MessagingServiceSid, Body; the URL's userinfo as Basic authentication), retrying with
// backoff on 5xx and transport failures only. Sending blocks: callers run it on a work pool,
// never on a shard's loop. The outcome is logged with the masked number and the provider's
// message id; never the number or the text.
//
//   auto sms = external::make_sms_sender(settings.auth, http_client);
//   SmsResult r = co_await pool.run([&] { return sms->send({e164, masked, body}); });
#pragma once

#include "config/settings.hpp"
#include "external/http_client.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace pend::external {

struct SmsMessage {
  std::string to;         // E.164; never logged
  std::string masked_to;  // what logs show: +44*******123
  std::string body;       // holds the code; never logged by the http provider
};

struct SmsResult {
  bool sent = false;
  std::string provider_id;  // the provider's message id ("sid")
  std::string error;        // why not, for the log (no number, no body)
  unsigned attempts = 0;
  std::chrono::nanoseconds elapsed{0};  // time spent on the provider: api_metrics' external time
};

class SmsSender {
 public:
  virtual ~SmsSender() = default;
  virtual std::string_view name() const = 0;
  // Blocks until sent or given up.
  virtual SmsResult send(const SmsMessage& message) const = 0;
};

std::unique_ptr<SmsSender> make_sms_sender(const config::AuthSettings& settings,
                                           const HttpClient& client);

}  // namespace pend::external
