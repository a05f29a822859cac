#include "util/uuid.hpp"

#include "util/hex.hpp"

#include <sodium.h>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <stdexcept>

namespace pend::util {

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen ? text[i] != '-' : hex_value(text[i]) < 0) return false;
  }
  return true;
}

std::optional<boost::uuids::uuid> parse_uuid(std::string_view text) {
  // Boost's generator also takes braces and hyphen-less text: the shape is checked first.
  if (!is_uuid(text)) return std::nullopt;
  return boost::uuids::string_generator{}(text.begin(), text.end());
}

std::string to_string(const boost::uuids::uuid& id) { return boost::uuids::to_string(id); }

std::string random_uuid() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  boost::uuids::uuid id;
  randombytes_buf(id.data, sizeof id.data);
  id.data[6] = static_cast<std::uint8_t>((id.data[6] & 0x0F) | 0x40);  // version 4
  id.data[8] = static_cast<std::uint8_t>((id.data[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return boost::uuids::to_string(id);
}

}  // namespace pend::util
