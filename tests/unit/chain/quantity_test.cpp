// JSON-RPC quantities and data at their edges: zero, the largest 64-bit value and one past
// it, the largest 256-bit value and one digit more, the prefix rules, leading zeros, and the
// decimal conversion across the 10^19 chunks it works in; data's empty value, odd lengths
// and exact sizes.
#include "chain/quantity.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace pend::chain {
namespace {

constexpr std::string_view kMax256Decimal =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

TEST(QuantityTest, SixtyFourBitValuesAreExact) {
  EXPECT_EQ(quantity_u64("0x0"), 0u);
  EXPECT_EQ(quantity_u64("0x1b4"), 436u);
  EXPECT_EQ(quantity_u64("0x1B4"), 436u);
  EXPECT_EQ(quantity_u64("0X1b4"), 436u);
  EXPECT_EQ(quantity_u64("0xffffffffffffffff"), 0xffff'ffff'ffff'ffffULL);
  EXPECT_EQ(quantity_decimal("0xffffffffffffffff"), "18446744073709551615");
}

TEST(QuantityTest, TwoToTheSixtyFourIsNotA64BitQuantityButIsADecimal) {
  EXPECT_FALSE(quantity_u64("0x10000000000000000"));
  EXPECT_EQ(quantity_decimal("0x10000000000000000"), "18446744073709551616");
  const auto value = quantity_u256("0x10000000000000000");
  ASSERT_TRUE(value);
  EXPECT_FALSE(value->fits_u64());
  EXPECT_EQ(value->limbs[0], 0u);
  EXPECT_EQ(value->limbs[1], 1u);
}

TEST(QuantityTest, TheLargest256BitValueAndNoMore) {
  const std::string max = "0x" + std::string(64, 'f');
  EXPECT_EQ(quantity_decimal(max), kMax256Decimal);
  EXPECT_EQ(quantity_u256(max)->hex(), max);
  EXPECT_FALSE(quantity_decimal("0x1" + std::string(64, '0')));  // 65 digits
  EXPECT_FALSE(quantity_decimal("0x" + std::string(65, 'f')));
  EXPECT_FALSE(quantity_u256("0x" + std::string(65, '0')));  // even when it is zero
}

TEST(QuantityTest, WellKnownAmounts) {
  EXPECT_EQ(quantity_decimal("0xde0b6b3a7640000"), "1000000000000000000");  // 1 ether
  EXPECT_EQ(quantity_decimal("0x3b9aca00"), "1000000000");                  // 1 gwei
  EXPECT_EQ(quantity_decimal("0x0"), "0");
}

TEST(QuantityTest, RefusesWhatIsNotAQuantity) {
  for (const char* text : {"", "0", "1b4", "x1b4", "0x", "0X", "0x1g", "0xzz", "0x 1", " 0x1",
                           "0x1 ", "-0x1", "0x-1", "0x+1", "0x1.0", "00x1"}) {
    EXPECT_FALSE(quantity_u64(text)) << text;
    EXPECT_FALSE(quantity_u256(text)) << text;
    EXPECT_FALSE(quantity_decimal(text)) << text;
  }
  EXPECT_FALSE(quantity_u64(std::string_view{"0x1\0", 4}));
}

TEST(QuantityTest, ToleratesLeadingZeros) {
  EXPECT_EQ(quantity_u64("0x00"), 0u);
  EXPECT_EQ(quantity_u64("0x01b4"), 436u);
  EXPECT_EQ(quantity_u64("0x00000000000001b4"), 436u);                    // 16 digits
  EXPECT_EQ(quantity_decimal("0x" + std::string(62, '0') + "1b"), "27");  // 64 digits
  EXPECT_EQ(quantity_decimal("0x" + std::string(64, '0')), "0");
}

TEST(QuantityTest, WritesTheShortestForm) {
  EXPECT_EQ(to_quantity(0), "0x0");
  EXPECT_EQ(to_quantity(1), "0x1");
  EXPECT_EQ(to_quantity(436), "0x1b4");
  EXPECT_EQ(to_quantity(0xffff'ffff'ffff'ffffULL), "0xffffffffffffffff");
  EXPECT_EQ(quantity_u256("0x00ff")->hex(), "0xff");
  EXPECT_EQ(U256{}.hex(), "0x0");
  EXPECT_EQ(U256{}.decimal(), "0");
}

TEST(U256Test, DecimalRoundTripsAcrossTheTenToTheNineteenChunks) {
  struct Case {
    std::string_view decimal, hex;
  };
  for (const auto& [decimal, hex] : {
           Case{"0", "0x0"},
           Case{"1", "0x1"},
           Case{"9", "0x9"},
           Case{"10", "0xa"},
           Case{"9999999999999999999", "0x8ac7230489e7ffff"},
           Case{"10000000000000000000", "0x8ac7230489e80000"},
           Case{"10000000000000000001", "0x8ac7230489e80001"},
           Case{"18446744073709551615", "0xffffffffffffffff"},
           Case{"18446744073709551616", "0x10000000000000000"},
           // 10^38 - 1, 10^38 and 10^38 + 1: two chunks, the second all zeros.
           Case{"99999999999999999999999999999999999999", "0x4b3b4ca85a86c47a098a223fffffffff"},
           Case{"100000000000000000000000000000000000000", "0x4b3b4ca85a86c47a098a224000000000"},
           Case{"100000000000000000000000000000000000001", "0x4b3b4ca85a86c47a098a224000000001"},
           Case{"100000000000000000000000000000000000000000000000000000000000000000000000000000",
                "0xdd15fe86affad91249ef0eb713f39ebeaa987b6e6fd2a0000000000000000000"},  // 10^77
           Case{kMax256Decimal,
                "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
       }) {
    const auto value = U256::from_decimal(decimal);
    ASSERT_TRUE(value) << decimal;
    EXPECT_EQ(value->decimal(), decimal);
    EXPECT_EQ(value->hex(), hex) << decimal;
    EXPECT_EQ(quantity_u256(hex), value) << decimal;
    EXPECT_EQ(quantity_decimal(hex), decimal);
  }
}

TEST(U256Test, FromDecimalRefusesOverflowAndNonDigits) {
  // 2^256: one more than the largest.
  EXPECT_FALSE(U256::from_decimal(
      "115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  EXPECT_FALSE(U256::from_decimal(std::string(79, '0')));
  EXPECT_FALSE(U256::from_decimal(std::string(78, '9')));
  EXPECT_FALSE(U256::from_decimal(""));
  EXPECT_FALSE(U256::from_decimal("-1"));
  EXPECT_FALSE(U256::from_decimal("1e3"));
  EXPECT_FALSE(U256::from_decimal("0x10"));
  EXPECT_FALSE(U256::from_decimal(" 1"));
  EXPECT_EQ(U256::from_decimal("007")->decimal(), "7");
}

TEST(U256Test, FromBytesReadsBigEndian) {
  std::string word(32, '\0');
  EXPECT_TRUE(U256::from_bytes(word).is_zero());
  word[31] = '\x01';
  EXPECT_EQ(U256::from_bytes(word).decimal(), "1");
  word[30] = '\x03';
  word[31] = '\xe8';
  EXPECT_EQ(U256::from_bytes(word).decimal(), "1000");
  std::string top(32, '\0');
  top[0] = '\x80';  // 2^255
  EXPECT_EQ(U256::from_bytes(top).hex(), "0x8" + std::string(63, '0'));
  EXPECT_EQ(U256::from_bytes(top).limbs[3], 0x8000'0000'0000'0000ULL);
  std::string limbs(32, '\0');
  limbs[23] = '\x02';  // the lowest byte of the second limb
  limbs[24] = '\x01';  // the highest byte of the first limb
  const auto value = U256::from_bytes(limbs);
  EXPECT_EQ(value.limbs[0], 0x0100'0000'0000'0000ULL);
  EXPECT_EQ(value.limbs[1], 2u);
  EXPECT_EQ(U256::from_bytes(std::string(32, '\xff')).decimal(), kMax256Decimal);
}

TEST(DataTest, ReadsBytesAndSizes) {
  EXPECT_EQ(data_bytes("0x"), "");
  EXPECT_EQ(data_bytes("0X"), "");
  EXPECT_EQ(data_bytes("0x00"), std::string(1, '\0'));
  EXPECT_EQ(data_bytes("0xdeadBEEF"), "\xde\xad\xbe\xef");
  EXPECT_FALSE(data_bytes("0x0"));  // odd length
  EXPECT_FALSE(data_bytes("0xabc"));
  EXPECT_FALSE(data_bytes(""));
  EXPECT_FALSE(data_bytes("0"));
  EXPECT_FALSE(data_bytes("dead"));
  EXPECT_FALSE(data_bytes("0xgg"));
  EXPECT_EQ(data_bytes("0x", 0), "");
  EXPECT_EQ(data_bytes("0x" + std::string(40, 'a'), 20), std::string(20, '\xaa'));
  EXPECT_FALSE(data_bytes("0x" + std::string(38, 'a'), 20));
  EXPECT_FALSE(data_bytes("0x" + std::string(42, 'a'), 20));
  EXPECT_FALSE(data_bytes("0x", 32));
}

}  // namespace
}  // namespace pend::chain
