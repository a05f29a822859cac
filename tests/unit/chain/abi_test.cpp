// The ABI codec against the ABI specification's worked examples (baz, bar, sam, f, g), the
// selectors and topics everyone knows (ERC-20 transfer/Transfer, ERC-1155 TransferBatch),
// vectors from an independent encoder (Foundry's cast, node_modules/@foundry-rs) for tuples
// and negative integers, and every refusal of the strict decoder: dirty padding, offsets and
// lengths out of range, truncated data, 2^255 lengths and offset tricks that would make a
// small input decode into a huge answer.
#include "chain/abi.hpp"

#include "util/hex.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace pend::chain::abi {
namespace {

namespace json = boost::json;

// Hex (whitespace and a 0x ignored) to bytes.
Bytes bytes_of(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c != ' ' && c != '\n') digits += c;
  }
  const auto bytes = util::from_hex(digits);
  EXPECT_TRUE(bytes) << text;
  return bytes.value_or("");
}

std::string hex_of(std::string_view bytes) { return util::to_hex(bytes); }

std::vector<Type> types_of(std::string_view text) {
  std::string error;
  auto types = parse_types(text, &error);
  EXPECT_TRUE(types) << text << ": " << error;
  return types.value_or(std::vector<Type>{});
}

json::array values_of(std::string_view text) { return json::parse(text).as_array(); }

// One 32-byte word: the 64 hex digits given, or a small number.
std::string word(std::uint64_t value) {
  std::string out(64, '0');
  for (int i = 63; value != 0; --i, value >>= 4)
    out[static_cast<std::size_t>(i)] = util::kHexDigits[value & 0xF];
  return out;
}

Function function_of(std::string_view name, std::string_view inputs,
                     std::string_view outputs = "") {
  Function f;
  f.name = name;
  for (Type& type : types_of(inputs)) f.inputs.push_back(Param{"", std::move(type)});
  for (Type& type : types_of(outputs)) f.outputs.push_back(Param{"", std::move(type)});
  return f;
}

// Encodes as a call, checks the exact bytes, and decodes them back to the same values.
void expect_call(const Function& f, std::string_view values, std::string_view expected_hex) {
  const auto args = values_of(values);
  const auto call = encode_call(f, args);
  ASSERT_TRUE(call) << call.error.message;
  EXPECT_EQ(hex_of(*call), hex_of(bytes_of(expected_hex)));
  const auto decoded = decode_call(f, *call);
  ASSERT_TRUE(decoded) << decoded.error.message;
  EXPECT_EQ(json::serialize(*decoded), json::serialize(args));
}

std::string decode_error(std::string_view types, std::string_view data_hex) {
  const auto decoded = decode(types_of(types), bytes_of(data_hex));
  EXPECT_FALSE(decoded) << json::serialize(decoded.value.value_or(json::array{}));
  return decoded.error.message;
}

std::string encode_error(std::string_view types, std::string_view values) {
  const auto encoded = encode(types_of(types), values_of(values));
  EXPECT_FALSE(encoded) << hex_of(encoded.value.value_or(""));
  return encoded.error.message;
}

// ---- types --------------------------------------------------------------------------------

TEST(AbiTypeTest, CanonicalForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"uint", "uint256"},
      {"int", "int256"},
      {"uint8", "uint8"},
      {"int256", "int256"},
      {"address", "address"},
      {"bool", "bool"},
      {"bytes1", "bytes1"},
      {"bytes32", "bytes32"},
      {"bytes", "bytes"},
      {"string", "string"},
      {"bytes32[3][]", "bytes32[3][]"},
      {"uint[]", "uint256[]"},
      {"(uint,int)[2]", "(uint256,int256)[2]"},
      {"(address,uint256)[]", "(address,uint256)[]"},
      {"((uint256,string)[],bool)", "((uint256,string)[],bool)"},
      {"()", "()"},
      {"uint256[0]", "uint256[0]"},
  };
  for (const auto& [text, canonical] : cases) {
    std::string error;
    const auto type = parse_type(text, &error);
    ASSERT_TRUE(type) << text << ": " << error;
    EXPECT_EQ(type->canonical(), canonical);
    EXPECT_EQ(parse_type(type->canonical())->canonical(), canonical);
  }
}

TEST(AbiTypeTest, Structure) {
  const auto type = parse_type("(uint256,bytes,string[],(address,bool)[2])");
  ASSERT_TRUE(type);
  EXPECT_EQ(type->kind, Type::Kind::tuple);
  ASSERT_EQ(type->components.size(), 4u);
  EXPECT_EQ(type->components[0].kind, Type::Kind::uint);
  EXPECT_EQ(type->components[0].size, 256u);
  EXPECT_EQ(type->components[2].kind, Type::Kind::array);
  EXPECT_FALSE(type->components[2].length);
  EXPECT_EQ(type->components[3].length, 2u);
  EXPECT_EQ(type->components[3].components[0].kind, Type::Kind::tuple);
  EXPECT_TRUE(type->dynamic());

  // "bytes3[2][]" is an array of bytes3[2].
  const auto nested = parse_type("bytes3[2][]");
  ASSERT_TRUE(nested);
  EXPECT_FALSE(nested->length);
  EXPECT_EQ(nested->components[0].length, 2u);
  EXPECT_EQ(nested->components[0].components[0].size, 3u);
}

TEST(AbiTypeTest, Dynamic) {
  for (const char* text : {"bytes", "string", "uint256[]", "string[2]", "(uint256,bytes)",
                           "(uint256,(bool,string))", "(uint256[])[1]"}) {
    EXPECT_TRUE(parse_type(text)->dynamic()) << text;
  }
  for (const char* text : {"uint256", "address", "bytes32", "uint256[3]", "(uint256,bool)",
                           "(address,bool)[2]", "()", "uint8[0]"}) {
    EXPECT_FALSE(parse_type(text)->dynamic()) << text;
  }
}

