// Renders the effective settings for `pend-server config check`: TOML that is itself a valid
// config file, every key annotated with its environment variable, every secret masked.
#pragma once

#include "config/settings.hpp"

#include <string>
#include <string_view>

namespace pend::config {

// The effective configuration as TOML, secrets masked.
std::string describe(const Settings& settings);

// "postgresql://pend:********@db/pend": the URL with its password (in the userinfo or a
// password= parameter) masked.
std::string mask_url_password(std::string_view url);
// An entry of a secret list: a URL as scheme://host[:port] (with "/********" for whatever
// else it had), anything else as "********".
std::string mask_secret_item(std::string_view text);

}  // namespace pend::config
