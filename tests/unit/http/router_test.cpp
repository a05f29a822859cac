#include "http/router.hpp"
#include "http/request_context.hpp"

#include <gtest/gtest.h>

namespace pend::http {
namespace {

using Outcome = RouteMatch::Outcome;

Handler noop() {
  return [](RequestContext&) -> boost::asio::awaitable<void> { co_return; };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add(Method::get, "/api/v1/health/live", noop());
    router.add(Method::get, "/api/v1/explorer/blocks/{number:uint}", noop());
    router.add(Method::get, "/api/v1/explorer/blocks/latest", noop());
    router.add(Method::get, "/api/v1/explorer/transactions/{hash:hex}", noop());
    router.add(Method::get, "/api/v1/users/{id:uuid}", noop());
    router.add(Method::put, "/api/v1/users/{id:uuid}", noop());
    router.add(Method::get, "/api/v1/users/{id:uuid}/sessions/{session}", noop());
    router.add(Method::get, "/api/v1/assets/{symbol}/price", noop());
    router.add(Method::get, "/api/v1/assets/{symbol}/holders/{offset:int}", noop());
  }
  Router router;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  const auto m = router.match(Method::get, "/api/v1/health/live");
  ASSERT_EQ(m.outcome, Outcome::found);
  EXPECT_EQ(m.route->path_template, "/api/v1/health/live");
  EXPECT_EQ(m.params.size(), 0u);
}

TEST_F(RouterTest, ExtractsTypedParameters) {
  const auto m = router.match(Method::get, "/api/v1/explorer/blocks/18000000");
  ASSERT_EQ(m.outcome, Outcome::found);
  EXPECT_EQ(m.params.get("number"), "18000000");
  EXPECT_EQ(*m.path_template, "/api/v1/explorer/blocks/{number}");
}

TEST_F(RouterTest, LiteralBeatsParameter) {
  const auto m = router.match(Method::get, "/api/v1/explorer/blocks/latest");
  ASSERT_EQ(m.outcome, Outcome::found);
  EXPECT_EQ(m.route->path_template, "/api/v1/explorer/blocks/latest");
}

TEST_F(RouterTest, TypeMismatchIsInvalidParameter) {
  const auto m = router.match(Method::get, "/api/v1/explorer/blocks/12abc");
  EXPECT_EQ(m.outcome, Outcome::invalid_parameter);
  EXPECT_EQ(m.invalid_name, "number");
  EXPECT_EQ(m.invalid_type, ParamType::uint);
  EXPECT_EQ(router.match(Method::get, "/api/v1/explorer/blocks/-1").outcome,
            Outcome::invalid_parameter);
  EXPECT_EQ(router.match(Method::get, "/api/v1/explorer/blocks/123456789012345678901").outcome,
            Outcome::invalid_parameter)
      << "more digits than a uint64 can hold";
}

TEST_F(RouterTest, ParameterTypes) {
  EXPECT_TRUE(param_accepts(ParamType::hex, "0xdeadBEEF"));
  EXPECT_FALSE(param_accepts(ParamType::hex, "deadbeef"));
  EXPECT_FALSE(param_accepts(ParamType::hex, "0x"));
  EXPECT_FALSE(param_accepts(ParamType::hex, "0xzz"));
  EXPECT_TRUE(param_accepts(ParamType::uuid, "123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(param_accepts(ParamType::uuid, "123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(param_accepts(ParamType::uuid, "123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_TRUE(param_accepts(ParamType::int_, "-42"));
  EXPECT_FALSE(param_accepts(ParamType::int_, "-"));
  EXPECT_FALSE(param_accepts(ParamType::string, ""));
}

TEST_F(RouterTest, BacktracksAcrossParameters) {
  const auto m =
      router.match(Method::get, "/api/v1/users/123e4567-e89b-12d3-a456-426614174000/sessions/s1");
  ASSERT_EQ(m.outcome, Outcome::found);
  EXPECT_EQ(m.params.get("id"), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(m.params.get("session"), "s1");

  const auto deeper = router.match(Method::get, "/api/v1/assets/PND/holders/20");
  ASSERT_EQ(deeper.outcome, Outcome::found);
  EXPECT_EQ(deeper.params.get("symbol"), "PND");
  EXPECT_EQ(deeper.params.get("offset"), "20");
  EXPECT_EQ(deeper.params.size(), 2u);
}

TEST_F(RouterTest, HeadMatchesGet) {
  const auto m = router.match(Method::head, "/api/v1/health/live");
  ASSERT_EQ(m.outcome, Outcome::found);
  EXPECT_EQ(m.route->method, Method::get);
}

TEST_F(RouterTest, WrongMethodIsMethodNotAllowedWithAllow) {
  const auto m = router.match(Method::post, "/api/v1/users/123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(m.outcome, Outcome::method_not_allowed);
  EXPECT_EQ(*m.allow, "GET, HEAD, PUT, OPTIONS");
  EXPECT_EQ(*m.path_template, "/api/v1/users/{id}");
  EXPECT_EQ(router.match(Method::other, "/api/v1/health/live").outcome,
            Outcome::method_not_allowed);
}

TEST_F(RouterTest, NotFound) {
  for (const auto* path : {"/api/v1/health", "/api/v1/health/live/", "/api/v1/health/live/x", "",
                           "api/v1/health/live", "/", "//", "/api/v1/explorer/blocks/"}) {
    const auto m = router.match(Method::get, path);
    EXPECT_EQ(m.outcome, Outcome::not_found) << path;
    EXPECT_EQ(m.template_id, router.unmatched_template_id()) << path;
  }
}

TEST_F(RouterTest, VeryDeepPathsDoNotMatch) {
  std::string path;
  for (int i = 0; i < 1000; ++i) path += "/a";
  EXPECT_EQ(router.match(Method::get, path).outcome, Outcome::not_found);
}

TEST_F(RouterTest, TemplatesAreDenseAndShared) {
  // GET and PUT on one template share its id; every template has its own.
  const auto get = router.match(Method::get, "/api/v1/users/123e4567-e89b-12d3-a456-426614174000");
  const auto put = router.match(Method::put, "/api/v1/users/123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(get.template_id, put.template_id);
  EXPECT_EQ(router.templates().size(), 8u);
  EXPECT_EQ(router.routes().size(), 9u);
}

TEST(RouterErrors, RejectsMalformedAndDuplicateRoutes) {
  Router router;
  router.add(Method::get, "/a/{id}", noop());
  EXPECT_THROW(router.add(Method::get, "/a/{id}", noop()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "no-slash", noop()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/a/{id:float}", noop()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/a/x{id}", noop()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/a/{}", noop()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::head, "/b", noop()), std::invalid_argument);
}

}  // namespace
}  // namespace pend::http