TEST(AbiTypeTest, Refusals) {
  for (const char* text : {"",
                           "uint7",
                           "uint0",
                           "uint264",
                           "uint08",
                           "int1",
                           "bytes0",
                           "bytes33",
                           "bytes01",
                           "uint256[",
                           "uint256[x]",
                           "uint256[01]",
                           "uint256]",
                           "(uint256",
                           "(uint256,)",
                           "(,)",
                           "tuple",
                           "tuple[]",
                           "fixed128x18",
                           "ufixed",
                           "function",
                           "Uint256",
                           "uint256 a",
                           "(uint256, bool)",
                           "address5",
                           "strings",
                           "uint256[16777217]",
                           "uint256[99999999999999999999]"}) {
    std::string error;
    EXPECT_FALSE(parse_type(text, &error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
  std::string error;
  EXPECT_FALSE(parse_type("fixed128x18", &error));
  EXPECT_EQ(error, "fixed-point types are not supported at 0 in 'fixed128x18'");
  EXPECT_FALSE(parse_type("uint7", &error));
  EXPECT_EQ(error, "integer sizes are 8..256 in steps of 8 at 0 in 'uint7'");
}

TEST(AbiTypeTest, DepthIsBounded) {
  std::string deep(kMaxTypeDepth, '(');
  deep += "uint256" + std::string(kMaxTypeDepth, ')');
  EXPECT_TRUE(parse_type(deep));
  std::string error;
  EXPECT_FALSE(parse_type("(" + deep + ")", &error));
  EXPECT_NE(error.find("nested deeper than 32"), std::string::npos) << error;

  std::string arrays = "uint256";
  for (std::size_t i = 0; i < kMaxTypeDepth; ++i) arrays += "[]";
  EXPECT_TRUE(parse_type(arrays));
  EXPECT_FALSE(parse_type(arrays + "[]"));
  // Depth hidden behind suffixes of an inner tuple still counts.
  std::string mixed = "uint256";
  for (int i = 0; i < 11; ++i) mixed = "(" + mixed + ")[][]";
  EXPECT_FALSE(parse_type(mixed, &error));
  // Hundreds of thousands of parentheses fail quickly, without deep recursion.
  EXPECT_FALSE(parse_type(std::string(200000, '(')));
}

TEST(AbiTypeTest, TypeLists) {
  EXPECT_TRUE(parse_types("")->empty());
  const auto types = parse_types("address,uint256,(bool,string)[]");
  ASSERT_TRUE(types);
  ASSERT_EQ(types->size(), 3u);
  EXPECT_EQ((*types)[2].canonical(), "(bool,string)[]");
  EXPECT_FALSE(parse_types("address,"));
  EXPECT_FALSE(parse_types("address)"));
}

// ---- the specification's examples ---------------------------------------------------------

TEST(AbiSpecTest, Baz) {
  const auto baz = function_of("baz", "uint32,bool", "bool");
  EXPECT_EQ(baz.signature(), "baz(uint32,bool)");
  EXPECT_EQ(util::to_hex(baz.selector()), "cdcd77c0");
  expect_call(baz, R"(["69", true])",
              "cdcd77c0"
              "0000000000000000000000000000000000000000000000000000000000000045"
              "0000000000000000000000000000000000000000000000000000000000000001");
  // It returns false: a single word of zero.
  const auto output = decode_output(baz, bytes_of(word(0)));
  ASSERT_TRUE(output) << output.error.message;
  EXPECT_EQ(json::serialize(*output), "[false]");
  // A JSON number is accepted for a uint.
  EXPECT_EQ(hex_of(*encode_call(baz, values_of("[69, true]"))).substr(0, 72),
            "cdcd77c0" + word(0x45));
}

TEST(AbiSpecTest, Bar) {
  const auto bar = function_of("bar", "bytes3[2]");
  EXPECT_EQ(bar.signature(), "bar(bytes3[2])");
  expect_call(bar, R"([["0x616263", "0x646566"]])",
              "fce353f6"
              "6162630000000000000000000000000000000000000000000000000000000000"
              "6465660000000000000000000000000000000000000000000000000000000000");
}

TEST(AbiSpecTest, Sam) {
  const auto sam = function_of("sam", "bytes,bool,uint[]");
  EXPECT_EQ(sam.signature(), "sam(bytes,bool,uint256[])");
  expect_call(sam, R"(["0x64617665", true, ["1", "2", "3"]])",
              "a5643bf2"
              "0000000000000000000000000000000000000000000000000000000000000060"
              "0000000000000000000000000000000000000000000000000000000000000001"
              "00000000000000000000000000000000000000000000000000000000000000a0"
              "0000000000000000000000000000000000000000000000000000000000000004"
              "6461766500000000000000000000000000000000000000000000000000000000"
              "0000000000000000000000000000000000000000000000000000000000000003"
              "0000000000000000000000000000000000000000000000000000000000000001"
              "0000000000000000000000000000000000000000000000000000000000000002"
              "0000000000000000000000000000000000000000000000000000000000000003");
}

TEST(AbiSpecTest, DynamicTypesF) {
  const auto f = function_of("f", "uint,uint32[],bytes10,bytes");
  EXPECT_EQ(f.signature(), "f(uint256,uint32[],bytes10,bytes)");
  EXPECT_EQ(util::to_hex(f.selector()), "8be65246");
  expect_call(f,
              R"(["291", ["1110", "1929"], "0x31323334353637383930",
                  "0x48656c6c6f2c20776f726c6421"])",
              "8be65246"
              "0000000000000000000000000000000000000000000000000000000000000123"
              "0000000000000000000000000000000000000000000000000000000000000080"
              "3132333435363738393000000000000000000000000000000000000000000000"
              "00000000000000000000000000000000000000000000000000000000000000e0"
              "0000000000000000000000000000000000000000000000000000000000000002"
              "0000000000000000000000000000000000000000000000000000000000000456"
              "0000000000000000000000000000000000000000000000000000000000000789"
              "000000000000000000000000000000000000000000000000000000000000000d"
              "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
  // The same call with the spec's hex numbers.
  const auto hex_args =
      encode_call(f, values_of(R"(["0x123", ["0x456", "0x789"], "0x31323334353637383930",
                       "0x48656c6c6f2c20776f726c6421"])"));
  ASSERT_TRUE(hex_args) << hex_args.error.message;
  EXPECT_EQ(*hex_args, *encode_call(f, values_of(R"(["291", ["1110", "1929"],
      "0x31323334353637383930", "0x48656c6c6f2c20776f726c6421"])")));
}

TEST(AbiSpecTest, NestedDynamicArraysG) {
  const auto g = function_of("g", "uint[][],string[]");
  EXPECT_EQ(g.signature(), "g(uint256[][],string[])");
  expect_call(g, R"([[["1", "2"], ["3"]], ["one", "two", "three"]])",
              "2289b18c"
              "0000000000000000000000000000000000000000000000000000000000000040"
              "0000000000000000000000000000000000000000000000000000000000000140"
              "0000000000000000000000000000000000000000000000000000000000000002"
              "0000000000000000000000000000000000000000000000000000000000000040"
              "00000000000000000000000000000000000000000000000000000000000000a0"
              "0000000000000000000000000000000000000000000000000000000000000002"
              "0000000000000000000000000000000000000000000000000000000000000001"
              "0000000000000000000000000000000000000000000000000000000000000002"
              "0000000000000000000000000000000000000000000000000000000000000001"
              "0000000000000000000000000000000000000000000000000000000000000003"
              "0000000000000000000000000000000000000000000000000000000000000003"
              "0000000000000000000000000000000000000000000000000000000000000060"
              "00000000000000000000000000000000000000000000000000000000000000a0"
              "00000000000000000000000000000000000000000000000000000000000000e0"
              "0000000000000000000000000000000000000000000000000000000000000003"
              "6f6e650000000000000000000000000000000000000000000000000000000000"
              "0000000000000000000000000000000000000000000000000000000000000003"
              "74776f0000000000000000000000000000000000000000000000000000000000"
              "0000000000000000000000000000000000000000000000000000000000000005"
              "7468726565000000000000000000000000000000000000000000000000000000");
}

TEST(AbiSpecTest, NoArgumentsAndEmptyValues) {
  EXPECT_EQ(*encode({}, {}), "");
  EXPECT_TRUE(decode({}, "")->empty());
  const auto transfer = function_of("totalSupply", "");
  EXPECT_EQ(hex_of(*encode_call(transfer, {})), "18160ddd");
  // An empty bytes, string and array: their lengths only.
  const auto encoded = encode(types_of("bytes,string,uint8[]"), values_of(R"(["0x", "", []])"));
  ASSERT_TRUE(encoded) << encoded.error.message;
  EXPECT_EQ(hex_of(*encoded), word(0x60) + word(0x80) + word(0xa0) + word(0) + word(0) + word(0));
  EXPECT_EQ(json::serialize(*decode(types_of("bytes,string,uint8[]"), *encoded)),
            R"(["0x","",[]])");
}

// ---- selectors, topics, events ------------------------------------------------------------

constexpr std::string_view kErc20 = R"([
  {"type":"function","name":"transfer","stateMutability":"nonpayable",
   "inputs":[{"name":"to","type":"address"},{"name":"amount","type":"uint256"}],
   "outputs":[{"name":"","type":"bool"}]},
  {"type":"function","name":"balanceOf","stateMutability":"view",
   "inputs":[{"name":"account","type":"address","internalType":"address"}],
   "outputs":[{"name":"","type":"uint256"}]},
  {"type":"event","name":"Transfer","anonymous":false,
   "inputs":[{"name":"from","type":"address","indexed":true},
             {"name":"to","type":"address","indexed":true},
             {"name":"value","type":"uint256","indexed":false}]},
  {"type":"constructor","inputs":[{"name":"supply","type":"uint256"}]},
  {"type":"error","name":"InsufficientBalance",
   "inputs":[{"name":"available","type":"uint256"},{"name":"required","type":"uint256"}]},
  {"type":"receive","stateMutability":"payable"},
  {"type":"fallback"}
])";

security::Hash32 topic_of(std::string_view hex64) {
  security::Hash32 topic{};
  EXPECT_TRUE(util::from_hex(hex64, topic)) << hex64;
  return topic;
}

TEST(AbiContractTest, Erc20) {
  const auto contract = Contract::from_json(kErc20);
  ASSERT_TRUE(contract) << contract.error.message;
  ASSERT_EQ(contract->functions.size(), 2u);
  ASSERT_EQ(contract->events.size(), 1u);
  ASSERT_EQ(contract->errors.size(), 1u);

  const Function* transfer = contract->function("transfer");
  ASSERT_NE(transfer, nullptr);
  EXPECT_EQ(transfer->signature(), "transfer(address,uint256)");
  EXPECT_EQ(util::to_hex(transfer->selector()), "a9059cbb");
  EXPECT_EQ(contract->function("transfer(address,uint256)"), transfer);
  EXPECT_EQ(contract->function_by_selector({0xa9, 0x05, 0x9c, 0xbb}), transfer);
  EXPECT_EQ(contract->function("transfer(address)"), nullptr);
  EXPECT_EQ(contract->function("approve"), nullptr);

  const auto call = encode_call(
      *transfer, values_of(R"(["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1000"])"));
  ASSERT_TRUE(call) << call.error.message;
  EXPECT_EQ(hex_of(*call), "a9059cbb000000000000000000000000" +
                               std::string("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") +
                               word(1000));
  EXPECT_EQ(json::serialize(*decode_output(*transfer, bytes_of(word(1)))), "[true]");

  const Event* event = contract->event("Transfer");
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->signature(), "Transfer(address,address,uint256)");
  EXPECT_EQ(util::to_hex(event->topic0()),
            "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
  EXPECT_EQ(contract->event_by_topic(event->topic0()), event);
  EXPECT_EQ(contract->event_by_topic(security::Hash32{}), nullptr);

  const std::vector<security::Hash32> topics = {
      event->topic0(), topic_of("0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
      topic_of("000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359")};
  const auto log = decode_event(*event, topics, bytes_of(word(1000)));
  ASSERT_TRUE(log) << log.error.message;
  EXPECT_EQ(json::serialize(*log),
            R"({"from":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",)"
            R"("to":"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359","value":"1000"})");

  const Function* error = contract->error_by_selector(
      bytes_of(util::to_hex(contract->errors[0].selector()) + word(1) + word(2)));
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->signature(), "InsufficientBalance(uint256,uint256)");
  EXPECT_EQ(contract->error_by_selector("abc"), nullptr);
}

