#include "chain/abi.hpp"

#include "security/evm_address.hpp"
#include "util/hex.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cstring>
#include <span>
#include <unordered_map>

namespace pend::chain::abi {
namespace {

namespace json = boost::json;

// ---- 256-bit words, big-endian as the ABI writes them --------------------------------------
// Byte arrays compare as numbers (std::array's lexicographic order is the numeric one), and
// the few operations the codec needs (times 10 or 16 plus a digit, division by a small number,
// two's complement) are short loops over the bytes.

using Word = std::array<std::uint8_t, 32>;

// word = word * factor + addend (factor, addend < 2^16); false when it no longer fits.
bool multiply_add(Word& word, unsigned factor, unsigned addend) {
  std::uint32_t carry = addend;
  for (std::size_t i = word.size(); i-- > 0;) {
    const std::uint32_t v = std::uint32_t{word[i]} * factor + carry;
    word[i] = static_cast<std::uint8_t>(v & 0xFF);
    carry = v >> 8;
  }
  return carry == 0;
}

// word /= divisor (divisor < 2^24); returns the remainder.
std::uint32_t divide(Word& word, std::uint32_t divisor) {
  std::uint32_t remainder = 0;
  for (std::uint8_t& byte : word) {
    const std::uint32_t v = remainder << 8 | byte;
    byte = static_cast<std::uint8_t>(v / divisor);
    remainder = v % divisor;
  }
  return remainder;
}

bool is_zero(const Word& word) {
  return std::all_of(word.begin(), word.end(), [](std::uint8_t b) { return b == 0; });
}

void negate(Word& word) {  // two's complement
  unsigned carry = 1;
  for (std::size_t i = word.size(); i-- > 0;) {
    const unsigned v = static_cast<std::uint8_t>(~word[i]) + carry;
    word[i] = static_cast<std::uint8_t>(v & 0xFF);
    carry = v >> 8;
  }
}

Word power_of_two(unsigned bits) {  // bits < 256
  Word word{};
  word[31 - bits / 8] = static_cast<std::uint8_t>(1u << (bits % 8));
  return word;
}

Word word_of(std::uint64_t value) {
  Word word{};
  for (std::size_t i = 0; i < 8; ++i) word[31 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  return word;
}

// The value when it fits 64 bits.
std::optional<std::uint64_t> small_value(const Word& word) {
  if (!std::all_of(word.begin(), word.begin() + 24, [](std::uint8_t b) { return b == 0; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 24; i < 32; ++i) value = value << 8 | word[i];
  return value;
}

std::string to_decimal(Word word) {
  if (is_zero(word)) return "0";
  constexpr std::uint32_t kChunk = 10'000'000;  // seven digits per division
  std::string reversed;
  while (!is_zero(word)) {
    std::uint32_t chunk = divide(word, kChunk);
    for (int i = 0; i < 7; ++i) {
      reversed += static_cast<char>('0' + chunk % 10);
      chunk /= 10;
    }
  }
  while (reversed.size() > 1 && reversed.back() == '0') reversed.pop_back();
  return std::string(reversed.rbegin(), reversed.rend());
}

// For messages: decimal when small, hex otherwise.
std::string describe_number(const Word& word) {
  if (const auto small = small_value(word)) return std::to_string(*small);
  std::string hex = util::to_hex(word);
  hex.erase(0, hex.find_first_not_of('0'));
  return "0x" + hex;
}

void append_word(std::string& out, const Word& word) {
  out.append(reinterpret_cast<const char*>(word.data()), word.size());
}

void append_padded(std::string& out, std::string_view bytes) {
  out += bytes;
  out.append((32 - bytes.size() % 32) % 32, '\0');
}

// ---- types --------------------------------------------------------------------------------

constexpr std::size_t kSaturated = std::size_t{1} << 62;

std::size_t saturating_add(std::size_t a, std::size_t b) { return std::min(a + b, kSaturated); }
std::size_t saturating_multiply(std::size_t a, std::size_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}

// What the codec asks of a type at every value: whether it is dynamic, and the bytes a value
// of it takes in its sequence's heads (32 for a dynamic type, its offset; the whole encoding
// for a static one; saturating instead of overflowing). Worked out once per type node and
// kept, so that an array of deeply nested tuples costs no more per element than it holds.
struct Shape {
  bool dynamic = false;
  std::size_t head = 32;
};

class Shapes {
 public:
  const Shape& of(const Type& type) {
    if (const auto found = cache_.find(&type); found != cache_.end()) return found->second;
    Shape shape;
    switch (type.kind) {
      case Type::Kind::bytes:
      case Type::Kind::string:
        shape.dynamic = true;
        break;
      case Type::Kind::array: {
        const Shape& element = of(type.components[0]);
        shape.dynamic = !type.length || element.dynamic;
        if (!shape.dynamic) shape.head = saturating_multiply(*type.length, element.head);
        break;
      }
      case Type::Kind::tuple: {
        std::size_t total = 0;
        for (const Type& member : type.components) {
          const Shape& member_shape = of(member);
          shape.dynamic = shape.dynamic || member_shape.dynamic;
          total = saturating_add(total, member_shape.head);
        }
        if (!shape.dynamic) shape.head = total;
        break;
      }
      default:
        break;
    }
    return cache_.emplace(&type, shape).first->second;  // references survive rehashing
  }

 private:
  std::unordered_map<const Type*, Shape> cache_;
};

bool is_value_type(const Type& type) {
  switch (type.kind) {
    case Type::Kind::uint:
    case Type::Kind::int_:
    case Type::Kind::address:
    case Type::Kind::bool_:
    case Type::Kind::fixed_bytes:
      return true;
    default:
      return false;
  }
}

// What is wrong with a type built by hand (parse_type only builds valid ones), or empty.
std::string check_type(const Type& type, std::size_t depth) {
  switch (type.kind) {
    case Type::Kind::uint:
    case Type::Kind::int_:
      if (type.size < 8 || type.size > 256 || type.size % 8 != 0) {
        return "integer size " + std::to_string(type.size) + " is not 8..256 in steps of 8";
      }
      return {};
    case Type::Kind::fixed_bytes:
      if (type.size < 1 || type.size > 32) {
        return "bytesN size " + std::to_string(type.size) + " is not 1..32";
      }
      return {};
    case Type::Kind::address:
    case Type::Kind::bool_:
    case Type::Kind::bytes:
    case Type::Kind::string:
      return {};
    case Type::Kind::array:
    case Type::Kind::tuple:
      break;
    default:
      return "unknown kind";
  }
  if (depth >= kMaxTypeDepth) return "nested deeper than " + std::to_string(kMaxTypeDepth);
  if (type.kind == Type::Kind::array) {
    if (type.components.size() != 1) return "an array needs exactly one element type";
    if (type.length && *type.length > kMaxFixedLength) return "fixed array too long";
    return check_type(type.components[0], depth + 1);
  }
  if (!type.names.empty() && type.names.size() != type.components.size()) {
    return "a tuple needs no names or one per member";
  }
  for (const Type& member : type.components) {
    if (auto problem = check_type(member, depth + 1); !problem.empty()) return problem;
  }
  return {};
}

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  std::optional<Type> whole(std::size_t depth) {
    auto type = parse(depth);
    if (type && pos_ != text_.size())
      return fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return type;
  }

  std::optional<std::vector<Type>> whole_list() {
    std::vector<Type> types;
    if (text_.empty()) return types;
    if (!list(types, 0, '\0')) return std::nullopt;
    return types;
  }

  // "[2][]" after a base type (the JSON form's "tuple[2][]").
  std::optional<Type> suffixes_of(Type base, std::size_t depth) {
    if (!suffixes(base, depth)) return std::nullopt;
    if (pos_ != text_.size()) return fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return base;
  }

  const std::string& error() const { return error_; }

 private:
  bool refuse(const std::string& what) {
    if (error_.empty()) {
      error_ = what + " at " + std::to_string(pos_) + " in '" + std::string(text_) + "'";
    }
    return false;
  }
  std::nullopt_t fail(const std::string& what) {
    refuse(what);
    return std::nullopt;
  }

  std::optional<Type> parse(std::size_t depth) {
    Type type;
    if (pos_ < text_.size() && text_[pos_] == '(') {
      if (depth >= kMaxTypeDepth)
        return fail("nested deeper than " + std::to_string(kMaxTypeDepth));
      ++pos_;
      type.kind = Type::Kind::tuple;
      if (pos_ < text_.size() && text_[pos_] == ')') {
        ++pos_;
      } else if (!list(type.components, depth + 1, ')')) {
        return std::nullopt;
      }
    } else if (!elementary(type)) {
      return std::nullopt;
    }
    if (!suffixes(type, depth)) return std::nullopt;
    return type;
  }

  // Types separated by commas up to close (consumed; '\0' for the end of the text).
  bool list(std::vector<Type>& out, std::size_t depth, char close) {
    for (;;) {
      auto member = parse(depth);
      if (!member) return false;
      out.push_back(std::move(*member));
      if (pos_ == text_.size()) {
        if (close == '\0') return true;
        return refuse("missing ')'");
      }
      if (text_[pos_] == ',') {
        ++pos_;
      } else if (text_[pos_] == close) {
        ++pos_;
        return true;
      } else {
        return refuse("expected ',' or ')'");
      }
    }
  }

  bool suffixes(Type& type, std::size_t depth) {
    std::size_t levels = depth + (type.kind == Type::Kind::tuple ? 1 : 0);
    while (pos_ < text_.size() && text_[pos_] == '[') {
      if (++levels > kMaxTypeDepth) {
        return refuse("nested deeper than " + std::to_string(kMaxTypeDepth));
      }
      ++pos_;
      std::optional<std::size_t> length;
      if (pos_ < text_.size() && text_[pos_] != ']') {
        length = number(kMaxFixedLength);
        if (!length) return false;
      }
      if (pos_ >= text_.size() || text_[pos_] != ']') {
        return refuse("expected ']'");
      }
      ++pos_;
      Type array;
      array.kind = Type::Kind::array;
      array.length = length;
      array.components.push_back(std::move(type));
      type = std::move(array);
    }
    return true;
  }

  // Decimal digits without a leading zero, at most maximum.
  std::optional<std::size_t> number(std::size_t maximum) {
    const std::size_t start = pos_;
    std::size_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      value = value * 10 + static_cast<std::size_t>(text_[pos_] - '0');
      ++pos_;
      if (value > maximum) return fail("number larger than " + std::to_string(maximum));
    }
    if (pos_ == start) return fail("expected a number");
    if (text_[start] == '0' && pos_ - start > 1) return fail("leading zero");
    return value;
  }

  bool elementary(Type& type) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= 'a' && text_[pos_] <= 'z') ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    const bool digits = pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9';
    // uintN, intN, bytesN: the N after the word (uint and int alone mean 256 bits).
    const auto sized = [&](Type::Kind kind) {
      type.kind = kind;
      type.size = 256;
      if (!digits) return kind != Type::Kind::fixed_bytes;
      const auto size = number(kMaxFixedLength);
      if (!size) return false;
      const bool fits = kind == Type::Kind::fixed_bytes
                            ? *size >= 1 && *size <= 32
                            : *size >= 8 && *size <= 256 && *size % 8 == 0;
      if (!fits) {
        pos_ = start;
        return refuse(kind == Type::Kind::fixed_bytes ? "bytesN needs N in 1..32"
                                                      : "integer sizes are 8..256 in steps of 8");
      }
      type.size = static_cast<unsigned>(*size);
      return true;
    };
    if (word == "uint") return sized(Type::Kind::uint);
    if (word == "int") return sized(Type::Kind::int_);
    if (word == "bytes") {
      if (digits) return sized(Type::Kind::fixed_bytes);
      type.kind = Type::Kind::bytes;
      return true;
    }
    pos_ = start;
    if (word == "fixed" || word == "ufixed") return refuse("fixed-point types are not supported");
    if (word == "function") return refuse("the function type is not supported");
    if (word == "tuple") {
      return refuse("write a tuple as (T1,T2); \"tuple\" needs the JSON form with components");
    }
    if (digits || word.empty()) {
      return refuse(word.empty() ? "expected a type" : "unknown type '" + std::string(word) + "'");
    }
    if (word == "address") {
      type.kind = Type::Kind::address;
    } else if (word == "bool") {
      type.kind = Type::Kind::bool_;
    } else if (word == "string") {
      type.kind = Type::Kind::string;
    } else {
      return refuse("unknown type '" + std::string(word) + "'");
    }
    pos_ += word.size();
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

// ---- where a value is: "arg 2[1].amount" --------------------------------------------------

struct Path {
  enum class Step : std::uint8_t { arg, member, element };
  const Path* parent = nullptr;
  Step step = Step::arg;
  std::size_t index = 0;
  std::string_view name;
};

std::string describe(const Path* path) {
  if (path == nullptr) return {};
  std::string out = describe(path->parent);
  switch (path->step) {
    case Path::Step::arg:
      out += "arg " + std::to_string(path->index);
      if (!path->name.empty()) out += " (" + std::string(path->name) + ")";
      break;
    case Path::Step::member:
      out += '.';
      out += path->name.empty() ? std::to_string(path->index) : std::string(path->name);
      break;
    case Path::Step::element:
      out += "[" + std::to_string(path->index) + "]";
      break;
  }
  return out;
}

std::string located(const Path* path, const std::string& what) {
  std::string where = describe(path);
  return where.empty() ? what : where + ": " + what;
}

// What a head/tail sequence holds: top-level arguments, a tuple's members or an array's
// elements (all of one type).
struct Sequence {
  std::span<const Type* const> args;
  std::span<const std::string_view> arg_names;  // empty, or one per arg
  std::span<const std::size_t> arg_numbers;     // empty, or one per arg (else 0, 1, ...)
  const Type* tuple = nullptr;
  const Type* element = nullptr;
  std::size_t count = 0;

  static Sequence of_args(std::span<const Type* const> types,
                          std::span<const std::string_view> names = {},
                          std::span<const std::size_t> numbers = {}) {
    return Sequence{types, names, numbers, nullptr, nullptr, types.size()};
  }
  static Sequence of_tuple(const Type& tuple) {
    return Sequence{{}, {}, {}, &tuple, nullptr, tuple.components.size()};
  }
  static Sequence of_array(const Type& array, std::size_t count) {
    return Sequence{{}, {}, {}, nullptr, &array.components[0], count};
  }

  const Type& type(std::size_t i) const {
    if (element != nullptr) return *element;
    return tuple != nullptr ? tuple->components[i] : *args[i];
  }
  Path path(const Path* parent, std::size_t i) const {
    if (element != nullptr) return Path{parent, Path::Step::element, i, {}};
    if (tuple != nullptr) {
      return Path{parent, Path::Step::member, i,
                  tuple->names.empty() ? std::string_view{} : std::string_view{tuple->names[i]}};
    }
    return Path{parent, Path::Step::arg, arg_numbers.empty() ? i : arg_numbers[i],
                arg_names.empty() ? std::string_view{} : arg_names[i]};
  }
  // The heads' total size (saturating).
  std::size_t heads(Shapes& shapes) const {
    if (element != nullptr) return saturating_multiply(count, shapes.of(*element).head);
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) total = saturating_add(total, shapes.of(type(i)).head);
    return total;
  }
};

std::string check_types(const Sequence& sequence) {
  for (std::size_t i = 0; i < sequence.count; ++i) {
    if (auto problem = check_type(sequence.type(i), 0); !problem.empty()) {
      const Path path = sequence.path(nullptr, i);
      return located(&path, "invalid type: " + problem);
    }
  }
  return {};
}

// ---- encoding -----------------------------------------------------------------------------

std::string shown(const json::value& value) {
  std::string text = value.is_string() ? std::string(value.get_string()) : json::serialize(value);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// The magnitude and sign of a JSON integer or of "123", "-123", "0x7b", "-0x7B".
std::string read_integer(const json::value& value, Word& magnitude, bool& negative) {
  magnitude = Word{};
  negative = false;
  if (value.is_int64()) {
    const std::int64_t v = value.get_int64();
    negative = v < 0;
    magnitude =
        word_of(negative ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v));
    return {};
  }
  if (value.is_uint64()) {
    magnitude = word_of(value.get_uint64());
    return {};
  }
  if (value.is_double()) return "not an exact integer (write large numbers as strings)";
  if (!value.is_string()) return "expected an integer (a number or a decimal or 0x string)";
  std::string_view text = value.get_string();
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  unsigned base = 10;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return "expected an integer, got '" + shown(value) + "'";
  for (const char c : text) {
    const int digit = base == 16 ? util::hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
    if (digit < 0) return "expected an integer, got '" + shown(value) + "'";
    if (!multiply_add(magnitude, base, static_cast<unsigned>(digit))) {
      return "integer " + shown(value) + " does not fit 256 bits";
    }
  }
  return {};
}

// enc(value) of a value type into one word, or what is wrong with the value.
std::string encode_word(const Type& type, const json::value& value, Word& out) {
  switch (type.kind) {
    case Type::Kind::uint:
    case Type::Kind::int_: {
      bool negative = false;
      if (auto problem = read_integer(value, out, negative); !problem.empty()) return problem;
      const std::string name = type.canonical();
      const auto out_of_range = [&] { return name + " value " + shown(value) + " out of range"; };
      if (type.kind == Type::Kind::uint) {
        if ((negative && !is_zero(out)) || (type.size < 256 && out >= power_of_two(type.size))) {
          return out_of_range();
        }
      } else {
        const Word limit = power_of_two(type.size - 1);  // |min|; max is one less
        if (negative ? out > limit : out >= limit) return out_of_range();
        if (negative) negate(out);
      }
      return {};
    }
    case Type::Kind::address: {
      if (!value.is_string()) return "expected an address string";
      security::AddressProblem problem{};
      const auto address = security::parse_address(value.get_string(), &problem);
      if (!address) {
        return problem == security::AddressProblem::checksum
                   ? "address " + shown(value) + " has a wrong EIP-55 checksum"
                   : "'" + shown(value) + "' is not an address (0x and 40 hex digits)";
      }
      out = Word{};
      std::copy(address->bytes.begin(), address->bytes.end(), out.begin() + 12);
      return {};
    }
    case Type::Kind::bool_:
      if (!value.is_bool()) return "expected true or false";
      out = word_of(value.get_bool() ? 1 : 0);
      return {};
    case Type::Kind::fixed_bytes: {
      out = Word{};
      if (!value.is_string() || !util::is_hex(value.get_string(), 2 * type.size, true) ||
          !util::from_hex(value.get_string(), std::span{out.data(), type.size})) {
        return "bytes" + std::to_string(type.size) + " expects 0x and " +
               std::to_string(2 * type.size) + " hex digits, got " + shown(value);
      }
      return {};
    }
    default:
      return "not a value type";
  }
}

class Encoder {
 public:
  const std::string& error() const { return error_; }

