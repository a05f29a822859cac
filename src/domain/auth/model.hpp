// The auth feature's own values: what a one-time code is for, and a code as stored.
#pragma once

#include "util/time.hpp"

#include <boost/describe/enum.hpp>

#include <optional>
#include <string>

namespace pend::domain::auth {

enum class Purpose : std::uint8_t { register_account, login, change_address };

// The API's names ("register", "login", "change_address"): register is a C++ keyword.
std::string_view to_string(Purpose purpose);
std::optional<Purpose> parse_purpose(std::string_view text);

// A code's row after a submission was counted against it.
struct CountedCode {
  std::string phone_hash;
  Purpose purpose = Purpose::login;
  std::string code_mac;  // 32 bytes
  std::optional<std::string> country_code;
  int attempts = 0;  // this one included
};

// Who is asking, as the request says (the routes fill it; services never see a request).
struct Caller {
  std::string ip;                      // the resolved client address
  std::string user_agent;              // truncated
  std::string endpoint;                // the route template
  std::optional<std::string> country;  // from a trusted proxy's header, when configured
};

}  // namespace pend::domain::auth