TEST(AbiEventTest, Erc1155TransferBatch) {
  const auto contract = Contract::from_json(R"([{"type":"event","name":"TransferBatch",
    "anonymous":false,"inputs":[
      {"indexed":true,"name":"operator","type":"address"},
      {"indexed":true,"name":"from","type":"address"},
      {"indexed":true,"name":"to","type":"address"},
      {"indexed":false,"name":"ids","type":"uint256[]"},
      {"indexed":false,"name":"values","type":"uint256[]"}]}])");
  ASSERT_TRUE(contract) << contract.error.message;
  const Event& e = contract->events[0];
  EXPECT_EQ(e.signature(), "TransferBatch(address,address,address,uint256[],uint256[])");
  EXPECT_EQ(util::to_hex(e.topic0()),
            "4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb");
  const std::vector<security::Hash32> topics = {
      e.topic0(), topic_of("0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
      topic_of("0000000000000000000000000000000000000000000000000000000000000000"),
      topic_of("000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359")};
  // cast abi-encode "x(uint256[],uint256[])" "[1,2]" "[10,20]"
  const Bytes data = bytes_of(word(0x40) + word(0xa0) + word(2) + word(1) + word(2) + word(2) +
                              word(10) + word(20));
  const auto log = decode_event(e, topics, data);
  ASSERT_TRUE(log) << log.error.message;
  EXPECT_EQ(json::serialize(*log), R"({"operator":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",)"
                                   R"("from":"0x0000000000000000000000000000000000000000",)"
                                   R"("to":"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",)"
                                   R"("ids":["1","2"],"values":["10","20"]})");

  // The wrong event, too few topics, a dirty indexed address, data cut short.
  auto wrong = topics;
  wrong[0][0] ^= 1;
  EXPECT_EQ(
      decode_event(e, wrong, data).error.message,
      "topic 0 is not the hash of TransferBatch(address,address,address,uint256[],uint256[])");
  EXPECT_EQ(decode_event(e, {topics.begin(), topics.end() - 1}, data).error.message,
            "TransferBatch(address,address,address,uint256[],uint256[]) has 3 indexed inputs: "
            "expected 4 topics, got 3");
  EXPECT_FALSE(decode_event(e, {}, data));
  auto dirty = topics;
  dirty[2][0] = 1;
  EXPECT_EQ(decode_event(e, dirty, data).error.message,
            "topic 2: arg 1 (from): address has dirty high-order bytes");
  EXPECT_EQ(decode_event(e, topics, data.substr(0, data.size() - 32)).error.message,
            "data: arg 4 (values): length 2 exceeds the data at byte 160");
}

