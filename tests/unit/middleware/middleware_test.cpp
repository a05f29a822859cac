#include "http/request_context.hpp"
#include "middleware/real_ip.hpp"
#include "middleware/request_id.hpp"
#include "middleware/trace_context.hpp"
#include "util/cidr.hpp"
#include "util/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pend::middleware {
namespace {

namespace ip = boost::asio::ip;

TEST(TraceparentTest, AcceptsTheSpecExample) {
  const auto trace = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(trace->parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(trace->flags, 1);
}

TEST(TraceparentTest, RejectsWhatTheSpecForbids) {
  for (const auto* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",        // no flags
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",     // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",     // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",     // upper case
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx",  // v00 is exact
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
       }) {
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  }
  // A future version may append fields after a dash.
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
}

TEST(TraceparentTest, OutboundHeaderCarriesOurSpan) {
  http::TraceContext trace;
  trace.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  trace.span_id = "b7ad6b7169203331";
  trace.flags = 1;
  EXPECT_EQ(trace.outbound_header(), "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01");
}

TEST(RequestIdTest, WellFormedIds) {
  EXPECT_TRUE(is_well_formed_request_id("abc"));
  EXPECT_TRUE(is_well_formed_request_id("0190c3f0-6c2e-7a4b-9d1e-2f3a4b5c6d7e"));
  EXPECT_FALSE(is_well_formed_request_id(""));
  EXPECT_FALSE(is_well_formed_request_id(std::string(37, 'a')));
  EXPECT_FALSE(is_well_formed_request_id("has space"));
  EXPECT_FALSE(is_well_formed_request_id("new\nline"));
  EXPECT_FALSE(is_well_formed_request_id("quote\""));
}

TEST(RequestIdTest, GeneratedIdsAreUniqueUuidV7) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(util::new_request_id());
  EXPECT_EQ(ids.size(), 10000u);
  const auto id = *ids.begin();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(is_well_formed_request_id(id));
}

// The client real_ip resolves for a request from peer carrying X-Forwarded-For: chain.
std::string client_for(std::string_view peer, std::string_view chain) {
  RealIp real_ip({"10.0.0.0/8"});
  http::Request request;
  request.set("X-Forwarded-For", chain);
  http::RequestContext ctx(request);
  ctx.peer_address = ip::make_address(peer);
  real_ip.before(ctx);
  return ctx.client_address.to_string();
}

TEST(RealIpTest, TrustedChainIsWalkedFromTheRight) {
  EXPECT_EQ(client_for("10.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.7"), "198.51.100.1");
}

TEST(RealIpTest, MalformedHopStopsTheWalk) {
  EXPECT_EQ(client_for("10.0.0.1", "1.2.3.4, not-an-ip, 10.0.0.7"), "10.0.0.7")
      << "the last address we could trust";
}

TEST(RealIpTest, SeveralForwardedForLinesAreOneChainInOrder) {
  // A client's forged line first, then the proxy's own: the proxy's line is the truth.
  RealIp real_ip({"10.0.0.0/8"});
  http::Request request;
  request.insert("X-Forwarded-For", "10.0.0.9");
  request.insert("X-Forwarded-For", "198.51.100.1");
  http::RequestContext ctx(request);
  ctx.peer_address = ip::make_address("10.0.0.1");
  real_ip.before(ctx);
  EXPECT_EQ(ctx.client_address.to_string(), "198.51.100.1");
}

TEST(RealIpTest, UntrustedPeerIsTheClientWhateverItClaims) {
  EXPECT_EQ(client_for("203.0.113.5", "1.2.3.4"), "203.0.113.5");
}

}  // namespace
}  // namespace pend::middleware
