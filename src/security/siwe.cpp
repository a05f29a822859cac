#include "security/siwe.hpp"

#include "security/evm_address.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace pend::security {

namespace {

constexpr std::string_view kPreamble = " wants you to sign in with your Ethereum account:";

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_unreserved(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) {
  return std::string_view{"!$&'()*+,;="}.find(c) != std::string_view::npos;
}
bool is_gen_delim(char c) { return std::string_view{":/?#[]@"}.find(c) != std::string_view::npos; }

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view text) {
  if (text.empty() || !is_alpha(text.front())) return false;
  for (const char c : text) {
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// statement = 1*( reserved / unreserved / " " )
bool is_statement(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!is_unreserved(c) && !is_gen_delim(c) && !is_sub_delim(c) && c != ' ') return false;
  }
  return true;
}

// request-id = *pchar;  pchar = unreserved / pct-encoded / sub-delims / ":" / "@"
bool is_pchars(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const auto hex = [](char h) {
        return is_digit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
      };
      if (i + 2 >= text.size() || !hex(text[i + 1]) || !hex(text[i + 2])) return false;
      i += 2;
      continue;
    }
    if (!is_unreserved(c) && !is_sub_delim(c) && c != ':' && c != '@') return false;
  }
  return true;
}

bool is_uri(std::string_view text) {
  if (text.empty()) return false;
  const std::string copy{text};  // Boost.URL 1.81 may read past a view's end
  return boost::urls::parse_uri(copy).has_value();
}

bool is_authority(std::string_view text) {
  if (text.empty()) return false;
  const std::string copy{text};
  const auto parsed = boost::urls::parse_authority(copy);
  return parsed.has_value() && !parsed->host().empty();
}

bool is_nonce(std::string_view text) {
  if (text.size() < 8) return false;
  for (const char c : text) {
    if (!is_alpha(c) && !is_digit(c)) return false;
  }
  return true;
}

// Reads the lines of the message one at a time; a message never ends with a line feed.
class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}
  bool done() const { return finished_; }
  std::string_view next() {
    const auto lf = rest_.find('\n');
    std::string_view line = rest_.substr(0, lf);
    if (lf == std::string_view::npos) {
      finished_ = true;
      rest_ = {};
    } else {
      rest_.remove_prefix(lf + 1);
    }
    return line;
  }
  // The next line if it starts with tag (and takes it), else nothing.
  std::optional<std::string_view> tagged(std::string_view tag) {
    if (finished_ || !rest_.starts_with(tag)) return std::nullopt;
    return next().substr(tag.size());
  }

 private:
  std::string_view rest_;
  bool finished_ = false;
};

}  // namespace