  bool sequence(const Sequence& sequence, const std::vector<const json::value*>& values,
                const Path* parent, std::string& out) {
    const std::size_t heads_size = sequence.heads(shapes_);
    std::string heads, tails;
    for (std::size_t i = 0; i < sequence.count; ++i) {
      const Type& type = sequence.type(i);
      const Path path = sequence.path(parent, i);
      if (shapes_.of(type).dynamic) {
        append_word(heads, word_of(heads_size + tails.size()));
        if (!value(type, *values[i], &path, tails)) return false;
      } else if (!value(type, *values[i], &path, heads)) {
        return false;
      }
    }
    out += heads;
    out += tails;
    return true;
  }

 private:
  bool fail(const Path* path, const std::string& what) {
    error_ = located(path, what);
    return false;
  }

  bool value(const Type& type, const json::value& value, const Path* path, std::string& out) {
    switch (type.kind) {
      case Type::Kind::bytes:
      case Type::Kind::string:
        return dynamic_bytes(type, value, path, out);
      case Type::Kind::array:
        return array(type, value, path, out);
      case Type::Kind::tuple:
        return tuple(type, value, path, out);
      default: {
        Word word{};
        if (auto problem = encode_word(type, value, word); !problem.empty()) {
          return fail(path, problem);
        }
        append_word(out, word);
        return true;
      }
    }
  }

