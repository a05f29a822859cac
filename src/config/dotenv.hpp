// Parses .env files: KEY=VALUE lines, `export ` prefixes, # comments, single quotes
// (literal) and double quotes (with \n, \t, \" and \\ escapes).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pend::config {

struct DotenvResult {
  std::map<std::string, std::string> values;
  std::vector<std::string> problems;  // "<source>:<line>: ..."
};

DotenvResult parse_dotenv(std::string_view text, std::string_view source);

}  // namespace pend::config