TEST(AbiEventTest, IndexedDynamicValuesAreHashes) {
  Event e;
  e.name = "Named";
  e.inputs.push_back(Param{"name", *parse_type("string"), true});
  e.inputs.push_back(Param{"", *parse_type("(uint256,uint256)"), true});
  e.inputs.push_back(Param{"", *parse_type("int8"), true});
  e.inputs.push_back(Param{"name", *parse_type("bytes"), false});
  EXPECT_EQ(e.signature(), "Named(string,(uint256,uint256),int8,bytes)");
  const auto hash = security::keccak256("alice");
  const std::vector<security::Hash32> topics = {
      e.topic0(), hash, security::keccak256(bytes_of(word(1) + word(2))),
      topic_of("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff85")};
  const auto log =
      decode_event(e, topics, bytes_of(word(0x20) + word(2) + "abcd" + std::string(60, '0')));
  ASSERT_TRUE(log) << log.error.message;
  EXPECT_EQ(json::serialize(*log), R"({"name":{"hash":"0x)" + util::to_hex(hash) +
                                       R"("},"arg1":{"hash":"0x)" + util::to_hex(topics[2]) +
                                       R"("},"arg2":"-123","arg3":"0xabcd"})");

  // Anonymous: no topic0, every topic an indexed input.
  e.anonymous = true;
  const auto anonymous =
      decode_event(e, {topics.begin() + 1, topics.end()}, bytes_of(word(0x20) + word(0)));
  ASSERT_TRUE(anonymous) << anonymous.error.message;
  EXPECT_EQ(anonymous->at("arg2").as_string(), "-123");
  EXPECT_FALSE(decode_event(e, topics, bytes_of(word(0x20) + word(0))));
}

// ---- tuples and nesting -------------------------------------------------------------------

TEST(AbiTupleTest, NestedTupleMatchesCast) {
  // cast abi-encode "x((uint256,bytes,string[],(address,bool)[2]))" '(7,0xdeadbeef,["a","bc"],
  //   [(0x5aAe...,true),(0x...01,false)])'
  const auto types = types_of("(uint256,bytes,string[],(address,bool)[2])");
  const auto values = values_of(R"([["7", "0xdeadbeef", ["a", "bc"],
      [["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", true],
       ["0x0000000000000000000000000000000000000001", false]]]])");
  const std::string expected =
      word(0x20) + word(7) + word(0xe0) + word(0x120) +
      "0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed" + word(1) + word(1) +
      word(0) + word(4) + "deadbeef" + std::string(56, '0') + word(2) + word(0x40) + word(0x80) +
      word(1) + "61" + std::string(62, '0') + word(2) + "6263" + std::string(60, '0');
  const auto encoded = encode(types, values);
  ASSERT_TRUE(encoded) << encoded.error.message;
  EXPECT_EQ(hex_of(*encoded), expected);
  const auto decoded = decode(types, *encoded);
  ASSERT_TRUE(decoded) << decoded.error.message;
  EXPECT_EQ(json::serialize(*decoded), json::serialize(values));
}

