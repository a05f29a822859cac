#include "config/loader.hpp"

#include "config/alert_rule.hpp"
#include "config/chain.hpp"
#include "config/dotenv.hpp"
#include "config/kyc.hpp"
#include "config/rate_limit_rule.hpp"
#include "config/redis_endpoint.hpp"
#include "config/schema.hpp"
#include "logging/sink.hpp"
#include "util/cidr.hpp"
#include "util/enum_name.hpp"
#include "util/hex.hpp"

#include <toml++/toml.h>

#include <cstdio>

#include <boost/asio/ip/address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace pend::config {
namespace {

// Variables that select the configuration rather than set a key, and prefixes the scripts
// use for their own variables (scripts/test: PEND_TEST_*, scripts/dev: PEND_DEV_*,
// scripts/deploy: PEND_DEPLOY_*).
const std::set<std::string, std::less<>> kControlVariables = {"PEND_ENV", "PEND_CONFIG_DIR",
                                                              "PEND_MIGRATIONS_DIR"};
constexpr std::string_view kScriptPrefixes[] = {"PEND_TEST_", "PEND_DEV_", "PEND_DEPLOY_"};

std::optional<Environment> parse_environment(std::string_view name) {
  return util::enum_from_name<Environment>(name);
}

std::string suggestion(std::string_view unknown, bool by_env) {
  const Key* key = closest_key(unknown, by_env);
  if (key == nullptr) return {};
  return " (did you mean '" + std::string{by_env ? key->env : key->path} + "'?)";
}

class Loader {
 public:
  explicit Loader(const LoadOptions& options) : options_(options) {}

  Settings run() {
    read_dotenv();
    settings_.environment = select_environment();
    read_file();
    read_variables();
    read_overrides();
    validate();
    if (!problems_.empty()) throw ConfigError(std::move(problems_));
    return std::move(settings_);
  }

 private:
  std::optional<std::string> process_env(const std::string& name) const {
    if (options_.getenv) return options_.getenv(name);
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>{value} : std::nullopt;
  }

  // The process environment wins over .env (the dotenv convention).
  std::optional<std::string> variable(const std::string& name, std::string* source) const {
    if (auto value = process_env(name)) {
      if (source) *source = "environment variable " + name;
      return value;
    }
    if (auto it = dotenv_.find(name); it != dotenv_.end()) {
      if (source) *source = dotenv_source_ + ": " + name;
      return it->second;
    }
    return std::nullopt;
  }

  void read_dotenv() {
    if (!options_.dotenv_path || !std::filesystem::exists(*options_.dotenv_path)) return;
    dotenv_source_ = options_.dotenv_path->string();
    std::ifstream in(*options_.dotenv_path);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_dotenv(text.str(), dotenv_source_);
    problems_.insert(problems_.end(), parsed.problems.begin(), parsed.problems.end());
    dotenv_ = std::move(parsed.values);
    for (const auto& [name, value] : dotenv_) check_known_variable(name, dotenv_source_);
  }

  Environment select_environment() {
    std::string source = "--env";
    std::optional<std::string> name = options_.environment;
    if (!name) name = variable("PEND_ENV", &source);
    if (!name) return Environment::development;
    if (auto environment = parse_environment(*name)) return *environment;
    problems_.push_back(source + ": unknown environment '" + *name +
                        "' (expected development, staging, production or test)");
    return Environment::development;
  }

