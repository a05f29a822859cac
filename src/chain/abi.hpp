// The Solidity contract ABI: type strings, the head/tail encoding of values, function
// selectors, event topics and the JSON ABI of a contract. Values are Boost.JSON, so an API
// body can go straight in and a decoded answer straight out.
//
//   auto erc20 = abi::Contract::from_json(abi_json);                  // Result<Contract>
//   const auto* transfer = erc20.value->function("transfer");
//   auto call = abi::encode_call(*transfer, boost::json::array{"0x5aAe...", "1000"});
//   // call.value: a9059cbb ++ the two words; call.error.message says why when empty
//   auto ok = abi::decode_output(*transfer, return_data);            // [true]
//   auto log = abi::decode_event(*erc20.value->event_by_topic(topics[0]), topics, data);
//   // {"from":"0x...","to":"0x...","value":"1000"}
//
// Values, one JSON shape per ABI type (decode writes exactly these; encode also accepts the
// alternatives in brackets):
//   uintN, intN  decimal string, exact, '-' for negatives ("-5")  [JSON integer; "0x1f" or
//                "-0x1f" hex, read as a magnitude, not as two's complement]
//   address      EIP-55 string                                   [all lower or upper case]
//   bool         true / false
//   bytesN       "0x" + 2N lowercase hex digits                  [either case; exactly N]
//   bytes        "0x" + lowercase hex ("0x" when empty)          [either case]
//   string       JSON string of the bytes as they are (no UTF-8 check; util::json replaces
//                invalid UTF-8 when it writes the answer)
//   T[k], T[]    JSON array (exactly k elements for T[k])
//   tuple        JSON array of the members                       [an object keyed by the
//                member names, every name present, no others]
//
// Decoding is strict and safe on hostile input: every read is bounds-checked; offsets and
// lengths are 256-bit words that must fit the data; padding must be zero (uintN, address,
// bool, bytesN, and the tail of bytes/string); bool is 0 or 1; intN must be sign-extended;
// a dynamic array's length cannot exceed what the remaining data could hold; and the work
// is bounded: at most 4 reads per 32-byte word of input (overlapping offsets cannot blow up
// the output) and 64 decoded values per word. Offsets need not be canonical and data after
// the encoding is ignored, as Solidity's own decoder does. Not supported: fixedMxN,
// ufixedMxN and the function type (parse_type refuses them by name).
#pragma once

#include "security/keccak.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pend::chain::abi {

using Bytes = std::string;  // raw bytes

// What went wrong and where: "arg 2: uint8 value 300 out of range",
// "arg 1[3].amount: bool is neither 0 nor 1 at byte 260".
struct Error {
  std::string message;
};

// The value, or (value empty) an error whose message is never empty.
template <class T>
struct Result {
  std::optional<T> value;
  Error error;

  static Result fail(std::string message) {
    return Result{std::nullopt, Error{std::move(message)}};
  }
  explicit operator bool() const { return value.has_value(); }
  const T& operator*() const { return *value; }
  T& operator*() { return *value; }
  const T* operator->() const { return &*value; }
  T* operator->() { return &*value; }
};

// Limits on a type (its text or a Type built by hand): nesting of arrays and tuples, and
// the length of a fixed array.
inline constexpr std::size_t kMaxTypeDepth = 32;
inline constexpr std::size_t kMaxFixedLength = 1u << 24;

struct Type {
  enum class Kind : std::uint8_t {
    uint,
    int_,
    address,
    bool_,
    fixed_bytes,
    bytes,
    string,
    array,
    tuple
  };
  Kind kind = Kind::uint;
  unsigned size = 0;                  // bits for uint/int (8..256 step 8), N for bytesN (1..32)
  std::optional<std::size_t> length;  // array: fixed length T[k], nullopt for T[]
  std::vector<Type> components;       // array: one element type; tuple: members
  std::vector<std::string> names;     // tuple member names (empty, or one per member)

  // bytes, string, T[], T[k] of a dynamic T, a tuple with a dynamic member.
  bool dynamic() const;
  // "uint256", "(address,uint256)[]": what selectors and topics hash.
  std::string canonical() const;
  friend bool operator==(const Type&, const Type&) = default;
};

// A type in the canonical grammar: "uint256", "uint" (read as uint256), "bytes32[3][]",
// "(uint256,string)[2]", "()" - no spaces, no names. The JSON form's "tuple" with its
// components is read by Contract::from_json (and param_from_json below), not here.
std::optional<Type> parse_type(std::string_view text, std::string* error = nullptr);
// A comma-separated list without the parentheses: "address,uint256" (empty text: none).
std::optional<std::vector<Type>> parse_types(std::string_view text, std::string* error = nullptr);

// enc((v_1, ..., v_n)): the arguments as one tuple, without a selector.
Result<Bytes> encode(const std::vector<Type>& types, const boost::json::array& values);
// The inverse: one JSON value per type.
Result<boost::json::array> decode(const std::vector<Type>& types, std::string_view data);

struct Param {
  std::string name;
  Type type;
  bool indexed = false;  // events only
  friend bool operator==(const Param&, const Param&) = default;
};

// A function, or a custom error (same selector rule, no outputs).
struct Function {
  std::string name;
  std::vector<Param> inputs, outputs;

  std::string signature() const;  // "transfer(address,uint256)"
  std::array<std::uint8_t, 4> selector() const;
};

struct Event {
  std::string name;
  std::vector<Param> inputs;
  bool anonymous = false;

  std::string signature() const;  // "Transfer(address,address,uint256)"
  security::Hash32 topic0() const;
};

struct Contract {
  std::vector<Function> functions;
  std::vector<Event> events;
  std::vector<Function> errors;  // the "error" entries, for revert data

  // The standard JSON ABI: an array of entries typed function (the default when "type" is
  // missing), event, error, constructor, fallback or receive (the last three are checked
  // and dropped); tuples as "tuple", "tuple[]", "tuple[2][]" with "components".
  static Result<Contract> from_json(std::string_view abi_json);

  // By name, the first of any overloads; or by signature when name has a '(':
  // function("transfer(address,uint256)").
  const Function* function(std::string_view name) const;
  const Function* function_by_selector(const std::array<std::uint8_t, 4>& selector) const;
  const Event* event(std::string_view name) const;
  const Event* event_by_topic(const security::Hash32& topic0) const;
  // The error whose selector starts revert data (4 bytes or more).
  const Function* error_by_selector(std::string_view revert_data) const;
};

// One entry of a JSON ABI's inputs/outputs: {"name","type","components","indexed"}.
Result<Param> param_from_json(const boost::json::value& json);

Result<Bytes> encode_call(const Function& f, const boost::json::array& args);  // selector + args
// The arguments of call data that starts with f's selector.
Result<boost::json::array> decode_call(const Function& f, std::string_view call_data);
Result<boost::json::array> decode_output(const Function& f, std::string_view return_data);

// A log. Non-indexed inputs are decoded from data in order; indexed value types (uintN,
// intN, address, bool, bytesN) from their topics, as strictly as decode; indexed strings,
// bytes, arrays and tuples are only the Keccak-256 of their encoding there, and come back as
// {"hash":"0x..."}. A non-anonymous event's topics[0] must equal topic0(), and there must be
// exactly one topic per indexed input besides. The object is keyed by parameter name, or
// "arg<i>" (i the position among all inputs) when a name is empty or repeated.
Result<boost::json::object> decode_event(const Event& e,
                                         const std::vector<security::Hash32>& topics,
                                         std::string_view data);

}  // namespace pend::chain::abi