TEST(AbiTupleTest, JsonAbiTuplesAndObjects) {
  // The specification's struct example: f(S, T, uint) with S = (uint a, uint[] b, T[] c).
  const auto contract = Contract::from_json(R"([{"name":"f","type":"function","inputs":[
      {"name":"s","type":"tuple","components":[
        {"name":"a","type":"uint256"},{"name":"b","type":"uint256[]"},
        {"name":"c","type":"tuple[]","components":[
          {"name":"x","type":"uint256"},{"name":"y","type":"uint256"}]}]},
      {"name":"t","type":"tuple","components":[
        {"name":"x","type":"uint256"},{"name":"y","type":"uint256"}]},
      {"name":"a","type":"uint256"}],"outputs":[]},
    {"name":"h","type":"function","inputs":[{"name":"grid","type":"tuple[2][]","components":[
        {"name":"id","type":"uint256"},{"name":"label","type":"string"}]}]}])");
  ASSERT_TRUE(contract) << contract.error.message;
  const Function& f = contract->functions[0];
  EXPECT_EQ(f.signature(), "f((uint256,uint256[],(uint256,uint256)[]),(uint256,uint256),uint256)");
  EXPECT_EQ(util::to_hex(f.selector()), "6f2be728");  // cast sig
  EXPECT_EQ(f.inputs[0].type.names, (std::vector<std::string>{"a", "b", "c"}));
  const Function& h = contract->functions[1];
  EXPECT_EQ(h.signature(), "h((uint256,string)[2][])");
  EXPECT_EQ(util::to_hex(h.selector()), "9e2d1df7");  // cast sig

  // A tuple given as an object keyed by member names encodes as the array would.
  const auto by_array =
      encode_call(f, values_of(R"([["1", ["2", "3"], [["4", "5"]]], ["6", "7"], "8"])"));
  const auto by_object = encode_call(f, values_of(R"([{"c": [{"y": "5", "x": "4"}],
      "a": "1", "b": ["2", "3"]}, {"x": 6, "y": 7}, 8])"));
  ASSERT_TRUE(by_array) << by_array.error.message;
  ASSERT_TRUE(by_object) << by_object.error.message;
  EXPECT_EQ(hex_of(*by_array), hex_of(*by_object));
  EXPECT_EQ(json::serialize(*decode_call(f, *by_array)),
            R"([["1",["2","3"],[["4","5"]]],["6","7"],"8"])");

  EXPECT_EQ(encode_call(f, values_of(R"([{"a": "1", "b": []}, ["6", "7"], "8"])")).error.message,
            "arg 0 (s): missing member 'c'");
  EXPECT_EQ(encode_call(f, values_of(R"([{"a": "1", "b": [], "c": [], "d": 1}, ["6", "7"], "8"])"))
                .error.message,
            "arg 0 (s): unknown member 'd'");
  EXPECT_EQ(
      encode_call(f, values_of(R"([["1", [], [["4", "x"]]], ["6", "7"], "8"])")).error.message,
      "arg 0 (s).c[0].y: expected an integer, got 'x'");

  const auto grid = encode_call(h, values_of(R"([[[["1", "a"], ["2", "b"]]]])"));
  ASSERT_TRUE(grid) << grid.error.message;
  EXPECT_EQ(json::serialize(*decode_call(h, *grid)), R"([[[["1","a"],["2","b"]]]])");
  EXPECT_EQ(encode_call(h, values_of(R"([[[["1", "a"]]]])")).error.message,
            "arg 0 (grid)[0]: (uint256,string)[2] expects 2 elements, got 1");
}

TEST(AbiTupleTest, ParamFromJson) {
  const auto param = param_from_json(
      json::parse(R"({"name":"p","type":"tuple[3]","components":[{"name":"","type":"bool"}]})"));
  ASSERT_TRUE(param) << param.error.message;
  EXPECT_EQ(param->type.canonical(), "(bool)[3]");
  EXPECT_TRUE(param->type.components[0].names.empty());
  EXPECT_FALSE(param_from_json(json::parse(R"({"name":"p","type":"tuple"})")));
  EXPECT_FALSE(param_from_json(json::parse(R"({"name":"p","type":"tuple[x]","components":[]})")));
  EXPECT_FALSE(param_from_json(json::parse(R"({"name":1,"type":"uint256"})")));
  EXPECT_FALSE(param_from_json(json::parse(R"([])")));
}

TEST(AbiContractTest, Refusals) {
  const std::pair<const char*, const char*> cases[] = {
      {"{}", "the ABI is not a JSON array"},
      {"[", "the ABI is not JSON: "},
      {"[1]", "abi[0]: not an object"},
      {R"([{"type":"function","name":"f","inputs":[{"name":"a","type":"uint7"}]}])",
       "abi[0]: function f: input 0: integer sizes are 8..256 in steps of 8 at 0 in 'uint7'"},
      {R"([{"type":"function","name":"f","outputs":[{"type":"tuple"}]}])",
       "abi[0]: function f: output 0: 'tuple' needs a components array"},
      {R"([{"type":"function","inputs":[]}])", "abi[0]: function without a name"},
      {R"([{"type":"event","name":"E","inputs":[{"type":"uint8","indexed":true},
          {"type":"uint8","indexed":true},{"type":"uint8","indexed":true},
          {"type":"uint8","indexed":true}]}])",
       "abi[0]: event E: too many indexed inputs"},
      {R"([{"type":"sandwich"}])", "abi[0]: unknown entry type 'sandwich'"},
      {R"([{"name":"f","inputs":{}}])", "abi[0]: function f: inputs is not an array"},
  };
  for (const auto& [text, message] : cases) {
    const auto contract = Contract::from_json(text);
    EXPECT_FALSE(contract) << text;
    EXPECT_EQ(contract.error.message.substr(0, std::string_view(message).size()), message);
  }
  // "type" defaults to function.
  const auto implicit = Contract::from_json(R"([{"name":"f","inputs":[]}])");
  ASSERT_TRUE(implicit) << implicit.error.message;
  EXPECT_EQ(implicit->functions[0].signature(), "f()");
}

