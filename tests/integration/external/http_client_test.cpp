// The outbound HTTP client against local listeners: plain http, and https with a certificate
// made for the test (openssl): the handshake, the peer's name and address checked against
// the certificate, and a peer the client does not trust refused before anything is sent.
#include "external/http_client.hpp"

#include "support/http_recorder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace pend::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::pair<unsigned, std::string> ok(const RecordedRequest&, std::size_t) {
  return {200, R"({"taken":true})"};
}

struct Certificates : ::testing::Test {
  // A self-signed certificate for the names given (subjectAltName entries).
  static HttpRecorder::Tls make(const fs::path& dir, const std::string& name,
                                const std::string& alt_names) {
    const auto key = dir / (name + ".key"), certificate = dir / (name + ".pem");
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" + name + " -addext " +
        "subjectAltName=" + alt_names + " -keyout " + key.string() + " -out " +
        certificate.string() + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
    return {certificate.string(), key.string()};
  }

  void SetUp() override {
    dir = fs::temp_directory_path() / ("pend-https-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    local = make(dir, "localhost", "DNS:localhost,IP:127.0.0.1");
    other = make(dir, "other.example", "DNS:other.example");
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path dir;
  HttpRecorder::Tls local, other;
};

TEST(HttpClientTest, PlainHttpWithBasicAuthenticationFromTheUrl) {
  HttpRecorder server(ok);
  std::string url = server.url("/hook?x=1");
  url.insert(url.find("//") + 2, "user:secret@");
  const auto response = external::HttpClient{}.send(
      {.method = "POST", .url = url, .body = R"({"a":1})", .content_type = "application/json"}, 2s);
  EXPECT_EQ(response.status, 200u) << response.error;
  EXPECT_EQ(response.body, R"({"taken":true})");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.target(), "/hook?x=1");
  EXPECT_EQ(request.body(), R"({"a":1})");
  EXPECT_EQ(request[boost::beast::http::field::authorization], "Basic dXNlcjpzZWNyZXQ=");
}

TEST_F(Certificates, HttpsToAPeerWhoseCertificateNamesIt) {
  HttpRecorder server(ok, local);
  const external::HttpClient client(local.certificate_file);
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    const auto response =
        client.send({.method = "POST", .url = server.url("/hook", host), .body = "{}"}, 5s);
    EXPECT_EQ(response.status, 200u) << host << ": " << response.error;
    EXPECT_EQ(response.body, R"({"taken":true})");
  }
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(Certificates, HttpsRefusesAPeerItDoesNotTrustOrThatIsNotTheHostAsked) {
  HttpRecorder untrusted(ok, local);
  const auto unknown = external::HttpClient{}.send({.url = untrusted.url("/", "localhost")}, 5s);
  EXPECT_EQ(unknown.status, 0u);
  EXPECT_NE(unknown.error.find("TLS handshake"), std::string::npos) << unknown.error;

  HttpRecorder impostor(ok, other);  // a certificate the client trusts, for another name
  const auto wrong_name = external::HttpClient(other.certificate_file)
                              .send({.url = impostor.url("/", "localhost")}, 5s);
  EXPECT_EQ(wrong_name.status, 0u);
  EXPECT_NE(wrong_name.error.find("TLS handshake"), std::string::npos) << wrong_name.error;
  EXPECT_TRUE(untrusted.requests().empty() && impostor.requests().empty())
      << "nothing is sent to a peer that failed the check";

  const auto no_file = external::HttpClient((dir / "missing.pem").string())
                           .send({.url = untrusted.url("/", "localhost")}, 5s);
  EXPECT_EQ(no_file.status, 0u);
  EXPECT_NE(no_file.error.find("trusted certificates"), std::string::npos) << no_file.error;
}

TEST(HttpClientTest, BadUrlsAndSilentPeersAreAnswersNotExceptions) {
  for (const char* bad : {"", "ftp://host/x", "http://", "not a url"}) {
    const auto response = external::HttpClient{}.send({.url = bad}, 1s);
    EXPECT_EQ(response.status, 0u) << bad;
    EXPECT_FALSE(response.error.empty()) << bad;
  }
  // A listener that accepts and never answers: the timeout ends the call.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto response = external::HttpClient{}.send(
      {.url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/"}, 300ms);
  EXPECT_EQ(response.status, 0u);
  EXPECT_NE(response.error.find("no answer within 300 ms"), std::string::npos) << response.error;
}

}  // namespace
}  // namespace pend::test
