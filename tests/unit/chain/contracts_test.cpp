// ContractReader's pieces that need no node: the call data of the token standards' read
// methods (their well-known selectors and the ABI words after them), and the text a name,
// symbol or URI answers, as an ABI string or as an early token's bytes32, refused when it is
// not clean text.
#include "chain/contracts.hpp"

#include "util/hex.hpp"

#include <boost/json/array.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace pend::chain {
namespace {

namespace json = boost::json;

std::string bytes_of(std::string_view hex) {
  const auto bytes = util::from_hex(hex);
  EXPECT_TRUE(bytes) << hex;
  return bytes.value_or("");
}

// A 32-byte word of hex digits, the value's digits right-aligned.
std::string word(std::string_view digits) {
  return std::string(64 - digits.size(), '0') + std::string{digits};
}

// The text's bytes, zeros to the right up to a whole number of words.
std::string padded(std::string_view text) {
  std::string out{text};
  out.resize((text.size() + 31) / 32 * 32, '\0');
  return out;
}

// The ABI encoding of one string: its offset, its length, its padded bytes.
std::string abi_string(std::string_view text) {
  return bytes_of(word("20") + word(to_quantity(text.size()).substr(2))) + padded(text);
}

TEST(CallDataTest, TransferIsTheSelectorAndTwoWords) {
  EXPECT_EQ(ContractReader::call_data("transfer(address,uint256)",
                                      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1000"}),
            "0xa9059cbb"
            "0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
            "00000000000000000000000000000000000000000000000000000000000003e8");
}

TEST(CallDataTest, TheStandardsSelectors) {
  EXPECT_EQ(ContractReader::call_data("name()", {}), "0x06fdde03");
  EXPECT_EQ(ContractReader::call_data("symbol()", {}), "0x95d89b41");
  EXPECT_EQ(ContractReader::call_data("decimals()", {}), "0x313ce567");
  EXPECT_EQ(ContractReader::call_data("totalSupply()", {}), "0x18160ddd");
  const std::string holder = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  const std::string holder_word = word("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
  EXPECT_EQ(ContractReader::call_data("balanceOf(address)", {holder}), "0x70a08231" + holder_word);
  EXPECT_EQ(ContractReader::call_data("balanceOf(address,uint256)", {holder, "7"}),
            "0x00fdd58e" + holder_word + word("7"));
  EXPECT_EQ(ContractReader::call_data("ownerOf(uint256)", {"42"}), "0x6352211e" + word("2a"));
  EXPECT_EQ(ContractReader::call_data("tokenURI(uint256)", {"42"}), "0xc87b56dd" + word("2a"));
  EXPECT_EQ(ContractReader::call_data("uri(uint256)", {"42"}), "0x0e89341c" + word("2a"));
}

TEST(CallDataTest, TakesAnyAbiValueForm) {
  // Lowercase address, a JSON integer, a 256-bit decimal.
  EXPECT_EQ(ContractReader::call_data("balanceOf(address,uint256)",
                                      {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", 7}),
            "0x00fdd58e" + word("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") + word("7"));
  EXPECT_EQ(ContractReader::call_data(
                "ownerOf(uint256)",
                {"115792089237316195423570985008687907853269984665640564039457584007913129639935"}),
            "0x6352211e" + std::string(64, 'f'));
}

TEST(DecodeTextTest, ReadsAnAbiString) {
  const auto data = abi_string("PTT");
  ASSERT_EQ(data.size(), 96u);
  EXPECT_EQ(util::to_hex(data), word("20") + word("3") + "505454" + std::string(58, '0'));
  EXPECT_EQ(ContractReader::decode_text(data), "PTT");
  EXPECT_EQ(ContractReader::decode_text(abi_string("Pend Test Token")), "Pend Test Token");
  EXPECT_EQ(ContractReader::decode_text(abi_string(std::string(33, 'A'))), std::string(33, 'A'));
  EXPECT_EQ(ContractReader::decode_text(abi_string("ipfs://bafy/1.json")), "ipfs://bafy/1.json");
  EXPECT_EQ(ContractReader::decode_text(abi_string("\xe2\x82\xac uro")), "\xe2\x82\xac uro");
  EXPECT_EQ(ContractReader::decode_text(abi_string("")), "");
}

TEST(DecodeTextTest, ReadsABytes32WithItsPaddingCut) {
  EXPECT_EQ(ContractReader::decode_text(padded("ODD")), "ODD");
  // What MKR's symbol() answers.
  EXPECT_EQ(ContractReader::decode_text(bytes_of("4d4b52" + std::string(58, '0'))), "MKR");
  EXPECT_EQ(ContractReader::decode_text(std::string(32, 'A')), std::string(32, 'A'));
}

TEST(DecodeTextTest, RefusesGarbageAfterTheBytes32Padding) {
  auto data = padded("ODD");
  data[10] = 'X';
  EXPECT_FALSE(ContractReader::decode_text(data));
  data = padded("ODD");
  data[31] = '\x01';
  EXPECT_FALSE(ContractReader::decode_text(data));
}

TEST(DecodeTextTest, RefusesControlCharacters) {
  EXPECT_FALSE(ContractReader::decode_text(abi_string("P\nT")));
  EXPECT_FALSE(ContractReader::decode_text(abi_string("PTT\x7f")));
  EXPECT_FALSE(ContractReader::decode_text(abi_string(std::string("P\0T", 3))));
  EXPECT_FALSE(ContractReader::decode_text(abi_string("\x1b[31mred")));
  EXPECT_FALSE(ContractReader::decode_text(padded("O\tD")));
  EXPECT_FALSE(ContractReader::decode_text(padded("\x01")));
}

TEST(DecodeTextTest, RefusesWhatIsNeitherForm) {
  EXPECT_FALSE(ContractReader::decode_text(""));
  EXPECT_FALSE(ContractReader::decode_text("PTT"));
  EXPECT_FALSE(ContractReader::decode_text(padded("ODD") + std::string(1, '\0')));  // 33 bytes
  EXPECT_FALSE(ContractReader::decode_text(padded("ODD").substr(0, 31)));
  auto dirty = abi_string("PTT");
  dirty.back() = '\x01';  // the string's padding is not zero
  EXPECT_FALSE(ContractReader::decode_text(dirty));
  auto truncated = abi_string("Pend Test Token");
  truncated.resize(80);
  EXPECT_FALSE(ContractReader::decode_text(truncated));
  // A length past the data.
  EXPECT_FALSE(ContractReader::decode_text(bytes_of(word("20") + word("40") + word("41"))));
}

// Bytes that are no UTF-8 (a lone continuation byte, a truncated sequence, 0xff) are refused.
TEST(DecodeTextTest, RefusesBytesThatAreNotUtf8) {
  EXPECT_FALSE(ContractReader::decode_text(abi_string("\x80PTT")));
  EXPECT_FALSE(ContractReader::decode_text(abi_string("PT\xe2\x82")));
  EXPECT_FALSE(ContractReader::decode_text(padded("\xff\xfe")));
}

}  // namespace
}  // namespace pend::chain