// ---- integers -----------------------------------------------------------------------------

TEST(AbiIntegerTest, NegativeRoundTrips) {
  // cast abi-encode "x(int8,int256,int16,int256,int24)" -- -128 -1 -300 <int256 min> 8388607
  const auto types = types_of("int8,int256,int16,int256,int24");
  const auto values = values_of(
      R"(["-128", "-1", "-300",
          "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
          "8388607"])");
  const auto encoded = encode(types, values);
  ASSERT_TRUE(encoded) << encoded.error.message;
  EXPECT_EQ(hex_of(*encoded),
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80"
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed4"
            "8000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000007fffff");
  const auto decoded = decode(types, *encoded);
  ASSERT_TRUE(decoded) << decoded.error.message;
  EXPECT_EQ(json::serialize(*decoded), json::serialize(values));
  // JSON integers and hex magnitudes say the same.
  const std::string int256_min = "\"-0x8" + std::string(63, '0') + "\"";
  EXPECT_EQ(*encode(types, values_of("[-128, -1, -300, " + int256_min + ", 8388607]")), *encoded);
  EXPECT_EQ(hex_of(*encode(types_of("int64"), values_of("[-9223372036854775808]"))),
            "ffffffffffffffffffffffffffffffffffffffffffffffff8000000000000000");
  EXPECT_EQ(json::serialize(*decode(
                types_of("int64"),
                bytes_of("ffffffffffffffffffffffffffffffffffffffffffffffff8000000000000000"))),
            R"(["-9223372036854775808"])");
}

TEST(AbiIntegerTest, ExtremesExactly) {
  const auto types = types_of("uint256,int256,uint8,int8,uint64");
  const auto values = values_of(
      R"(["115792089237316195423570985008687907853269984665640564039457584007913129639935",
          "57896044618658097711785492504343953926634992332820282019728792003956564819967",
          "255", "127", "18446744073709551615"])");
  const auto encoded = encode(types, values);
  ASSERT_TRUE(encoded) << encoded.error.message;
  EXPECT_EQ(hex_of(encoded->substr(0, 64)), std::string(64, 'f') + "7" + std::string(63, 'f'));
  EXPECT_EQ(json::serialize(*decode(types, *encoded)), json::serialize(values));
  EXPECT_EQ(json::serialize(*decode(types_of("uint256"), bytes_of(word(0)))), R"(["0"])");
  EXPECT_EQ(json::serialize(*decode(types_of("uint256"), bytes_of(word(10000000)))),
            R"(["10000000"])");
  EXPECT_EQ(*encode(types_of("uint256"), values_of(R"(["-0"])")), bytes_of(word(0)));
}

TEST(AbiIntegerTest, EncodeRefusals) {
  EXPECT_EQ(encode_error("uint256,bool,uint8", R"(["1", true, "300"])"),
            "arg 2: uint8 value 300 out of range");
  EXPECT_EQ(encode_error("uint8", "[300]"), "arg 0: uint8 value 300 out of range");
  EXPECT_EQ(encode_error("uint8", R"(["-1"])"), "arg 0: uint8 value -1 out of range");
  EXPECT_EQ(encode_error("int8", "[128]"), "arg 0: int8 value 128 out of range");
  EXPECT_EQ(encode_error("int8", "[-129]"), "arg 0: int8 value -129 out of range");
  EXPECT_EQ(encode_error("uint256", "[1.5]"),
            "arg 0: not an exact integer (write large numbers as strings)");
  EXPECT_EQ(encode_error("uint256", "[1e30]"),
            "arg 0: not an exact integer (write large numbers as strings)");
  EXPECT_EQ(encode_error("uint256", R"(["12a"])"), "arg 0: expected an integer, got '12a'");
  EXPECT_EQ(encode_error("uint256", R"(["0x"])"), "arg 0: expected an integer, got '0x'");
  EXPECT_EQ(encode_error("uint256", R"([""])"), "arg 0: expected an integer, got ''");
  EXPECT_EQ(encode_error("uint256", "[true]"),
            "arg 0: expected an integer (a number or a decimal or 0x string)");
  EXPECT_EQ(encode_error("uint256", R"(["0x1)" + std::string(64, '0') + R"("])"),
            "arg 0: integer 0x1" + std::string(64, '0') + " does not fit 256 bits");
  EXPECT_EQ(
      encode_error(
          "uint256",
          R"(["115792089237316195423570985008687907853269984665640564039457584007913129639936"])"),
      "arg 0: integer "
      "115792089237316195423570985008687907853269984665640564039457584007913129639936 does not fit "
      "256 bits");
  EXPECT_EQ(encode_error("uint256,uint256", R"(["1"])"), "expected 2 values, got 1");
}

// ---- other value types --------------------------------------------------------------------