  bool dynamic_bytes(const Type& type, const json::value& value, const Path* path,
                     std::string& out) {
    if (!value.is_string()) {
      return fail(path, type.kind == Type::Kind::string ? "expected a string"
                                                        : "expected a 0x hex string of bytes");
    }
    std::string_view bytes = value.get_string();
    std::optional<std::string> decoded;
    if (type.kind == Type::Kind::bytes) {
      if (bytes.size() < 2 || bytes[0] != '0' || (bytes[1] != 'x' && bytes[1] != 'X') ||
          !(decoded = util::from_hex(bytes))) {
        return fail(path, "bytes expects 0x and an even number of hex digits, got " + shown(value));
      }
      bytes = *decoded;
    }
    append_word(out, word_of(bytes.size()));
    append_padded(out, bytes);
    return true;
  }

  bool array(const Type& type, const json::value& value, const Path* path, std::string& out) {
    if (!value.is_array()) return fail(path, "expected a JSON array for " + type.canonical());
    const json::array& items = value.get_array();
    if (type.length && items.size() != *type.length) {
      return fail(path, type.canonical() + " expects " + std::to_string(*type.length) +
                            " elements, got " + std::to_string(items.size()));
    }
    std::vector<const json::value*> values;
    values.reserve(items.size());
    for (const json::value& item : items) values.push_back(&item);
    if (!type.length) append_word(out, word_of(items.size()));
    return sequence(Sequence::of_array(type, items.size()), values, path, out);
  }

