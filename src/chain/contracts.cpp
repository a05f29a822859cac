#include "chain/contracts.hpp"

#include "chain/abi.hpp"
#include "security/evm_address.hpp"
#include "security/keccak.hpp"
#include "util/hex.hpp"

namespace pend::chain {

namespace json = boost::json;

namespace {

std::string hex0x(std::string_view bytes) { return "0x" + util::to_hex(bytes); }

// The types between the parentheses of a signature.
std::vector<abi::Type> argument_types(std::string_view signature) {
  const auto open = signature.find('(');
  return abi::parse_types(signature.substr(open + 1, signature.size() - open - 2)).value();
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF) without
// control characters.
bool printable_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    const std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (length == 0 || c > 0xf4 || i + length > text.size()) return false;
    std::uint32_t code = c & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000) || code > 0x10ffff ||
        (code >= 0xd800 && code <= 0xdfff) || (code >= 0x80 && code < 0xa0))
      return false;
    i += length;
  }
  return true;
}

}  // namespace

std::string ContractReader::call_data(std::string_view signature, const json::array& args) {
  const auto selector = security::keccak256(signature);
  std::string data(reinterpret_cast<const char*>(selector.data()), 4);
  if (!args.empty()) {
    auto encoded = abi::encode(argument_types(signature), args);
    data += encoded.value.value();
  }
  return hex0x(data);
}

std::optional<std::string> ContractReader::decode_text(std::string_view data) {
  static const std::vector<abi::Type> as_string{*abi::parse_type("string")};
  if (auto decoded = abi::decode(as_string, data); decoded.value) {
    std::string text{(*decoded.value)[0].as_string()};
    if (printable_utf8(text)) return text;
    return std::nullopt;
  }
  if (data.size() == 32) {
    auto end = data.find('\0');
    const auto text = data.substr(0, end);
    // The rest must be padding.
    if (end != std::string_view::npos &&
        data.find_first_not_of('\0', end) != std::string_view::npos)
      return std::nullopt;
    if (printable_utf8(text)) return std::string{text};
  }
  return std::nullopt;
}

std::optional<std::string> ContractReader::call(const std::string& token, const std::string& data,
                                                const std::string& block) {
  try {
    const auto answer =
        rpc_.call("eth_call", {json::object{{"to", hex0x(token)}, {"data", data}}, block});
    if (!answer.is_string()) return std::nullopt;
    auto bytes = data_bytes(answer.as_string());
    if (!bytes || bytes->empty()) return std::nullopt;
    return bytes;
  } catch (const RpcError& error) {
    if (error.transport()) throw;
    return std::nullopt;  // reverted
  }
}

TokenMetadata ContractReader::metadata(const std::string& token, TokenType type,
                                       const std::string& block) {
  TokenMetadata out;
  std::vector<std::string> methods{"name()", "symbol()", "totalSupply()"};
  if (type == TokenType::erc20) methods.emplace_back("decimals()");
  if (type == TokenType::erc1155) methods = {"name()", "symbol()"};  // optional in ERC-1155
  std::vector<RpcCall> calls;
  for (const auto& m : methods)
    calls.push_back(
        {"eth_call", {json::object{{"to", hex0x(token)}, {"data", call_data(m, {})}}, block}});
  const auto replies = rpc_.batch(calls);
  for (std::size_t i = 0; i < methods.size(); ++i) {
    const auto& reply = replies[i];
    std::optional<std::string> data;
    if (reply.ok() && reply.result.is_string()) data = data_bytes(reply.result.as_string());
    const auto& m = methods[i];
    bool understood = false;
    if (data && !data->empty()) {
      if (m == "name()" || m == "symbol()") {
        auto text = decode_text(*data);
        understood = text.has_value();
        (m == "name()" ? out.name : out.symbol) = std::move(text);
      } else if (data->size() == 32) {
        const auto value = U256::from_bytes(*data);
        if (m == "totalSupply()") {
          out.total_supply = value.decimal();
          understood = true;
        } else if (value.fits_u64() && value.limbs[0] <= 255) {
          out.decimals = static_cast<int>(value.limbs[0]);
          understood = true;
        }
      }
    }
    if (!understood) out.refused.push_back(m);
  }
  return out;
}

std::optional<std::string> ContractReader::balance_of(const std::string& token,
                                                      const std::string& holder,
                                                      const std::optional<std::string>& id,
                                                      const std::string& block) {
  const auto holder_text = hex0x(holder);
  const auto data = id ? call_data("balanceOf(address,uint256)", {holder_text, *id})
                       : call_data("balanceOf(address)", {holder_text});
  const auto answer = call(token, data, block);
  if (!answer || answer->size() != 32) return std::nullopt;
  return U256::from_bytes(*answer).decimal();
}

std::optional<std::string> ContractReader::owner_of(const std::string& token,
                                                    const std::string& id) {
  const auto answer = call(token, call_data("ownerOf(uint256)", {id}), "latest");
  if (!answer || answer->size() != 32) return std::nullopt;
  if (answer->find_first_not_of('\0') < 12) return std::nullopt;  // not an address word
  security::Address address;
  std::copy(answer->begin() + 12, answer->end(), address.bytes.begin());
  return address.checksummed();
}

std::optional<std::string> ContractReader::token_uri(const std::string& token, TokenType type,
                                                     const std::string& id) {
  const auto answer = call(
      token, call_data(type == TokenType::erc1155 ? "uri(uint256)" : "tokenURI(uint256)", {id}),
      "latest");
  if (!answer) return std::nullopt;
  return decode_text(*answer);
}

std::string ContractReader::coin_balance(const std::string& address, const std::string& block) {
  const auto answer = rpc_.call("eth_getBalance", {hex0x(address), block});
  auto value = answer.is_string() ? quantity_decimal(answer.as_string()) : std::nullopt;
  if (!value) throw RpcError("eth_getBalance answered something that is not a quantity", 0, false);
  return *value;
}

}  // namespace pend::chain
