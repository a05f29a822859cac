#include "http/request_pipeline.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

namespace pend::http {
namespace {

// Records the order in which hooks run.
class Recorder final : public Middleware {
 public:
  Recorder(std::string name, std::vector<std::string>& journal)
      : name_(std::move(name)), journal_(journal) {}
  std::string_view name() const override { return name_; }
  void before(RequestContext& ctx) override {
    journal_.push_back("before " + name_);
    if (answer_) {
      ctx.text(202, "early", "text/plain");
      ctx.answered = true;
    }
    if (refuse_) throw ApiError::forbidden("refused by " + name_);
  }
  void after(RequestContext&) noexcept override { journal_.push_back("after " + name_); }
  bool runs_on_rejected() const override { return on_rejected_; }

  bool answer_ = false;
  bool refuse_ = false;
  bool on_rejected_ = false;

 private:
  std::string name_;
  std::vector<std::string>& journal_;
};

class Observer final : public RequestObserver {
 public:
  void on_start(const RequestContext&) noexcept override { ++started; }
  void on_finish(const RequestContext& ctx) noexcept override {
    ++finished;
    last_status = ctx.response.result_int();
  }
  int started = 0;
  int finished = 0;
  unsigned last_status = 0;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->add(Method::get, "/ok", [this](RequestContext& ctx) -> boost::asio::awaitable<void> {
      journal.push_back("handler");
      ctx.json(200, {{"ok", true}});
      co_return;
    });
    router->add(Method::get, "/throws", [this](RequestContext&) -> boost::asio::awaitable<void> {
      journal.push_back("handler");
      throw std::logic_error("internal detail");
      co_return;
    });
    first = std::make_shared<Recorder>("first", journal);
    second = std::make_shared<Recorder>("second", journal);
    third = std::make_shared<Recorder>("third", journal);
    observer = std::make_shared<Observer>();
    pipeline = std::make_unique<RequestPipeline>(
        router, std::vector<std::shared_ptr<Middleware>>{first, second, third},
        std::vector<std::shared_ptr<RequestObserver>>{observer});
  }

  Response run(std::string_view target,
               boost::beast::http::verb verb = boost::beast::http::verb::get) {
    Request request{verb, target, 11};
    RequestContext ctx(request);
    boost::asio::io_context io;
    boost::asio::co_spawn(io, pipeline->handle(ctx), boost::asio::detached);
    io.run();
    return ctx.response;
  }

  std::vector<std::string> journal;
  std::shared_ptr<Recorder> first, second, third;
  std::shared_ptr<Observer> observer;
  std::unique_ptr<RequestPipeline> pipeline;
};

TEST_F(PipelineTest, BeforeInOrderAfterInReverse) {
  const auto res = run("/ok");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(journal,
            (std::vector<std::string>{"before first", "before second", "before third", "handler",
                                      "after third", "after second", "after first"}));
  EXPECT_EQ(observer->started, 1);
  EXPECT_EQ(observer->finished, 1);
}

TEST_F(PipelineTest, EarlyAnswerSkipsTheRestButUnwindsWhatRan) {
  second->answer_ = true;
  const auto res = run("/ok");
  EXPECT_EQ(res.result_int(), 202u);
  EXPECT_EQ(journal, (std::vector<std::string>{"before first", "before second", "after second",
                                               "after first"}));
}

TEST_F(PipelineTest, RefusalBecomesTheEnvelopeAndUnwinds) {
  second->refuse_ = true;
  const auto res = run("/ok");
  EXPECT_EQ(res.result_int(), 403u);
  const auto body = boost::json::parse(res.body());
  EXPECT_EQ(body.at("error").at("code"), "forbidden");
  EXPECT_EQ(body.at("error").at("message"), "refused by second");
  EXPECT_EQ(journal, (std::vector<std::string>{"before first", "before second", "after second",
                                               "after first"}));
  EXPECT_EQ(observer->last_status, 403u);
}

TEST_F(PipelineTest, HandlerExceptionIs500WithoutItsText) {
  const auto res = run("/throws");
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_EQ(res.body().find("internal detail"), std::string::npos);
  EXPECT_EQ(boost::json::parse(res.body()).at("error").at("code"), "internal_error");
  EXPECT_EQ(journal.back(), "after first") << "after hooks run for errors too";
}

TEST_F(PipelineTest, RoutingErrorsComeAfterTheChain) {
  const auto res = run("/missing");
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(journal.size(), 6u);  // all befores and afters, no handler
  const auto wrong_method = run("/ok", boost::beast::http::verb::post);
  EXPECT_EQ(wrong_method.result_int(), 405u);
  EXPECT_EQ(wrong_method[boost::beast::http::field::allow], "GET, HEAD, OPTIONS");
}

TEST_F(PipelineTest, HeadKeepsContentLengthAndDropsTheBody) {
  const auto get = run("/ok");
  const auto head = run("/ok", boost::beast::http::verb::head);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[boost::beast::http::field::content_length], std::to_string(get.body().size()));
}

TEST_F(PipelineTest, RejectRunsOnlyTheLeadingMiddlewareThatAskToRun) {
  first->on_rejected_ = true;
  third->on_rejected_ = true;  // not leading: second stops the run
  Request request;
  RequestContext ctx(request);
  pipeline->reject(ctx, ApiError::payload_too_large(10));
  EXPECT_EQ(ctx.response.result_int(), 413u);
  EXPECT_EQ(journal, (std::vector<std::string>{"before first", "after first"}));
  EXPECT_EQ(observer->finished, 1);
}

}  // namespace
}  // namespace pend::http