  bool tuple(const Type& type, const json::value& value, const Path* path, std::string& out) {
    const std::size_t count = type.components.size();
    std::vector<const json::value*> values;
    values.reserve(count);
    if (value.is_array()) {
      const json::array& items = value.get_array();
      if (items.size() != count) {
        return fail(path, type.canonical() + " has " + std::to_string(count) + " members, got " +
                              std::to_string(items.size()));
      }
      for (const json::value& item : items) values.push_back(&item);
    } else if (value.is_object()) {
      const json::object& object = value.get_object();
      for (std::size_t i = 0; i < count; ++i) {
        if (type.names.empty() || type.names[i].empty()) {
          return fail(path, "the tuple's members have no names; give an array");
        }
        const json::value* member = object.if_contains(type.names[i]);
        if (member == nullptr) return fail(path, "missing member '" + type.names[i] + "'");
        values.push_back(member);
      }
      for (const auto& entry : object) {
        if (std::find(type.names.begin(), type.names.end(), std::string_view(entry.key())) ==
            type.names.end()) {
          return fail(path, "unknown member '" + std::string(entry.key()) + "'");
        }
      }
    } else {
      return fail(path, "expected a JSON array or object for " + type.canonical());
    }
    return sequence(Sequence::of_tuple(type), values, path, out);
  }