std::optional<util::Microseconds> parse_siwe_time(std::string_view text) {
  // RFC 3339's date-time has "T" (either case); util's parser also takes a space.
  if (text.size() < 11 || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
  return util::parse_rfc3339(text);
}

std::optional<SiweMessage> parse_siwe(std::string_view text, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<SiweMessage> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  if (text.size() > kMaxSiweBytes) return fail("the message is too long");
  if (text.find('\r') != std::string_view::npos) return fail("lines end in LF only");
  SiweMessage message;
  Lines lines(text);

  const auto header = lines.next();
  if (!header.ends_with(kPreamble)) return fail("the first line is not a sign-in request");
  std::string_view origin = header.substr(0, header.size() - kPreamble.size());
  if (const auto scheme_end = origin.find("://"); scheme_end != std::string_view::npos) {
    if (!is_scheme(origin.substr(0, scheme_end))) return fail("the scheme is malformed");
    message.scheme = origin.substr(0, scheme_end);
    origin.remove_prefix(scheme_end + 3);
  }
  if (!is_authority(origin)) return fail("the domain is not an RFC 3986 authority");
  message.domain = origin;

  if (lines.done()) return fail("the address is missing");
  const auto address = lines.next();
  if (!is_checksummed(address)) {
    return fail("the address is not 0x and 40 hex digits with its EIP-55 checksum");
  }
  message.address = address;

  if (lines.done() || !lines.next().empty()) return fail("an empty line must follow the address");
  if (lines.done()) return fail("the message ends early");
  const auto third = lines.next();
  if (!third.empty()) {
    if (!is_statement(third)) return fail("the statement holds characters it may not");
    message.statement = std::string{third};
    if (lines.done() || !lines.next().empty()) {
      return fail("an empty line must follow the statement");
    }
  }

  const auto uri = lines.tagged("URI: ");
  if (!uri || !is_uri(*uri)) return fail("URI is missing or not an RFC 3986 URI");
  message.uri = *uri;
  const auto version = lines.tagged("Version: ");
  if (!version || *version != "1") return fail("Version must be 1");
  const auto chain = lines.tagged("Chain ID: ");
  if (!chain || chain->empty()) return fail("Chain ID is missing");
  // One spelling per chain (EIP-155 ids are written in plain decimal): "068" would sign
  // text that reads as another number than the one compared.
  if (chain->size() > 1 && chain->front() == '0') return fail("Chain ID has a leading zero");
  const auto [end, ec] =
      std::from_chars(chain->data(), chain->data() + chain->size(), message.chain_id);
  if (ec != std::errc{} || end != chain->data() + chain->size()) {
    return fail("Chain ID is not a number");
  }
  const auto nonce = lines.tagged("Nonce: ");
  if (!nonce || !is_nonce(*nonce)) return fail("Nonce must be at least 8 letters and digits");
  message.nonce = *nonce;
  const auto issued = lines.tagged("Issued At: ");
  if (!issued || !parse_siwe_time(*issued)) return fail("Issued At is not an RFC 3339 date-time");
  message.issued_at = *issued;

  if (const auto expiration = lines.tagged("Expiration Time: ")) {
    if (!parse_siwe_time(*expiration)) return fail("Expiration Time is not an RFC 3339 date-time");
    message.expiration_time = std::string{*expiration};
  }
  if (const auto not_before = lines.tagged("Not Before: ")) {
    if (!parse_siwe_time(*not_before)) return fail("Not Before is not an RFC 3339 date-time");
    message.not_before = std::string{*not_before};
  }
  if (const auto request = lines.tagged("Request ID: ")) {
    if (!is_pchars(*request)) return fail("Request ID holds characters it may not");
    message.request_id = std::string{*request};
  }
  if (const auto resources = lines.tagged("Resources:")) {
    if (!resources->empty()) return fail("Resources: must end its line");
    message.resources.emplace();
    while (const auto resource = lines.tagged("- ")) {
      if (!is_uri(*resource)) return fail("a resource is not an RFC 3986 URI");
      if (message.resources->size() == 100) return fail("more than 100 resources");
      message.resources->emplace_back(*resource);
    }
  }
  if (!lines.done()) return fail("unexpected text after the fields (or a trailing line feed)");
  return message;
}

std::string format_siwe(const SiweMessage& m) {
  std::string out;
  if (!m.scheme.empty()) out += m.scheme + "://";
  out += m.domain;
  out += kPreamble;
  out += '\n';
  out += m.address;
  out += "\n\n";
  if (m.statement) out += *m.statement + "\n";
  out += "\nURI: " + m.uri;
  out += "\nVersion: " + m.version;
  out += "\nChain ID: " + std::to_string(m.chain_id);
  out += "\nNonce: " + m.nonce;
  out += "\nIssued At: " + m.issued_at;
  if (m.expiration_time) out += "\nExpiration Time: " + *m.expiration_time;
  if (m.not_before) out += "\nNot Before: " + *m.not_before;
  if (m.request_id) out += "\nRequest ID: " + *m.request_id;
  if (m.resources) {
    out += "\nResources:";
    for (const auto& resource : *m.resources) out += "\n- " + resource;
  }
  return out;
}

}  // namespace pend::security
