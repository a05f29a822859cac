// The http SMS provider against a local listener playing Twilio: the form it posts, the
// Basic authentication from the URL, retries on a 5xx and on a timeout, none on a 4xx.
#include "external/sms.hpp"
#include "config/settings.hpp"
#include "external/http_client.hpp"
#include "support/http_recorder.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

config::AuthSettings provider_at(const HttpRecorder& recorder) {
  config::AuthSettings s;
  s.sms_provider = "http";
  s.sms_url = "http://AC0001:provider-secret@127.0.0.1:" + std::to_string(recorder.port()) +
              "/2010-04-01/Accounts/AC0001/Messages.json";
  s.sms_from = "+15005550006";
  s.sms_attempts = 3;
  s.sms_timeout = 2'000ms;
  return s;
}

const external::SmsMessage kMessage{.to = "+447400123456",
                                    .masked_to = "+44*******456",
                                    .body = "Your Pend code is 042917. It expires in 5 minutes."};

TEST(HttpSmsTest, PostsTheTwilioFormWithBasicAuthentication) {
  HttpRecorder provider{[](const RecordedRequest&, std::size_t) {
    return std::pair<unsigned, std::string>{201,
                                            R"({"sid":"SM0123456789abcdef","status":"queued"})"};
  }};
  const auto settings = provider_at(provider);
  external::HttpClient client;
  const auto sms = external::make_sms_sender(settings, client);
  ASSERT_EQ(sms->name(), "http");
  const auto result = sms->send(kMessage);
  EXPECT_TRUE(result.sent) << result.error;
  EXPECT_EQ(result.provider_id, "SM0123456789abcdef");
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_GT(result.elapsed.count(), 0);
  const auto requests = provider.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method_string(), "POST");
  EXPECT_EQ(r.target(), "/2010-04-01/Accounts/AC0001/Messages.json");
  EXPECT_EQ(r[boost::beast::http::field::content_type], "application/x-www-form-urlencoded");
  // base64("AC0001:provider-secret")
  EXPECT_EQ(r[boost::beast::http::field::authorization], "Basic QUMwMDAxOnByb3ZpZGVyLXNlY3JldA==");
  EXPECT_EQ(r.body(),
            "To=%2B447400123456&Body=Your%20Pend%20code%20is%20042917.%20It%20expires%20in%205%20"
            "minutes.&From=%2B15005550006");
}

TEST(HttpSmsTest, AMessagingServiceReplacesFrom) {
  HttpRecorder provider{[](const RecordedRequest&, std::size_t) {
    return std::pair<unsigned, std::string>{201, R"({"sid":"SM1"})"};
  }};
  auto settings = provider_at(provider);
  settings.sms_messaging_service_sid = "MG0001";
  external::HttpClient client;
  ASSERT_TRUE(external::make_sms_sender(settings, client)->send(kMessage).sent);
  const auto body = provider.requests().at(0).body();
  EXPECT_TRUE(body.ends_with("&MessagingServiceSid=MG0001")) << body;
  EXPECT_EQ(body.find("From="), std::string::npos) << body;
}

TEST(HttpSmsTest, RetriesAServerErrorAndATimeoutButNotARefusal) {
  HttpRecorder flaky{[](const RecordedRequest&, std::size_t n) {
    if (n == 0) return std::pair<unsigned, std::string>{503, R"({"message":"busy"})"};
    if (n == 1) {
      std::this_thread::sleep_for(600ms);  // the provider hangs past the client's timeout
      return std::pair<unsigned, std::string>{201, R"({"sid":"SMlate"})"};
    }
    return std::pair<unsigned, std::string>{201, R"({"sid":"SM3"})"};
  }};
  auto settings = provider_at(flaky);
  settings.sms_timeout = 300ms;
  external::HttpClient client;
  const auto result = external::make_sms_sender(settings, client)->send(kMessage);
  EXPECT_TRUE(result.sent) << result.error;
  EXPECT_EQ(result.attempts, 3u);
  EXPECT_EQ(result.provider_id, "SM3");
  EXPECT_EQ(flaky.requests().size(), 3u);

  HttpRecorder refusing{[](const RecordedRequest&, std::size_t) {
    return std::pair<unsigned, std::string>{400, R"({"code":21211,"message":"invalid To"})"};
  }};
  const auto refused = external::make_sms_sender(provider_at(refusing), client)->send(kMessage);
  EXPECT_FALSE(refused.sent);
  EXPECT_EQ(refused.attempts, 1u);
  EXPECT_EQ(refused.error, "the provider answered 400");
  EXPECT_EQ(refusing.requests().size(), 1u);

  HttpRecorder down{[](const RecordedRequest&, std::size_t) {
    return std::pair<unsigned, std::string>{500, "{}"};
  }};
  const auto gave_up = external::make_sms_sender(provider_at(down), client)->send(kMessage);
  EXPECT_FALSE(gave_up.sent);
  EXPECT_EQ(gave_up.attempts, 3u);
  EXPECT_EQ(down.requests().size(), 3u);
  // Nothing the provider is told comes back in the error: not the number, not the text.
  EXPECT_EQ(gave_up.error.find("7400123456"), std::string::npos);
  EXPECT_EQ(gave_up.error.find("042917"), std::string::npos);
}

}  // namespace
}  // namespace pend::test
