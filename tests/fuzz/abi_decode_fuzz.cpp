// Contract data from outside (call data, return data, logs, JSON ABIs) through the ABI codec.
// The decoder either refuses with a reason or answers values that encode canonically: their
// encoding decodes to the same values and encodes to itself again. It must never read out of
// bounds, loop, or build an answer out of proportion to the input.
//
// The first byte picks what the rest is:
//   0..N-1  data for the type list kTypeLists[byte]
//   0xff    a type list ("uint256,(bytes,string)[]"), '\n', then data for it
//   0xfe    a JSON ABI for Contract::from_json
//   0xfd    a log: a flags byte (bit 6: which event; bit 7: topics[0] is the event's topic0;
//           low bits: topic count), the topics (32 bytes each), then the data
//   0xfc    a type list index byte, then JSON values to encode
//   other   as byte % N
#include "chain/abi.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace pend;
namespace abi = pend::chain::abi;

namespace {

constexpr std::string_view kTypeLists[] = {
    "uint256,bytes,string[],(address,bool)[2]",
    "uint32,bool",
    "bytes3[2]",
    "bytes,bool,uint256[]",
    "uint256,uint32[],bytes10,bytes",
    "uint256[][],string[]",
    "int8,int256,int16,uint8,address,bytes1",
    "(uint256,string)[2][]",
    "((uint256,bytes)[],int64)[]",
    "string,bytes32,bool[3]",
    "()[],uint8[0]",
    "uint256[][][]",
    "(address,(uint256,uint256[])[],string)",
    "int24[],(bool,int128)[3][]",
};
constexpr std::size_t kLists = sizeof(kTypeLists) / sizeof(kTypeLists[0]);

std::vector<abi::Type> types_of(std::string_view text) {
  auto types = abi::parse_types(text);
  if (!types) __builtin_trap();  // the fixed lists are valid
  return std::move(*types);
}

bool has_zero_sized(const abi::Type& type) {
  if (type.kind == abi::Type::Kind::tuple && type.components.empty()) return true;
  if (type.kind == abi::Type::Kind::array && type.length && *type.length == 0) return true;
  for (const auto& member : type.components) {
    if (has_zero_sized(member)) return true;
  }
  return false;
}

// The values of a canonical encoding, or nullopt when they are too many for the values
// budget: it grows with the input, so many zero-sized values (()[] elements) that a long
// input allowed can be too many for their short canonical encoding.
std::optional<boost::json::array> decode_canonical(const std::vector<abi::Type>& types,
                                                   const abi::Bytes& encoded) {
  auto decoded = abi::decode(types, encoded);
  if (decoded) return std::move(*decoded);
  bool zero_sized = false;
  for (const auto& type : types) zero_sized = zero_sized || has_zero_sized(type);
  if (zero_sized && decoded.error.message.find("too many values") != std::string::npos) {
    return std::nullopt;
  }
  __builtin_trap();
}

// What a successful decode promises: its values encode, and that encoding is a fixed point.
void check_canonical(const std::vector<abi::Type>& types, const boost::json::array& values) {
  const auto encoded = abi::encode(types, values);
  if (!encoded) __builtin_trap();
  const auto again = decode_canonical(types, *encoded);
  if (!again) return;
  if (boost::json::serialize(*again) != boost::json::serialize(values)) __builtin_trap();
  const auto twice = abi::encode(types, *again);
  if (!twice || *twice != *encoded) __builtin_trap();
}

void decode_and_check(const std::vector<abi::Type>& types, std::string_view data) {
  const auto decoded = abi::decode(types, data);
  if (!decoded) {
    if (decoded.error.message.empty()) __builtin_trap();  // a refusal always says why
    return;
  }
  if (decoded->size() != types.size()) __builtin_trap();
  check_canonical(types, *decoded);
}

void type_list(std::string_view input) {
  const auto cut = input.find('\n');
  const std::string_view text = input.substr(0, cut);
  const std::string_view data = cut == std::string_view::npos ? "" : input.substr(cut + 1);
  std::string why;
  const auto types = abi::parse_types(text, &why);
  if (!types) {
    if (why.empty()) __builtin_trap();
    return;
  }
  std::string canonical;
  for (const auto& type : *types) {
    if (!canonical.empty()) canonical += ',';
    canonical += type.canonical();
  }
  const auto reparsed = abi::parse_types(canonical);
  if (!reparsed || *reparsed != *types) __builtin_trap();
  decode_and_check(*types, data);
}

void json_abi(std::string_view input) {
  const auto contract = abi::Contract::from_json(input);
  if (!contract) {
    if (contract.error.message.empty()) __builtin_trap();
    return;
  }
  for (const auto& f : contract->functions) {
    for (const auto& param : f.inputs) {
      const auto reparsed = abi::parse_type(param.type.canonical());
      if (!reparsed || reparsed->canonical() != param.type.canonical()) __builtin_trap();
    }
    (void)f.selector();
    (void)abi::decode_output(f, std::string(64, '\0'));
  }
  for (const auto& e : contract->events) {
    if (contract->event_by_topic(e.topic0()) == nullptr && !e.anonymous) __builtin_trap();
  }
}

abi::Event event_of(std::string_view json) {
  auto contract = abi::Contract::from_json(json);
  if (!contract || contract->events.size() != 1) __builtin_trap();
  return contract->events[0];
}

void log(std::string_view input) {
  static const abi::Event kEvents[] = {
      event_of(R"([{"type":"event","name":"TransferBatch","inputs":[
        {"indexed":true,"name":"operator","type":"address"},
        {"indexed":true,"name":"from","type":"address"},
        {"indexed":true,"name":"to","type":"address"},
        {"indexed":false,"name":"ids","type":"uint256[]"},
        {"indexed":false,"name":"values","type":"uint256[]"}]}])"),
      event_of(R"([{"type":"event","name":"Named","inputs":[
        {"indexed":true,"name":"name","type":"string"},
        {"indexed":true,"name":"","type":"tuple","components":[{"name":"a","type":"uint256"}]},
        {"indexed":true,"name":"","type":"int8"},
        {"indexed":false,"name":"name","type":"bytes"},
        {"indexed":false,"name":"n","type":"tuple[]","components":[
          {"name":"x","type":"bool"},{"name":"y","type":"string"}]}]}])"),
  };
  if (input.empty()) return;
  const auto flags = static_cast<std::uint8_t>(input[0]);
  input.remove_prefix(1);
  const abi::Event& e = kEvents[(flags >> 6) & 1];
  std::vector<security::Hash32> topics((flags & 0x3F) % 6);
  for (auto& topic : topics) {
    const std::size_t n = std::min<std::size_t>(32, input.size());
    std::memcpy(topic.data(), input.data(), n);
    input.remove_prefix(n);
  }
  if ((flags & 0x80) != 0 && !topics.empty()) topics[0] = e.topic0();
  const auto decoded = abi::decode_event(e, topics, input);
  if (!decoded && decoded.error.message.empty()) __builtin_trap();
  if (decoded && decoded->size() != e.inputs.size()) __builtin_trap();
}

void encode_json(std::string_view input) {
  if (input.empty()) return;
  const auto types = types_of(kTypeLists[static_cast<std::uint8_t>(input[0]) % kLists]);
  boost::json::error_code ec;
  const auto values = boost::json::parse(input.substr(1), ec);
  if (ec || !values.is_array()) return;
  const auto encoded = abi::encode(types, values.get_array());
  if (!encoded) {
    if (encoded.error.message.empty()) __builtin_trap();
    return;
  }
  const auto decoded = decode_canonical(types, *encoded);  // what we encode we can decode
  if (decoded) check_canonical(types, *decoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0]) {
    case 0xff:
      type_list(input);
      break;
    case 0xfe:
      json_abi(input);
      break;
    case 0xfd:
      log(input);
      break;
    case 0xfc:
      encode_json(input);
      break;
    default: {
      static const auto kTypes = [] {
        std::vector<std::vector<abi::Type>> all;
        for (const auto text : kTypeLists) all.push_back(types_of(text));
        return all;
      }();
      decode_and_check(kTypes[data[0] % kLists], input);
    }
  }
  return 0;
}