  void read_file() {
    const auto path =
        options_.config_dir / (std::string{to_string(settings_.environment)} + ".toml");
    if (!options_.file_text) {
      if (!std::filesystem::exists(path)) return;  // defaults are a valid configuration
      if (!std::filesystem::is_regular_file(path)) {
        problems_.push_back(path.string() + ": not a regular file");
        return;
      }
    }
    toml::table root;
    try {
      root = options_.file_text ? toml::parse(*options_.file_text, path.string())
                                : toml::parse_file(path.string());
    } catch (const toml::parse_error& error) {
      const auto& where = error.source().begin;
      // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on "..." + string.
      std::string problem = path.string();
      if (where.line != 0) {  // 0: the file could not even be opened
        problem += ':';
        problem += std::to_string(where.line);
        problem += ':';
        problem += std::to_string(where.column);
      }
      problem += ": ";
      problem += error.description();
      problems_.push_back(std::move(problem));
      return;
    }
    for (const auto& [section_name, section] : root) {
      const std::string section_path{section_name.str()};
      const auto* table = section.as_table();
      if (table == nullptr) {
        problems_.push_back(path.string() + ": '" + section_path + "' must be a section ([" +
                            section_path + "])");
        continue;
      }
      for (const auto& [name, node] : *table) {
        const std::string key_path = section_path + "." + std::string{name.str()};
        const Key* key = find_key(key_path);
        const std::string where =
            path.string() + ":" + std::to_string(node.source().begin.line) + ": ";
        if (key == nullptr) {
          problems_.push_back(where + "unknown key '" + key_path + "'" +
                              suggestion(key_path, false));
          continue;
        }
        if (auto value = from_toml(*key, node)) {
          apply(*key, *value, where + key_path);
        } else {
          problems_.push_back(where + key_path + ": expected " + kind_name(*key));
        }
      }
    }
  }

  static std::string kind_name(const Key& key) {
    switch (key.kind) {
      case Kind::string:
        return "a string";
      case Kind::boolean:
        return "true or false";
      case Kind::integer:
        return key.min >= 0 ? "an unsigned integer" : "an integer";
      case Kind::string_list:
        return "an array of strings";
    }
    return "a value";
  }

  static std::optional<Value> from_toml(const Key& key, const toml::node& node) {
    switch (key.kind) {
      case Kind::string:
        if (auto v = node.value<std::string>(); v && node.is_string()) return Value{*v};
        return std::nullopt;
      case Kind::boolean:
        if (node.is_boolean()) return Value{*node.value<bool>()};
        return std::nullopt;
      case Kind::integer:
        if (node.is_integer()) return Value{*node.value<std::int64_t>()};
        return std::nullopt;
      case Kind::string_list: {
        const auto* array = node.as_array();
        if (array == nullptr) return std::nullopt;
        std::vector<std::string> items;
        for (const auto& item : *array) {
          if (!item.is_string()) return std::nullopt;
          items.push_back(*item.value<std::string>());
        }
        return Value{std::move(items)};
      }
    }
    return std::nullopt;
  }

  void read_variables() {
    for (const auto& key : keys()) {
      std::string source;
      const auto text = variable(std::string{key.env}, &source);
      if (!text) continue;
      std::string error;
      if (auto value = parse_value(key, *text, error)) {
        apply(key, *value, source);
      } else {
        problems_.push_back(source + ": " + error);
      }
    }
    for (const auto& name : options_.environment_names) {
      check_known_variable(name, "environment");
    }
    compose_redis_url();
  }