TEST(AbiValueTest, EncodeRefusals) {
  EXPECT_EQ(
      encode_error("address", R"(["0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"])"),
      "arg 0: address 0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed has a wrong EIP-55 checksum");
  EXPECT_EQ(encode_error("address", R"(["0x1234"])"),
            "arg 0: '0x1234' is not an address (0x and 40 hex digits)");
  EXPECT_EQ(encode_error("address", "[1]"), "arg 0: expected an address string");
  EXPECT_EQ(encode_error("bool", "[1]"), "arg 0: expected true or false");
  EXPECT_EQ(encode_error("bytes3", R"(["0x6162"])"),
            "arg 0: bytes3 expects 0x and 6 hex digits, got 0x6162");
  EXPECT_EQ(encode_error("bytes3", R"(["616263"])"),
            "arg 0: bytes3 expects 0x and 6 hex digits, got 616263");
  EXPECT_EQ(encode_error("bytes", R"(["0x123"])"),
            "arg 0: bytes expects 0x and an even number of hex digits, got 0x123");
  EXPECT_EQ(encode_error("bytes", R"(["abcd"])"),
            "arg 0: bytes expects 0x and an even number of hex digits, got abcd");
  EXPECT_EQ(encode_error("string", "[1]"), "arg 0: expected a string");
  EXPECT_EQ(encode_error("uint8[2]", R"([["1"]])"), "arg 0: uint8[2] expects 2 elements, got 1");
  EXPECT_EQ(encode_error("uint8[]", R"(["1"])"), "arg 0: expected a JSON array for uint8[]");
  EXPECT_EQ(encode_error("(uint8,bool)", R"([["1"]])"), "arg 0: (uint8,bool) has 2 members, got 1");
  EXPECT_EQ(encode_error("(uint8,bool)", R"([{"a": 1}])"),
            "arg 0: the tuple's members have no names; give an array");
  EXPECT_EQ(encode_error("(uint8,bool)[]", R"([[["1", true], ["2", 1]]])"),
            "arg 0[1].1: expected true or false");
}

TEST(AbiValueTest, AddressesAndBytes) {
  const auto types = types_of("address,bytes1,bytes32,bytes,string");
  const std::string long_text(70, 'z');
  const auto encoded = encode(types,
                              values_of(R"(["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0xAB",
                          "0x)" + std::string(64, 'F') +
                                        R"(", "0xDEADBEEF", ")" + long_text + R"("])"));
  ASSERT_TRUE(encoded) << encoded.error.message;
  EXPECT_EQ(encoded->size(), 32u * 5 + (32 + 32) + (32 + 96));
  const auto decoded = decode(types, *encoded);
  ASSERT_TRUE(decoded) << decoded.error.message;
  EXPECT_EQ(json::serialize(*decoded),
            R"(["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","0xab","0x)" + std::string(64, 'f') +
                R"(","0xdeadbeef",")" + long_text + R"("])");
}

TEST(AbiValueTest, StringsAreBytesAsGiven) {
  const std::string raw = std::string("caf\xc3\xa9 \xff", 7);
  json::array values;
  values.emplace_back(json::string(raw));
  const auto encoded = encode(types_of("string"), values);
  ASSERT_TRUE(encoded) << encoded.error.message;
  EXPECT_EQ(encoded->substr(64, 7), raw);
  EXPECT_EQ((*decode(types_of("string"), *encoded))[0].as_string(), raw);
}

// ---- the strict decoder's refusals --------------------------------------------------------

TEST(AbiDecodeTest, DirtyPadding) {
  EXPECT_EQ(decode_error("uint8", word(0x100)),
            "arg 0: uint8 value does not fit (dirty high-order bytes) at byte 0");
  EXPECT_EQ(decode_error("uint256,uint32", word(1) + word(0x100000000)),
            "arg 1: uint32 value does not fit (dirty high-order bytes) at byte 32");
  EXPECT_EQ(decode_error("int8", word(0x80)), "arg 0: int8 value is not sign-extended at byte 0");
  EXPECT_EQ(decode_error("int8", "ff" + std::string(60, '0') + "ff"),
            "arg 0: int8 value is not sign-extended at byte 0");
  EXPECT_EQ(decode_error("int16", std::string(60, 'f') + "7fff"),
            "arg 0: int16 value is not sign-extended at byte 0");
  EXPECT_EQ(decode_error("address", "01" + std::string(62, '0')),
            "arg 0: address has dirty high-order bytes at byte 0");
  EXPECT_EQ(decode_error("bool", word(2)), "arg 0: bool is neither 0 nor 1 at byte 0");
  EXPECT_EQ(decode_error("bool", "01" + std::string(62, '0')),
            "arg 0: bool is neither 0 nor 1 at byte 0");
  EXPECT_EQ(decode_error("bytes3", "616263" + std::string(56, '0') + "01"),
            "arg 0: bytes3 has dirty low-order bytes at byte 0");
  EXPECT_EQ(decode_error("bytes", word(0x20) + word(2) + "6162" + std::string(58, '0') + "01"),
            "arg 0: dirty padding after bytes at byte 66");
  EXPECT_EQ(decode_error("(uint256,bool)[]", word(0x20) + word(1) + word(1) + word(3)),
            "arg 0[0].1: bool is neither 0 nor 1 at byte 96");
  // Clean versions of the same words decode.
  EXPECT_EQ(json::serialize(*decode(types_of("int8,int16,bool,bytes3"),
                                    bytes_of(std::string(64, 'f') + std::string(60, 'f') + "8000" +
                                             word(1) + "616263" + std::string(58, '0')))),
            R"(["-1","-32768",true,"0x616263"])");
}

TEST(AbiDecodeTest, OffsetsAndLengthsOutOfRange) {
  EXPECT_EQ(decode_error("bytes", word(0x40)),
            "arg 0: offset 64 out of range (data is 32 bytes) at byte 0");
  EXPECT_EQ(
      decode_error("bytes", "8" + std::string(63, '0')),
      "arg 0: offset 0x8" + std::string(63, '0') + " out of range (data is 32 bytes) at byte 0");
  // An offset to the very end: the length word is missing.
  EXPECT_EQ(decode_error("bytes", word(0x20)), "arg 0: data too short (32 bytes) at byte 32");
  // A length of 2^255 and one a little more than the data.
  EXPECT_EQ(decode_error("bytes", word(0x20) + "8" + std::string(63, '0')),
            "arg 0: length 0x8" + std::string(63, '0') + " exceeds the data at byte 32");
  EXPECT_EQ(decode_error("string", word(0x20) + word(33) + word(0)),
            "arg 0: length 33 exceeds the data at byte 32");
  EXPECT_EQ(decode_error("string", word(0x20) + word(31)),
            "arg 0: length 31 exceeds the data at byte 32");
  // Exactly the length but without its padding.
  EXPECT_EQ(decode_error("bytes", word(0x20) + word(1) + "61"),
            "arg 0: data too short for 1 bytes and padding at byte 32");
  EXPECT_EQ(decode_error("uint256[]", word(0x20) + std::string(64, 'f')),
            "arg 0: length 0x" + std::string(64, 'f') + " exceeds the data at byte 32");
  EXPECT_EQ(decode_error("uint256[]", word(0x20) + word(3) + word(1) + word(2)),
            "arg 0: length 3 exceeds the data at byte 32");
  // A string[] of 2^250 offsets: refused from the length, nothing allocated.
  EXPECT_EQ(
      decode_error("string[]", word(0x20) + "0400000000000000" + std::string(48, '0')),
      "arg 0: length 0x400000000000000" + std::string(48, '0') + " exceeds the data at byte 32");
}

