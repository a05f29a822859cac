// The chain settings' lists of text: tracked tokens ("0xADDRESS ERC-20") and decoded
// contracts ("0xADDRESS PATH"), read in any accepted address form and with any spacing, and
// each bad entry refused with a message that names it and the problem.
#include "config/chain.hpp"

#include "util/hex.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pend::config {
namespace {

// EIP-55's own example address, in its three accepted forms.
constexpr std::string_view kLower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
constexpr std::string_view kChecksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
constexpr std::string_view kUpper = "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED";
constexpr std::string_view kBadChecksum = "0x5aAeb6053f3E94C9b9A09f33669435E7Ef1BeAed";

std::string raw(std::string_view address) { return util::from_hex(address).value(); }

ChainSettings with_tokens(std::vector<std::string> entries) {
  ChainSettings chain;
  chain.tracked_tokens = std::move(entries);
  return chain;
}

ChainSettings with_contracts(std::vector<std::string> entries) {
  ChainSettings chain;
  chain.contracts = std::move(entries);
  return chain;
}

// The message of the std::invalid_argument f throws; empty (and a failure) when it throws none.
template <class F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument";
  return "";
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(TrackedTokensTest, ReadsEveryTypeAndAddressForm) {
  const auto tokens = tracked_tokens(with_tokens({
      std::string{kLower} + " ERC-20",
      std::string{kChecksummed} + "\tERC-721",
      std::string{kUpper} + " \t  ERC-1155 \t ",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359 ERC-20",
  }));
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].address, raw(kLower));
  EXPECT_EQ(tokens[0].address.size(), 20u);
  EXPECT_EQ(tokens[0].type, "ERC-20");
  EXPECT_EQ(tokens[1].address, raw(kLower));
  EXPECT_EQ(tokens[1].type, "ERC-721");
  EXPECT_EQ(tokens[2].address, raw(kLower));
  EXPECT_EQ(tokens[2].type, "ERC-1155");
  EXPECT_EQ(tokens[3].address, raw("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"));
  EXPECT_TRUE(tracked_tokens(ChainSettings{}).empty());
}

TEST(TrackedTokensTest, RefusesEachBadEntryNamingIt) {
  const std::string lower{kLower};
  const std::vector<std::pair<std::string, std::string_view>> cases = {
      {lower.substr(0, 41) + " ERC-20", "not an address"},  // 39 digits
      {lower + "00 ERC-20", "not an address"},              // 42 digits
      {lower.substr(2) + " ERC-20", "not an address"},      // no 0x
      {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg ERC-20", "not an address"},
      {std::string{kBadChecksum} + " ERC-20", "EIP-55 when mixed"},
      {lower + " ERC-777", "the type must be ERC-20, ERC-721 or ERC-1155"},
      {lower + " erc-20", "the type must be ERC-20, ERC-721 or ERC-1155"},
      {lower + " ERC20", "the type must be ERC-20, ERC-721 or ERC-1155"},
      {lower + " ERC-20 ERC-721", "the type must be ERC-20, ERC-721 or ERC-1155"},
      {lower, "expected 0xADDRESS ERC-20|ERC-721|ERC-1155"},
      {lower + " \t ", "expected 0xADDRESS ERC-20|ERC-721|ERC-1155"},
      {"", "expected 0xADDRESS ERC-20|ERC-721|ERC-1155"},
  };
  for (const auto& [entry, why] : cases) {
    const auto message = refusal([&] { tracked_tokens(with_tokens({entry})); });
    EXPECT_TRUE(contains(message, why)) << entry << ": " << message;
    EXPECT_TRUE(contains(message, "\"" + entry + "\"")) << entry << ": " << message;
  }
  // One bad entry among good ones is enough.
  const auto message = refusal([&] {
    tracked_tokens(with_tokens({lower + " ERC-20", std::string{kBadChecksum} + " ERC-721"}));
  });
  EXPECT_TRUE(contains(message, kBadChecksum)) << message;
}

TEST(ContractEntriesTest, ReadsTheAddressAndThePath) {
  const auto contracts = contract_entries(with_contracts({
      std::string{kChecksummed} + " abi/token.json",
      std::string{kLower} + "\t\t/etc/pend/abi/my token.json \t",
  }));
  ASSERT_EQ(contracts.size(), 2u);
  EXPECT_EQ(contracts[0].address, raw(kLower));
  EXPECT_EQ(contracts[0].abi_path, "abi/token.json");
  EXPECT_EQ(contracts[1].address, raw(kLower));
  EXPECT_EQ(contracts[1].abi_path, "/etc/pend/abi/my token.json");
  EXPECT_TRUE(contract_entries(ChainSettings{}).empty());
}

TEST(ContractEntriesTest, RefusesEachBadEntryNamingIt) {
  const std::vector<std::pair<std::string, std::string_view>> cases = {
      {std::string{kBadChecksum} + " abi/token.json", "EIP-55 when mixed"},
      {"0x1234 abi/token.json", "not an address"},
      {"abi/token.json", "expected 0xADDRESS PATH-TO-JSON-ABI"},
      {std::string{kLower}, "expected 0xADDRESS PATH-TO-JSON-ABI"},
      {std::string{kLower} + "\t", "expected 0xADDRESS PATH-TO-JSON-ABI"},
  };
  for (const auto& [entry, why] : cases) {
    const auto message = refusal([&] { contract_entries(with_contracts({entry})); });
    EXPECT_TRUE(contains(message, why)) << entry << ": " << message;
    EXPECT_TRUE(contains(message, "\"" + entry + "\"")) << entry << ": " << message;
  }
}

}  // namespace
}  // namespace pend::config