  Shapes shapes_;
  std::string error_;
};

Result<Bytes> encode_sequence(const Sequence& sequence, const json::array& values) {
  if (auto problem = check_types(sequence); !problem.empty()) return Result<Bytes>::fail(problem);
  if (values.size() != sequence.count) {
    return Result<Bytes>::fail("expected " + std::to_string(sequence.count) + " values, got " +
                               std::to_string(values.size()));
  }
  std::vector<const json::value*> pointers;
  pointers.reserve(values.size());
  for (const json::value& value : values) pointers.push_back(&value);
  Encoder encoder;
  Bytes out;
  if (!encoder.sequence(sequence, pointers, nullptr, out)) {
    return Result<Bytes>::fail(encoder.error());
  }
  return {std::move(out), {}};
}

// ---- decoding -----------------------------------------------------------------------------

// The value in one word of a value type, or what is wrong with the word.
std::string decode_word(const Type& type, const Word& word, json::value& out) {
  const auto zero = [&](std::size_t from, std::size_t to) {
    return std::all_of(word.begin() + static_cast<std::ptrdiff_t>(from),
                       word.begin() + static_cast<std::ptrdiff_t>(to),
                       [](std::uint8_t b) { return b == 0; });
  };
  switch (type.kind) {
    case Type::Kind::uint:
      if (!zero(0, 32 - type.size / 8)) {
        return type.canonical() + " value does not fit (dirty high-order bytes)";
      }
      out = json::string(to_decimal(word));
      return {};
    case Type::Kind::int_: {
      const std::size_t pad = 32 - type.size / 8;
      const std::uint8_t fill = (word[pad] & 0x80) != 0 ? 0xFF : 0x00;
      if (!std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(pad),
                       [&](std::uint8_t b) { return b == fill; })) {
        return type.canonical() + " value is not sign-extended";
      }
      if (fill == 0) {
        out = json::string(to_decimal(word));
      } else {
        Word magnitude = word;
        negate(magnitude);
        out = json::string("-" + to_decimal(magnitude));
      }
      return {};
    }
    case Type::Kind::address: {
      if (!zero(0, 12)) return "address has dirty high-order bytes";
      security::Address address;
      std::copy(word.begin() + 12, word.end(), address.bytes.begin());
      out = json::string(address.checksummed());
      return {};
    }
    case Type::Kind::bool_:
      if (!zero(0, 31) || word[31] > 1) return "bool is neither 0 nor 1";
      out = word[31] == 1;
      return {};
    case Type::Kind::fixed_bytes:
      if (!zero(type.size, 32)) return type.canonical() + " has dirty low-order bytes";
      out = json::string(util::to_prefixed_hex(std::span{word.data(), type.size}));
      return {};
    default:
      return "not a value type";
  }
}

// Bounds on the work hostile data can cause, per 32-byte word of input: canonical data reads
// each word once and holds at most kMaxTypeDepth + 1 values per word.
constexpr std::size_t kReadsPerWord = 4;
constexpr std::size_t kValuesPerWord = 64;

class Decoder {
 public:
  explicit Decoder(std::string_view data)
      : data_(data),
        reads_left_(kReadsPerWord * (data.size() / 32) + kReadsPerWord),
        values_left_(kValuesPerWord * (data.size() / 32 + 1)) {}

  const std::string& error() const { return error_; }

  bool sequence(const Sequence& sequence, std::size_t base, const Path* parent, json::array& out) {
    if (sequence.count > values_left_) return fail(parent, "too many values", base);
    const std::size_t heads = sequence.heads(shapes_);
    if (heads > data_.size() - base) {
      return fail(parent, "data too short: the heads need " + std::to_string(heads) + " bytes",
                  base);
    }
    out.reserve(sequence.count);
    std::size_t cursor = base;
    for (std::size_t i = 0; i < sequence.count; ++i) {
      const Type& type = sequence.type(i);
      const Path path = sequence.path(parent, i);
      const Shape& shape = shapes_.of(type);
      json::value item;
      if (shape.dynamic) {
        Word word{};
        if (!read(cursor, &path, word)) return false;
        const auto offset = small_value(word);
        if (!offset || *offset > data_.size() - base) {
          return fail(&path,
                      "offset " + describe_number(word) + " out of range (data is " +
                          std::to_string(data_.size()) + " bytes)",
                      cursor);
        }
        if (!value(type, base + *offset, &path, item)) return false;
      } else if (!value(type, cursor, &path, item)) {
        return false;
      }
      cursor += shape.head;
      out.push_back(std::move(item));
    }
    return true;
  }

 private:
  bool fail(const Path* path, const std::string& what, std::size_t at) {
    error_ = located(path, what + " at byte " + std::to_string(at));
    return false;
  }

  bool read(std::size_t at, const Path* path, Word& word) {
    if (at > data_.size() || data_.size() - at < 32) {
      return fail(path, "data too short (" + std::to_string(data_.size()) + " bytes)", at);
    }
    if (reads_left_ == 0) return fail(path, "too much work (overlapping offsets)", at);
    --reads_left_;
    std::memcpy(word.data(), data_.data() + at, 32);
    return true;
  }

  // The length word at `at`: at most what the rest of the data could hold at `unit` bytes
  // each (unit 0: no bound from the data).
  std::optional<std::size_t> length(std::size_t at, std::size_t unit, const Path* path) {
    Word word{};
    if (!read(at, path, word)) return std::nullopt;
    const auto length = small_value(word);
    const std::size_t room = data_.size() - at - 32;
    if (!length || (unit != 0 && *length > room / unit)) {
      fail(path, "length " + describe_number(word) + " exceeds the data", at);
      return std::nullopt;
    }
    return static_cast<std::size_t>(*length);
  }