TEST(AbiDecodeTest, TruncatedData) {
  EXPECT_EQ(decode_error("uint256", ""), "data too short: the heads need 32 bytes at byte 0");
  EXPECT_EQ(decode_error("uint256,bool", word(1) + "00"),
            "data too short: the heads need 64 bytes at byte 0");
  EXPECT_EQ(decode_error("uint256[3]", word(1) + word(2)),
            "data too short: the heads need 96 bytes at byte 0");
  EXPECT_EQ(decode_error("uint256[16777216][16777216]", word(1)),
            "data too short: the heads need 9007199254740992 bytes at byte 0");
  EXPECT_EQ(decode_error("uint256[][]", word(0x20) + word(1) + word(0x20) + word(2) + word(7)),
            "arg 0[0]: length 2 exceeds the data at byte 96");
  const auto g = function_of("g", "uint[][],string[]");
  const auto call = *encode_call(g, values_of(R"([[["1", "2"], ["3"]], ["one", "two", "three"]])"));
  for (std::size_t cut = 4; cut < call.size(); cut += 5) {
    EXPECT_FALSE(decode_call(g, call.substr(0, cut))) << cut;
  }
  EXPECT_EQ(decode_call(g, call.substr(0, 3)).error.message,
            "call data does not start with the selector of g(uint256[][],string[])");
}

TEST(AbiDecodeTest, NestedOffsetsAreRelativeToTheirEnclosingHead) {
  // (uint256,string) inside a dynamic tuple: the string's offset 0x40 counts from the tuple's
  // start (byte 32), not from byte 0.
  const std::string data =
      word(0x20) + word(5) + word(0x40) + word(2) + "6869" + std::string(60, '0');
  EXPECT_EQ(json::serialize(*decode(types_of("(uint256,string)"), bytes_of(data))),
            R"([["5","hi"]])");
  // The same offset read from byte 0 would land on the "5"; an offset past the data
  // measured from the tuple is refused even though it is in range from byte 0.
  EXPECT_EQ(decode_error("(uint256,string)", word(0x20) + word(5) + word(0x60) + word(2)),
            "arg 0.1: data too short (128 bytes) at byte 128");
  // Non-canonical but in-range offsets are accepted (data after the encoding is ignored).
  EXPECT_EQ(json::serialize(*decode(types_of("bytes"), bytes_of(word(0x40) + word(0) + word(1) +
                                                                "ab" + std::string(62, '0')))),
            R"(["0xab"])");
}

TEST(AbiDecodeTest, OverlappingOffsetsCannotAmplify) {
  // uint256[][]: n inner offsets all pointing at one inner array of m elements would decode
  // n*m values from n+m words. The reads budget (4 per input word) refuses it.
  const std::size_t n = 64;
  const std::size_t m = 64;
  std::string data = word(0x20) + word(n);
  for (std::size_t i = 0; i < n; ++i) data += word(n * 32);  // all at the same inner array
  data += word(m);
  for (std::size_t i = 0; i < m; ++i) data += word(i);
  const auto error = decode_error("uint256[][]", data);
  EXPECT_NE(error.find("too much work (overlapping offsets)"), std::string::npos) << error;
  // A few shared tails are fine.
  const std::string shared = word(0x40) + word(0x40) + word(1) + "61" + std::string(62, '0');
  EXPECT_EQ(json::serialize(*decode(types_of("string,string"), bytes_of(shared))), R"(["a","a"])");
}

TEST(AbiDecodeTest, ZeroSizedElementsAreBounded) {
  // ()[] of 2^40 elements takes no data per element; the values budget stops it.
  const auto error = decode_error("()[]", word(0x20) + word(std::uint64_t{1} << 40));
  EXPECT_NE(error.find("too many values"), std::string::npos) << error;
  EXPECT_EQ(json::serialize(*decode(types_of("()[],uint8[0]"), bytes_of(word(0x20) + word(2)))),
            "[[[],[]],[]]");
  const auto fixed = decode_error("()[16777216][16777216]", "");
  EXPECT_NE(fixed.find("too many values"), std::string::npos) << fixed;
}

TEST(AbiDecodeTest, HandBuiltTypesAreChecked) {
  Type bad;
  bad.kind = Type::Kind::uint;
  bad.size = 7;
  EXPECT_EQ(decode({bad}, bytes_of(word(0))).error.message,
            "arg 0: invalid type: integer size 7 is not 8..256 in steps of 8");
  EXPECT_EQ(encode({bad}, values_of("[1]")).error.message,
            "arg 0: invalid type: integer size 7 is not 8..256 in steps of 8");
  Type array;
  array.kind = Type::Kind::array;
  EXPECT_EQ(decode({array}, "").error.message,
            "arg 0: invalid type: an array needs exactly one element type");
  Type deep = *parse_type("uint256");
  for (int i = 0; i < 40; ++i) {
    Type wrapper;
    wrapper.kind = Type::Kind::tuple;
    wrapper.components.push_back(std::move(deep));
    deep = std::move(wrapper);
  }
  EXPECT_EQ(encode({deep}, values_of("[1]")).error.message,
            "arg 0: invalid type: nested deeper than 32");
}

}  // namespace
}  // namespace pend::chain::abi