  // The plan's REDIS_HOST / REDIS_PORT / REDIS_PASSWORD, when REDIS_URL is not given.
  void compose_redis_url() {
    if (variable("REDIS_URL", nullptr)) return;
    std::string port_source;
    const auto host = variable("REDIS_HOST", nullptr);
    const auto port = variable("REDIS_PORT", &port_source);
    const auto password = variable("REDIS_PASSWORD", nullptr);
    if (!host && !port && !password) return;
    if (port) {
      std::uint16_t number = 0;
      const auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), number);
      if (port->empty() || ec != std::errc{} || end != port->data() + port->size() || number == 0) {
        problems_.push_back(port_source + ": expected a port from 1 to 65535, got '" + *port + "'");
        return;
      }
    }
    boost::urls::url url;
    url.set_scheme("redis");
    if (password && !password->empty()) url.set_password(*password);
    std::string_view host_name = host ? std::string_view{*host} : "127.0.0.1";
    if (host_name.size() > 2 && host_name.front() == '[' && host_name.back() == ']') {
      host_name = host_name.substr(1, host_name.size() - 2);
    }
    if (const auto ipv6 = boost::urls::parse_ipv6_address(host_name)) {
      url.set_host_ipv6(*ipv6);  // set_host would percent-encode its colons
    } else {
      url.set_host(host_name);
    }
    url.set_port(port.value_or("6379"));
    apply(*find_key("redis.url"), Value{std::string{url.buffer()}},
          "REDIS_HOST/REDIS_PORT/REDIS_PASSWORD");
  }

  void check_known_variable(const std::string& name, const std::string& source) {
    if (!name.starts_with("PEND_") || kControlVariables.contains(name)) return;
    for (const auto prefix : kScriptPrefixes) {
      if (name.starts_with(prefix)) return;
    }
    const bool known =
        std::any_of(keys().begin(), keys().end(), [&](const Key& key) { return key.env == name; });
    if (!known && reported_.insert(name).second) {
      problems_.push_back(source + ": unknown variable " + name + suggestion(name, true));
    }
  }

  void read_overrides() {
    for (const auto& [path, text] : options_.overrides) {
      const Key* key = find_key(path);
      if (key == nullptr) {
        problems_.push_back("command line: unknown key '" + path + "'" + suggestion(path, false));
        continue;
      }
      std::string error;
      if (auto value = parse_value(*key, text, error)) {
        apply(*key, *value, "command line " + path);
      } else {
        problems_.push_back("command line " + path + ": " + error);
      }
    }
  }

  void apply(const Key& key, const Value& value, const std::string& source) {
    if (key.kind == Kind::integer) {
      const auto number = std::get<std::int64_t>(value);
      if (number < key.min || number > key.max) {
        problems_.push_back(source + ": " + std::string{key.path} + " must be between " +
                            std::to_string(key.min) + " and " + std::to_string(key.max) + ", got " +
                            std::to_string(number));
        return;
      }
    }
    key.set(settings_, value);
    sources_[std::string{key.path}] = source;
  }

  std::string source_of(std::string_view path) const {
    const auto it = sources_.find(std::string{path});
    return it == sources_.end() ? "default" : it->second;
  }

  void validate() {
    const auto& s = settings_;
    if (!logging_level_valid(s.log.level)) {
      problems_.push_back(source_of("log.level") +
                          ": log.level must be error, warn, info, "
                          "debug or trace, got '" +
                          s.log.level + "'");
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(s.server.host, ec);
    if (ec) {
      problems_.push_back(source_of("server.host") + ": server.host must be an IP address, got '" +
                          s.server.host + "'");
    }
    for (const auto& cidr : s.server.trusted_proxies) {
      if (!util::Cidr::parse(cidr)) {
        problems_.push_back(source_of("server.trusted_proxies") + ": '" + cidr +
                            "' is not an IP address or CIDR network");
      }
    }
    for (const auto& origin : s.cors.allowed_origins) {
      if (!origin_valid(origin)) {
        problems_.push_back(source_of("cors.allowed_origins") + ": '" + origin +
                            "' is not * or scheme://host[:port]");
      }
    }
    check_url("database.url", s.database.url, {"postgres", "postgresql"});
    if (std::string error; !config::parse_redis_url(s.redis.url, &error)) {
      // Never echo the value: it may hold a password.
      problems_.push_back(source_of("redis.url") +
                          ": redis.url must be redis://[[user]:password@]" +
                          "host[:port][/db]: " + error);
    }
    std::vector<std::string> sink_names;
    for (const auto& text : s.log.sinks) {
      std::string error;
      const auto sink = logging::parse_sink_spec(text, &error);
      if (!sink) {
        problems_.push_back(source_of("log.sinks") + ": log.sinks " + error);
        continue;
      }
      const std::string name =
          sink->kind == logging::SinkSpec::Kind::console ? "console" : sink->name;
      if (std::find(sink_names.begin(), sink_names.end(), name) != sink_names.end()) {
        problems_.push_back(source_of("log.sinks") + ": sink '" + name + "' is listed twice");
      }
      sink_names.push_back(name);
    }
    if (!s.log.elasticsearch_url.empty()) {
      check_url("log.elasticsearch_url", s.log.elasticsearch_url, {"http"});
    }
    std::vector<std::string> rule_names;
    for (const auto& text : s.rate_limit.rules) {
      std::string error;
      const auto rule = parse_rate_limit_rule(text, &error);
      if (!rule) {
        problems_.push_back(source_of("rate_limit.rules") + ": rate_limit.rules " + error);
      } else if (std::find(rule_names.begin(), rule_names.end(), rule->name) != rule_names.end()) {
        problems_.push_back(source_of("rate_limit.rules") + ": rule name '" + rule->name +
                            "' is used twice");
      } else {
        rule_names.push_back(rule->name);
      }
    }
    validate_monitoring();
    validate_auth();
    validate_admin();
    validate_approvals();
    validate_kyc();
    validate_chain();
    if (s.environment == Environment::production) validate_production();
  }

  static bool is_region(std::string_view text) {
    return text.size() == 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'A' && text[1] <= 'Z';
  }

  void validate_approvals() {
    for (const auto& rule : settings_.admin.approval_required) {
      if (std::ranges::find(AdminSettings::kApprovalRules, rule) ==
          std::end(AdminSettings::kApprovalRules)) {
        problems_.push_back(source_of("admin.approval_required") + ": '" + rule +
                            "' is not an approval rule (user.close, user.tier_above_3, "
                            "admin.role, user.unlock_high_severity)");
      }
    }
  }

  void validate_chain() {
    const auto& chain = settings_.chain;
    if (chain.rpc_urls.empty())
      problems_.push_back(source_of("chain.rpc_urls") + ": at least one node URL is needed");
    for (const auto& url : chain.rpc_urls) {
      if (!url.starts_with("http://") && !url.starts_with("https://")) {
        // The URL may hold a key: the problem names its position, not its text.
        problems_.push_back(source_of("chain.rpc_urls") + ": every node URL must be http(s)://");
        break;
      }
    }
    if (!chain.ws_url.empty() && !chain.ws_url.starts_with("ws://") &&
        !chain.ws_url.starts_with("wss://"))
      problems_.push_back(source_of("chain.ws_url") + ": the URL must be ws(s)://");
    try {
      (void)tracked_tokens(chain);
    } catch (const std::invalid_argument& error) {
      problems_.push_back(source_of("chain.tracked_tokens") + ": " + error.what());
    }
    try {
      for (const auto& contract : contract_entries(chain)) {
        if (std::FILE* file = std::fopen(contract.abi_path.c_str(), "rb")) {
          std::fclose(file);
        } else {
          problems_.push_back(source_of("chain.contracts") + ": cannot read the ABI file " +
                              contract.abi_path);
        }
      }
    } catch (const std::invalid_argument& error) {
      problems_.push_back(source_of("chain.contracts") + ": " + error.what());
    }
  }

  void validate_kyc() {
    try {
      if (!settings_.storage.keys.empty()) {
        (void)parse_storage_keys(settings_.storage.keys, settings_.storage.key_id);
      } else if (!settings_.storage.key_id.empty() && settings_.storage.key_id != "dev") {
        problems_.push_back(source_of("storage.key_id") +
                            ": storage.key_id names a key, but storage.keys is empty");
      }
    } catch (const std::invalid_argument& error) {
      problems_.push_back(source_of("storage.keys") + ": " + error.what());
    }
    try {
      (void)parse_kyc_tiers(settings_.kyc.tiers);
    } catch (const std::invalid_argument& error) {
      problems_.push_back(source_of("kyc.tiers") + ": " + error.what());
    }
    if (settings_.kyc.min_image_side > settings_.kyc.max_image_side) {
      problems_.push_back(source_of("kyc.min_image_side") +
                          ": kyc.min_image_side must not exceed kyc.max_image_side");
    }
  }

  void validate_auth() {
    const auto& a = settings_.auth;
    if (!is_region(a.default_region)) {
      problems_.push_back(source_of("auth.default_region") +
                          ": auth.default_region must be an ISO 3166 alpha-2 region such as GB");
    }
    for (const auto& region : a.sms_countries) {
      if (!is_region(region)) {
        problems_.push_back(source_of("auth.sms_countries") + ": '" + region +
                            "' is not an ISO 3166 alpha-2 region such as GB");
      }
    }
    if (a.sms_provider != "log" && a.sms_provider != "http") {
      problems_.push_back(source_of("auth.sms_provider") +
                          ": auth.sms_provider must be log or http");
    }
    if (a.sms_provider == "http") {
      check_url("auth.sms_url", a.sms_url, {"http", "https"});
      if (a.sms_from.empty() && a.sms_messaging_service_sid.empty()) {
        problems_.push_back(source_of("auth.sms_from") +
                            ": the http SMS provider needs auth.sms_from or "
                            "auth.sms_messaging_service_sid");
      }
    }
    check_url("auth.siwe_uri", a.siwe_uri, {"http", "https"});
    if (a.siwe_domain.empty() || a.siwe_domain.find_first_of(" /\n") != std::string::npos) {
      problems_.push_back(source_of("auth.siwe_domain") +
                          ": auth.siwe_domain must be a host[:port] (an RFC 3986 authority)");
    }
    if (a.lockout > a.lockout_max) {
      problems_.push_back(source_of("auth.lockout_seconds") +
                          ": auth.lockout_seconds must not exceed auth.lockout_max_seconds");
    }
  }

  static bool security_key_ok(const std::string& key) {
    return key.size() == 64 && util::is_hex(key);
  }

  void validate_admin() {
    const auto& a = settings_.admin;
    if (!a.totp_key.empty() && !security_key_ok(a.totp_key)) {
      problems_.push_back(source_of("admin.totp_key") +
                          ": admin.totp_key must be 64 hex digits (32 random bytes: "
                          "openssl rand -hex 32)");
    }
    if (!a.audit_signing_key.empty() && !security_key_ok(a.audit_signing_key)) {
      problems_.push_back(source_of("admin.audit_signing_key") +
                          ": admin.audit_signing_key must be 64 hex digits (a 32-byte Ed25519 "
                          "seed: openssl rand -hex 32)");
    }
    if (a.lockout > a.lockout_max) {
      problems_.push_back(source_of("admin.lockout_seconds") +
                          ": admin.lockout_seconds must not exceed admin.lockout_max_seconds");
    }
    if (a.totp_issuer.empty() || a.totp_issuer.find(':') != std::string::npos) {
      problems_.push_back(source_of("admin.totp_issuer") +
                          ": admin.totp_issuer must be a name without ':'");
    }
  }

  void validate_monitoring() {
    const auto& s = settings_;
    std::vector<std::string> names;
    for (const auto& text : s.metrics.thresholds) {
      std::string error;
      const auto threshold = parse_threshold(text, &error);
      if (!threshold) {
        problems_.push_back(source_of("metrics.thresholds") + ": metrics.thresholds " + error);
      } else if (std::find(names.begin(), names.end(), threshold->metric) != names.end()) {
        problems_.push_back(source_of("metrics.thresholds") + ": metric '" + threshold->metric +
                            "' has two thresholds");
      } else {
        names.push_back(threshold->metric);
      }
    }
    names.clear();
    for (const auto& text : s.alerting.rules) {
      std::string error;
      const auto rule = parse_alert_rule(text, &error);
      if (!rule) {
        problems_.push_back(source_of("alerting.rules") + ": alerting.rules " + error);
      } else if (std::find(names.begin(), names.end(), rule->name) != names.end()) {
        problems_.push_back(source_of("alerting.rules") + ": rule name '" + rule->name +
                            "' is used twice");
      } else {
        names.push_back(rule->name);
      }
    }
    const auto& known_workers = options_.known_workers;
    if (!known_workers.empty()) {
      for (const auto& name : s.workers.enabled) {
        if (std::find(known_workers.begin(), known_workers.end(), name) == known_workers.end()) {
          std::string known;
          for (const auto worker : known_workers) {
            known += (known.empty() ? "" : ", ") + std::string{worker};
          }
          problems_.push_back(source_of("workers.enabled") + ": unknown worker '" + name +
                              "' (known: " + known + ")");
        }
      }
    }
    if (!s.alerting.webhook_url.empty())
      check_url("alerting.webhook_url", s.alerting.webhook_url, {"http", "https"});
  }

  void validate_production() {
    const auto& s = settings_;
    if (source_of("database.url") == "default") {
      problems_.push_back("production requires DATABASE_URL");
    } else if (auto url = boost::urls::parse_uri(s.database.url);
               url && url->encoded_password().empty() && !url->params().contains("password")) {
      problems_.push_back(source_of("database.url") +
                          ": production requires a password in DATABASE_URL");
    }
    if (source_of("redis.url") == "default") {
      problems_.push_back(
          "production requires REDIS_URL (or REDIS_HOST/REDIS_PORT/REDIS_PASSWORD)");
    }
    if (s.metrics.enabled && s.metrics.token.empty() && !s.metrics.loopback_only) {
      problems_.push_back(
          "production requires PEND_METRICS_TOKEN, or PEND_METRICS_LOOPBACK_ONLY=true");
    }
    if (s.auth.phone_pepper.size() < 32) {
      problems_.push_back(source_of("auth.phone_pepper") +
                          ": production requires auth.phone_pepper of 32 bytes or more");
    }
    if (!security_key_ok(s.admin.totp_key)) {
      problems_.push_back(source_of("admin.totp_key") +
                          ": production requires admin.totp_key, 64 hex digits (32 random bytes)");
    }
    if (!security_key_ok(s.admin.audit_signing_key)) {
      problems_.push_back(source_of("admin.audit_signing_key") +
                          ": production requires admin.audit_signing_key, 64 hex digits");
    }
    if (s.storage.keys.empty()) {
      problems_.push_back(source_of("storage.keys") +
                          ": production requires storage.keys, the keys KYC documents are "
                          "sealed with (ID:64HEX; openssl rand -hex 32)");
    }
    if (s.auth.sms_provider != "http") {
      problems_.push_back(source_of("auth.sms_provider") +
                          ": production sends codes by SMS: auth.sms_provider = http");
    }
    if (s.auth.sms_countries.empty()) {
      problems_.push_back(source_of("auth.sms_countries") +
                          ": production requires auth.sms_countries, the regions codes may be "
                          "sent to (against SMS pumping)");
    }
    const bool any_origin = std::find(s.cors.allowed_origins.begin(), s.cors.allowed_origins.end(),
                                      "*") != s.cors.allowed_origins.end();
    if (any_origin && s.cors.allow_credentials) {
      problems_.push_back("production forbids cors.allowed_origins '*' with allow_credentials");
    }
  }

  void check_url(std::string_view path, const std::string& value,
                 std::initializer_list<std::string_view> schemes) {
    const auto url = boost::urls::parse_uri(value);
    const bool scheme_ok =
        url && std::find(schemes.begin(), schemes.end(), url->scheme()) != schemes.end();
    if (!scheme_ok) {
      std::string expected;
      for (const auto scheme : schemes)
        expected += (expected.empty() ? "" : " or ") + std::string{scheme} + "://";
      // Never echo the value: it may hold a password.
      problems_.push_back(source_of(path) + ": " + std::string{path} + " must be a URL starting " +
                          expected);
    }
  }

  static bool logging_level_valid(std::string_view level) {
    return level == "error" || level == "warn" || level == "info" || level == "debug" ||
           level == "trace";
  }

  static bool origin_valid(std::string_view origin) {
    if (origin == "*") return true;
    const auto url = boost::urls::parse_uri(origin);
    return url && (url->scheme() == "http" || url->scheme() == "https") && url->has_authority() &&
           !url->host().empty() && url->encoded_path().empty() && !url->has_query() &&
           !url->has_fragment() && !url->has_userinfo();
  }

  const LoadOptions& options_;
  Settings settings_;
  std::map<std::string, std::string> dotenv_;
  std::string dotenv_source_;
  std::map<std::string, std::string> sources_;  // key path -> where its value came from
  std::set<std::string> reported_;
  std::vector<std::string> problems_;
};

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

Settings load(const LoadOptions& options) { return Loader(options).run(); }

}  // namespace pend::config