  bool value(const Type& type, std::size_t at, const Path* path, json::value& out) {
    if (values_left_ == 0) return fail(path, "too many values", at);
    --values_left_;
    switch (type.kind) {
      case Type::Kind::bytes:
      case Type::Kind::string:
        return dynamic_bytes(type, at, path, out);
      case Type::Kind::array: {
        std::size_t count = type.length.value_or(0);
        std::size_t start = at;
        if (!type.length) {
          const auto n = length(at, shapes_.of(type.components[0]).head, path);
          if (!n) return false;
          count = *n;
          start = at + 32;
        }
        return sequence(Sequence::of_array(type, count), start, path, out.emplace_array());
      }
      case Type::Kind::tuple:
        return sequence(Sequence::of_tuple(type), at, path, out.emplace_array());
      default: {
        Word word{};
        if (!read(at, path, word)) return false;
        if (auto problem = decode_word(type, word, out); !problem.empty()) {
          return fail(path, problem, at);
        }
        return true;
      }
    }
  }

  bool dynamic_bytes(const Type& type, std::size_t at, const Path* path, json::value& out) {
    const auto size = length(at, 1, path);
    if (!size) return false;
    const std::size_t padded = (*size + 31) / 32 * 32;
    const std::size_t start = at + 32;
    if (padded > data_.size() - start) {
      return fail(path, "data too short for " + std::to_string(*size) + " bytes and padding", at);
    }
    if (padded / 32 > reads_left_) return fail(path, "too much work (overlapping offsets)", at);
    reads_left_ -= padded / 32;
    const std::string_view bytes = data_.substr(start, *size);
    const std::string_view padding = data_.substr(start + *size, padded - *size);
    if (padding.find_first_not_of('\0') != std::string_view::npos) {
      return fail(path, "dirty padding after " + type.canonical(), start + *size);
    }
    if (type.kind == Type::Kind::string) {
      out = json::string(bytes);
    } else {
      out = json::string(util::to_prefixed_hex(
          std::span{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}));
    }
    return true;
  }

  std::string_view data_;
  Shapes shapes_;
  std::size_t reads_left_;
  std::size_t values_left_;
  std::string error_;
};

Result<json::array> decode_sequence(const Sequence& sequence, std::string_view data) {
  if (auto problem = check_types(sequence); !problem.empty()) {
    return Result<json::array>::fail(problem);
  }
  Decoder decoder(data);
  json::array out;
  if (!decoder.sequence(sequence, 0, nullptr, out)) {
    return Result<json::array>::fail(decoder.error());
  }
  return {std::move(out), {}};
}

// The types and names of params, for a Sequence.
struct Args {
  std::vector<const Type*> types;
  std::vector<std::string_view> names;
  std::vector<std::size_t> numbers;

  void add(const Param& param, std::size_t number) {
    types.push_back(&param.type);
    names.push_back(param.name);
    numbers.push_back(number);
  }
  Sequence sequence() const { return Sequence::of_args(types, names, numbers); }
};

Args args_of(const std::vector<Param>& params) {
  Args args;
  for (std::size_t i = 0; i < params.size(); ++i) args.add(params[i], i);
  return args;
}

std::vector<const Type*> pointers_to(const std::vector<Type>& types) {
  std::vector<const Type*> pointers;
  pointers.reserve(types.size());
  for (const Type& type : types) pointers.push_back(&type);
  return pointers;
}

std::string signature_of(std::string_view name, const std::vector<Param>& params) {
  std::string out{name};
  out += '(';
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i != 0) out += ',';
    out += params[i].type.canonical();
  }
  out += ')';
  return out;
}

// ---- the JSON ABI -------------------------------------------------------------------------

std::optional<Param> read_param(const json::value& json, std::size_t depth, std::string& error);

std::optional<Type> read_tuple(const json::object& object, std::string_view type_text,
                               std::size_t depth, std::string& error) {
  const json::value* components = object.if_contains("components");
  if (components == nullptr || !components->is_array()) {
    error = "'" + std::string(type_text) + "' needs a components array";
    return std::nullopt;
  }
  if (depth >= kMaxTypeDepth) {
    error = "nested deeper than " + std::to_string(kMaxTypeDepth);
    return std::nullopt;
  }
  Type tuple;
  tuple.kind = Type::Kind::tuple;
  bool named = false;
  const json::array& members = components->get_array();
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto member = read_param(members[i], depth + 1, error);
    if (!member) {
      error = "component " + std::to_string(i) + ": " + error;
      return std::nullopt;
    }
    named = named || !member->name.empty();
    tuple.components.push_back(std::move(member->type));
    tuple.names.push_back(std::move(member->name));
  }
  if (!named) tuple.names.clear();
  TypeParser parser(type_text.substr(5));
  auto type = parser.suffixes_of(std::move(tuple), depth);
  if (!type) error = parser.error();
  return type;
}

std::optional<Param> read_param(const json::value& json, std::size_t depth, std::string& error) {
  const json::object* object = json.if_object();
  if (object == nullptr) {
    error = "expected an object";
    return std::nullopt;
  }
  Param param;
  if (const json::value* name = object->if_contains("name")) {
    if (!name->is_string()) {
      error = "name is not a string";
      return std::nullopt;
    }
    param.name = name->get_string();
  }
  if (const json::value* indexed = object->if_contains("indexed")) {
    if (!indexed->is_bool()) {
      error = "indexed is not a boolean";
      return std::nullopt;
    }
    param.indexed = indexed->get_bool();
  }
  const json::value* type = object->if_contains("type");
  if (type == nullptr || !type->is_string()) {
    error = "type is missing or not a string";
    return std::nullopt;
  }
  const std::string_view text = type->get_string();
  std::optional<Type> parsed;
  if (text.substr(0, 5) == "tuple" && (text.size() == 5 || text[5] == '[')) {
    parsed = read_tuple(*object, text, depth, error);
  } else {
    TypeParser parser(text);
    parsed = parser.whole(depth);
    if (!parsed) error = parser.error();
  }
  if (!parsed) return std::nullopt;
  param.type = std::move(*parsed);
  return param;
}

