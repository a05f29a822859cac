#include "config/dotenv.hpp"

#include <gtest/gtest.h>

namespace pend::config {
namespace {

TEST(DotenvTest, ParsesTheUsualForms) {
  const auto result = parse_dotenv(
      "# comment\n\nA=1\nexport B = two words # trailing\nC=\"quoted # not a comment\\n\"\n"
      "D='single $literal \\n'\nE=\n  F = spaced  \nG=a#b\nH= # only a comment\n",
      ".env");
  EXPECT_TRUE(result.problems.empty());
  EXPECT_EQ(result.values.at("A"), "1");
  EXPECT_EQ(result.values.at("B"), "two words");
  EXPECT_EQ(result.values.at("C"), "quoted # not a comment\n");
  EXPECT_EQ(result.values.at("D"), "single $literal \\n") << "single quotes are literal";
  EXPECT_EQ(result.values.at("E"), "");
  EXPECT_EQ(result.values.at("F"), "spaced");
  EXPECT_EQ(result.values.at("G"), "a#b") << "# starts a comment only after whitespace";
  EXPECT_EQ(result.values.at("H"), "");
  EXPECT_EQ(result.values.size(), 8u);
}

TEST(DotenvTest, DoubleQuotesUnderstandEscapes) {
  const auto result = parse_dotenv(R"(A="tab\there, quote\" and backslash\\" # comment)", "x.env");
  EXPECT_TRUE(result.problems.empty());
  EXPECT_EQ(result.values.at("A"), "tab\there, quote\" and backslash\\");
}

TEST(DotenvTest, WindowsLineEndingsAndLastOneWins) {
  const auto result = parse_dotenv("A=1\r\nA=2\r\nB='x'\r\n", ".env");
  EXPECT_TRUE(result.problems.empty());
  EXPECT_EQ(result.values.at("A"), "2");
  EXPECT_EQ(result.values.at("B"), "x");
}

TEST(DotenvTest, ReportsMalformedLinesWithTheirNumber) {
  const auto result = parse_dotenv(
      "GOOD=1\nno equals sign\n1BAD=2\nQ=\"open\nR='x' trailing\nMY-VAR=1\n", "/srv/.env");
  EXPECT_EQ(result.values.size(), 1u);
  ASSERT_EQ(result.problems.size(), 5u);
  EXPECT_EQ(result.problems[0], "/srv/.env:2: expected KEY=VALUE");
  EXPECT_EQ(result.problems[1], "/srv/.env:3: invalid variable name '1BAD'");
  EXPECT_EQ(result.problems[2].rfind("/srv/.env:4: ", 0), 0u);
  EXPECT_EQ(result.problems[3].rfind("/srv/.env:5: ", 0), 0u);
  EXPECT_EQ(result.problems[4], "/srv/.env:6: invalid variable name 'MY-VAR'");
}

}  // namespace
}  // namespace pend::config