// A parameter at the top of a list, its whole type within the limits.
std::optional<Param> read_checked_param(const json::value& json, std::string& error) {
  auto param = read_param(json, 0, error);
  if (param) {
    if (auto problem = check_type(param->type, 0); !problem.empty()) {
      error = problem;
      return std::nullopt;
    }
  }
  return param;
}

std::optional<std::vector<Param>> read_params(const json::object& entry, std::string_view key,
                                              std::string& error) {
  std::vector<Param> params;
  const json::value* list = entry.if_contains(key);
  if (list == nullptr) return params;
  if (!list->is_array()) {
    error = std::string(key) + " is not an array";
    return std::nullopt;
  }
  const json::array& items = list->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto param = read_checked_param(items[i], error);
    if (!param) {
      error =
          std::string(key == "inputs" ? "input " : "output ") + std::to_string(i) + ": " + error;
      return std::nullopt;
    }
    params.push_back(std::move(*param));
  }
  return params;
}

// One entry into contract; empty, or what is wrong with it.
std::string read_entry(const json::object& entry, Contract& contract) {
  std::string kind = "function";
  if (const json::value* type = entry.if_contains("type")) {
    if (!type->is_string()) return "type is not a string";
    kind = type->get_string();
  }
  std::string name;
  if (const json::value* value = entry.if_contains("name")) {
    if (!value->is_string()) return "name is not a string";
    name = value->get_string();
  }
  const bool named = kind == "function" || kind == "event" || kind == "error";
  if (named && name.empty()) return kind + " without a name";
  const std::string what = named ? kind + " " + name : kind;
  std::string error;
  auto inputs = read_params(entry, "inputs", error);
  if (!inputs) return what + ": " + error;
  if (kind == "function") {
    auto outputs = read_params(entry, "outputs", error);
    if (!outputs) return what + ": " + error;
    contract.functions.push_back(Function{name, std::move(*inputs), std::move(*outputs)});
  } else if (kind == "error") {
    contract.errors.push_back(Function{name, std::move(*inputs), {}});
  } else if (kind == "event") {
    bool anonymous = false;
    if (const json::value* value = entry.if_contains("anonymous")) {
      if (!value->is_bool()) return what + ": anonymous is not a boolean";
      anonymous = value->get_bool();
    }
    const auto indexed =
        std::count_if(inputs->begin(), inputs->end(), [](const Param& p) { return p.indexed; });
    if (indexed > (anonymous ? 4 : 3)) return what + ": too many indexed inputs";
    contract.events.push_back(Event{name, std::move(*inputs), anonymous});
  } else if (kind != "constructor" && kind != "fallback" && kind != "receive") {
    return "unknown entry type '" + kind + "'";
  }
  return {};
}

}  // namespace

// ---- the public interface -----------------------------------------------------------------

bool Type::dynamic() const {
  switch (kind) {
    case Kind::bytes:
    case Kind::string:
      return true;
    case Kind::array:
      return !length || (!components.empty() && components[0].dynamic());
    case Kind::tuple:
      return std::any_of(components.begin(), components.end(),
                         [](const Type& member) { return member.dynamic(); });
    default:
      return false;
  }
}

std::string Type::canonical() const {
  switch (kind) {
    case Kind::uint:
      return "uint" + std::to_string(size);
    case Kind::int_:
      return "int" + std::to_string(size);
    case Kind::address:
      return "address";
    case Kind::bool_:
      return "bool";
    case Kind::fixed_bytes:
      return "bytes" + std::to_string(size);
    case Kind::bytes:
      return "bytes";
    case Kind::string:
      return "string";
    case Kind::array:
      return (components.empty() ? std::string("?") : components[0].canonical()) + "[" +
             (length ? std::to_string(*length) : std::string()) + "]";
    case Kind::tuple: {
      std::string out = "(";
      for (std::size_t i = 0; i < components.size(); ++i) {
        if (i != 0) out += ',';
        out += components[i].canonical();
      }
      return out + ")";
    }
  }
  return "?";
}

std::optional<Type> parse_type(std::string_view text, std::string* error) {
  TypeParser parser(text);
  auto type = parser.whole(0);
  std::string problem = type ? check_type(*type, 0) : parser.error();
  if (problem.empty()) return type;
  if (error != nullptr) *error = std::move(problem);
  return std::nullopt;
}

std::optional<std::vector<Type>> parse_types(std::string_view text, std::string* error) {
  TypeParser parser(text);
  auto types = parser.whole_list();
  std::string problem = types ? std::string() : parser.error();
  for (std::size_t i = 0; types && problem.empty() && i < types->size(); ++i) {
    problem = check_type((*types)[i], 0);
  }
  if (problem.empty()) return types;
  if (error != nullptr) *error = std::move(problem);
  return std::nullopt;
}

Result<Bytes> encode(const std::vector<Type>& types, const json::array& values) {
  const auto pointers = pointers_to(types);
  return encode_sequence(Sequence::of_args(pointers), values);
}

Result<json::array> decode(const std::vector<Type>& types, std::string_view data) {
  const auto pointers = pointers_to(types);
  return decode_sequence(Sequence::of_args(pointers), data);
}

std::string Function::signature() const { return signature_of(name, inputs); }

std::array<std::uint8_t, 4> Function::selector() const {
  const auto hash = security::keccak256(signature());
  return {hash[0], hash[1], hash[2], hash[3]};
}

std::string Event::signature() const { return signature_of(name, inputs); }

security::Hash32 Event::topic0() const { return security::keccak256(signature()); }

Result<Contract> Contract::from_json(std::string_view abi_json) {
  json::error_code ec;
  const json::value parsed = json::parse(abi_json, ec);
  if (ec) return Result<Contract>::fail("the ABI is not JSON: " + ec.message());
  if (!parsed.is_array()) return Result<Contract>::fail("the ABI is not a JSON array");
  Contract contract;
  const json::array& entries = parsed.get_array();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const json::object* entry = entries[i].if_object();
    const std::string problem =
        entry == nullptr ? std::string("not an object") : read_entry(*entry, contract);
    if (!problem.empty()) {
      return Result<Contract>::fail("abi[" + std::to_string(i) + "]: " + problem);
    }
  }
  return {std::move(contract), {}};
}

const Function* Contract::function(std::string_view name) const {
  const bool by_signature = name.find('(') != std::string_view::npos;
  for (const Function& f : functions) {
    if (by_signature ? f.signature() == name : f.name == name) return &f;
  }
  return nullptr;
}

const Function* Contract::function_by_selector(const std::array<std::uint8_t, 4>& selector) const {
  for (const Function& f : functions) {
    if (f.selector() == selector) return &f;
  }
  return nullptr;
}

const Event* Contract::event(std::string_view name) const {
  const bool by_signature = name.find('(') != std::string_view::npos;
  for (const Event& e : events) {
    if (by_signature ? e.signature() == name : e.name == name) return &e;
  }
  return nullptr;
}

const Event* Contract::event_by_topic(const security::Hash32& topic0) const {
  for (const Event& e : events) {
    if (!e.anonymous && e.topic0() == topic0) return &e;
  }
  return nullptr;
}

const Function* Contract::error_by_selector(std::string_view revert_data) const {
  if (revert_data.size() < 4) return nullptr;
  for (const Function& e : errors) {
    const auto selector = e.selector();
    if (std::memcmp(selector.data(), revert_data.data(), 4) == 0) return &e;
  }
  return nullptr;
}

Result<Param> param_from_json(const json::value& json) {
  std::string error;
  auto param = read_checked_param(json, error);
  if (!param) return Result<Param>::fail(error);
  return {std::move(param), {}};
}

Result<Bytes> encode_call(const Function& f, const json::array& args) {
  const Args params = args_of(f.inputs);
  auto encoded = encode_sequence(params.sequence(), args);
  if (!encoded) return encoded;
  const auto selector = f.selector();
  encoded.value->insert(0, reinterpret_cast<const char*>(selector.data()), selector.size());
  return encoded;
}

Result<json::array> decode_call(const Function& f, std::string_view call_data) {
  const auto selector = f.selector();
  if (call_data.size() < 4 || std::memcmp(call_data.data(), selector.data(), 4) != 0) {
    return Result<json::array>::fail("call data does not start with the selector of " +
                                     f.signature());
  }
  return decode_sequence(args_of(f.inputs).sequence(), call_data.substr(4));
}

Result<json::array> decode_output(const Function& f, std::string_view return_data) {
  return decode_sequence(args_of(f.outputs).sequence(), return_data);
}

Result<json::object> decode_event(const Event& e, const std::vector<security::Hash32>& topics,
                                  std::string_view data) {
  using R = Result<json::object>;
  for (std::size_t i = 0; i < e.inputs.size(); ++i) {
    if (auto problem = check_type(e.inputs[i].type, 0); !problem.empty()) {
      const Path path{nullptr, Path::Step::arg, i, e.inputs[i].name};
      return R::fail(located(&path, "invalid type: " + problem));
    }
  }
  const std::size_t first = e.anonymous ? 0 : 1;
  if (!e.anonymous && (topics.empty() || topics[0] != e.topic0())) {
    return R::fail("topic 0 is not the hash of " + e.signature());
  }
  Args unindexed;
  std::size_t indexed = 0;
  for (std::size_t i = 0; i < e.inputs.size(); ++i) {
    if (e.inputs[i].indexed) {
      ++indexed;
    } else {
      unindexed.add(e.inputs[i], i);
    }
  }
  if (topics.size() != first + indexed) {
    return R::fail(e.signature() + " has " + std::to_string(indexed) +
                   " indexed inputs: expected " + std::to_string(first + indexed) +
                   " topics, got " + std::to_string(topics.size()));
  }
  auto values = decode_sequence(unindexed.sequence(), data);
  if (!values) return R::fail("data: " + values.error.message);
  json::object out;
  std::size_t next_topic = first;
  std::size_t next_value = 0;
  for (std::size_t i = 0; i < e.inputs.size(); ++i) {
    const Param& param = e.inputs[i];
    std::string key = param.name;
    if (key.empty() || out.contains(key)) key = "arg" + std::to_string(i);
    while (out.contains(key)) key += '_';
    if (!param.indexed) {
      out[key] = std::move((*values)[next_value++]);
      continue;
    }
    const security::Hash32& topic = topics[next_topic];
    if (!is_value_type(param.type)) {
      out[key] = json::object{{"hash", util::to_prefixed_hex(topic)}};
    } else if (auto problem = decode_word(param.type, topic, out[key]); !problem.empty()) {
      const Path path{nullptr, Path::Step::arg, i, param.name};
      return R::fail("topic " + std::to_string(next_topic) + ": " + located(&path, problem));
    }
    ++next_topic;
  }
  return {std::move(out), {}};
}

}  // namespace pend::chain::abi
