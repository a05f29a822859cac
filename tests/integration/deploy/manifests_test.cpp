// The deployment files against the code they deploy: deploy/k8s (the Kubernetes base and
// its overlays) and, when they exist, deploy/docker-compose.yml and
// deploy/docker-compose.prod.yml. The probes ask routes the router has; the port, the
// directories the server writes and the upload size are the configuration's; every
// variable is a configuration key and the server's own loader accepts the lot; every
// command is a subcommand of the binary and every worker one of its workers; the drain
// fits the grace period; every container runs locked down. Each failure names the file
// and the field.
#include "app/workers.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"
#include "http/router.hpp"
#include "support/child_process.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace pend::test {
namespace {

namespace fs = std::filesystem;
using Variables = std::map<std::string, std::string>;

fs::path source(std::string_view relative) { return fs::path{PEND_SOURCE_DIR} / relative; }

// ---- YAML access that never throws on a missing key --------------------------------------

// node[path...], or an undefined node when a step is missing or not a map. yaml-cpp 0.7's
// const operator[] answers a missing key with an invalid ("zombie") node: every use of it
// but IsDefined() throws InvalidNode (reset() included), so a missing step ends the walk
// before it is kept. (reset, not assignment: assigning over a YAML::Node would overwrite
// the node it refers to, here the caller's document.)
YAML::Node at(const YAML::Node& root, std::initializer_list<const char*> path) {
  YAML::Node node = root;
  for (const char* key : path) {
    if (!node.IsDefined() || !node.IsMap()) return YAML::Node{YAML::NodeType::Undefined};
    const YAML::Node next = std::as_const(node)[key];
    if (!next.IsDefined()) return YAML::Node{YAML::NodeType::Undefined};
    node.reset(next);
  }
  return node;
}

std::string scalar(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.as<std::string>() : std::string{};
}

std::optional<long long> integer(const YAML::Node& node) {
  const std::string text = scalar(node);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<YAML::Node> items(const YAML::Node& node) {
  std::vector<YAML::Node> out;
  if (node.IsDefined() && node.IsSequence()) {
    for (const auto& item : node) out.push_back(item);
  }
  return out;
}

std::vector<std::string> strings(const YAML::Node& node) {
  std::vector<std::string> out;
  for (const auto& item : items(node)) out.push_back(scalar(item));
  return out;
}

Variables string_map(const YAML::Node& node) {
  Variables out;
  if (node.IsDefined() && node.IsMap()) {
    for (const auto& item : node) out[item.first.as<std::string>()] = scalar(item.second);
  }
  return out;
}

bool is_true(const YAML::Node& node) { return scalar(node) == "true"; }
bool is_false(const YAML::Node& node) { return scalar(node) == "false"; }

// ---- The manifests ------------------------------------------------------------------------

struct Doc {
  std::string file;  // relative to the source directory
  YAML::Node node;

  std::string kind() const { return scalar(at(node, {"kind"})); }
  std::string name() const { return scalar(at(node, {"metadata", "name"})); }
  std::string where() const { return file + ": " + kind() + " " + name(); }
};

std::vector<Doc> load_documents(const fs::path& file) {
  std::vector<Doc> docs;
  const std::string relative = fs::relative(file, source("")).string();
  try {
    for (const auto& node : YAML::LoadAllFromFile(file.string())) {
      if (node.IsNull()) continue;  // an empty document (a trailing ---)
      docs.push_back({relative, node});
    }
  } catch (const YAML::Exception& error) {
    ADD_FAILURE() << relative << ": not YAML: " << error.what();
  }
  return docs;
}

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto extension = entry.path().extension();
    if (entry.is_regular_file() && (extension == ".yaml" || extension == ".yml"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

const fs::path kBase = source("deploy/k8s/base");
const std::vector<std::string> kOverlays = {"staging", "production"};

// Secret values production refuses in secret.example.yaml (on purpose: applying the
// example by mistake must not start), and valid stand-ins the checks load instead.
const Variables kStandIns = {
    {"PEND_AUTH_PHONE_PEPPER", "a-stand-in-pepper-of-the-manifests-test-0123456789"},
    {"PEND_ADMIN_TOTP_KEY", std::string(64, 'a')},
    {"PEND_ADMIN_AUDIT_SIGNING_KEY", std::string(64, 'b')},
    {"PEND_STORAGE_KEYS", "k1:" + std::string(64, 'c')},
};

struct Manifests {
  std::vector<Doc> base;  // every document under base/ but kustomization.yaml
  YAML::Node kustomization{YAML::NodeType::Undefined};
  std::string config_name, secret_name;
  Variables config;  // the ConfigMap's data
  Variables secret;  // secret.example.yaml's stringData, as written

  std::optional<Doc> find(std::string_view kind, std::string_view name) const {
    for (const auto& doc : base) {
      if (doc.kind() == kind && doc.name() == name) return doc;
    }
    return std::nullopt;
  }
  std::vector<Doc> of_kind(std::string_view kind) const {
    std::vector<Doc> out;
    for (const auto& doc : base) {
      if (doc.kind() == kind) out.push_back(doc);
    }
    return out;
  }
  Variables secret_with_stand_ins() const {
    Variables out = secret;
    for (const auto& [name, value] : kStandIns) {
      if (out.contains(name)) out[name] = value;
    }
    return out;
  }
};

Manifests load_manifests() {
  Manifests m;
  for (const auto& file : yaml_files(kBase)) {
    if (file.filename() == "kustomization.yaml") {
      const auto docs = load_documents(file);
      if (!docs.empty()) m.kustomization.reset(docs.front().node);
      continue;
    }
    for (auto& doc : load_documents(file)) m.base.push_back(std::move(doc));
  }
  const auto config_maps = m.of_kind("ConfigMap");
  const auto secrets = m.of_kind("Secret");
  EXPECT_EQ(config_maps.size(), 1u) << "deploy/k8s/base: one ConfigMap (configmap.yaml)";
  EXPECT_EQ(secrets.size(), 1u) << "deploy/k8s/base: one Secret (secret.example.yaml)";
  if (!config_maps.empty()) {
    m.config_name = config_maps.front().name();
    m.config = string_map(at(config_maps.front().node, {"data"}));
  }
  if (!secrets.empty()) {
    m.secret_name = secrets.front().name();
    m.secret = string_map(at(secrets.front().node, {"stringData"}));
  }
  return m;
}

// A workload's pod template: Deployment and Job spec.template, CronJob's job's.
struct Pod {
  Doc workload;
  YAML::Node labels, spec;

  std::string where() const { return workload.where(); }
  std::vector<YAML::Node> containers() const {
    auto out = items(at(spec, {"initContainers"}));
    for (const auto& container : items(at(spec, {"containers"}))) out.push_back(container);
    return out;
  }
};

std::vector<Pod> pods_of(const std::vector<Doc>& docs) {
  std::vector<Pod> pods;
  for (const auto& doc : docs) {
    YAML::Node tmpl{YAML::NodeType::Undefined};
    const auto kind = doc.kind();
    if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "Job") {
      tmpl.reset(at(doc.node, {"spec", "template"}));
    } else if (kind == "CronJob") {
      tmpl.reset(at(doc.node, {"spec", "jobTemplate", "spec", "template"}));
    } else {
      continue;
    }
    EXPECT_TRUE(at(tmpl, {"spec", "containers"}).IsDefined()) << doc.where() << ": no containers";
    pods.push_back({doc, at(tmpl, {"metadata", "labels"}), at(tmpl, {"spec"})});
  }
  return pods;
}

// "registry/pend-server:1.0" -> "registry/pend-server"
std::string image_repository(std::string image) {
  if (const auto at_sign = image.find('@'); at_sign != std::string::npos) image.resize(at_sign);
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    image.resize(colon);
  return image;
}

bool is_pend_server(const YAML::Node& container) {
  const auto repository = image_repository(scalar(at(container, {"image"})));
  return repository == "pend-server" || repository.ends_with("/pend-server");
}

std::vector<std::string> args_of(const YAML::Node& container) {
  return strings(at(container, {"args"}));
}

// The environment Kubernetes gives a container: envFrom in order (a later source wins on a
// name), then env over it. A fieldRef (the pod's name) gets a stand-in.
Variables environment_of(const YAML::Node& container, const Manifests& m, const Variables& config,
                         const Variables& secret, const std::string& where) {
  Variables out;
  for (const auto& source : items(at(container, {"envFrom"}))) {
    if (const auto name = scalar(at(source, {"configMapRef", "name"})); !name.empty()) {
      EXPECT_EQ(name, m.config_name) << where << ": envFrom names a ConfigMap the base lacks";
      for (const auto& [key, value] : config) out[key] = value;
    } else if (const auto secret_name = scalar(at(source, {"secretRef", "name"}));
               !secret_name.empty()) {
      EXPECT_EQ(secret_name, m.secret_name) << where << ": envFrom names an unknown Secret";
      for (const auto& [key, value] : secret) out[key] = value;
    } else {
      ADD_FAILURE() << where << ": an envFrom entry without configMapRef or secretRef";
    }
  }
  for (const auto& variable : items(at(container, {"env"}))) {
    const auto name = scalar(at(variable, {"name"}));
    if (at(variable, {"value"}).IsDefined()) {
      out[name] = scalar(at(variable, {"value"}));
    } else if (at(variable, {"valueFrom", "fieldRef"}).IsDefined()) {
      out[name] = "stand-in-pod-name";
    } else if (const auto ref = at(variable, {"valueFrom", "secretKeyRef"}); ref.IsDefined()) {
      EXPECT_EQ(scalar(at(ref, {"name"})), m.secret_name) << where << ": " << name;
      const auto key = scalar(at(ref, {"key"}));
      EXPECT_TRUE(secret.contains(key)) << where << ": " << name << " reads the Secret's " << key
                                        << ", which secret.example.yaml does not have";
      out[name] = secret.contains(key) ? secret.at(key) : "";
    } else if (const auto ref = at(variable, {"valueFrom", "configMapKeyRef"}); ref.IsDefined()) {
      EXPECT_EQ(scalar(at(ref, {"name"})), m.config_name) << where << ": " << name;
      const auto key = scalar(at(ref, {"key"}));
      EXPECT_TRUE(config.contains(key)) << where << ": " << name << " reads a missing key " << key;
      out[name] = config.contains(key) ? config.at(key) : "";
    } else {
      ADD_FAILURE() << where << ": variable " << name << " has no value the test can follow";
    }
  }
  return out;
}

// The settings the server loads from this environment (config/<PEND_ENV>.toml beneath it),
// through the loader `pend-server` itself uses: unknown PEND_ variables and unknown
// workers are refused as they are at start-up.
config::Settings load_settings(const Variables& variables) {
  config::LoadOptions options;
  options.config_dir = source("config");
  options.dotenv_path = std::nullopt;
  options.getenv = [variables](const std::string& name) -> std::optional<std::string> {
    const auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
  for (const auto& [name, value] : variables) options.environment_names.push_back(name);
  options.known_workers = app::worker_names();
  return config::load(options);
}

std::optional<config::Settings> settings_or_fail(const Variables& variables,
                                                 const std::string& where) {
  try {
    return load_settings(variables);
  } catch (const config::ConfigError& error) {
    std::string problems;
    for (const auto& problem : error.problems()) problems += "\n  - " + problem;
    ADD_FAILURE() << where << ": the server refuses this configuration:" << problems;
    return std::nullopt;
  }
}

// The settings a container of the base runs with (the Secret's refused values replaced).
std::optional<config::Settings> container_settings(const Manifests& m, const YAML::Node& container,
                                                   const std::string& where,
                                                   const Variables* config = nullptr) {
  const auto variables =
      environment_of(container, m, config ? *config : m.config, m.secret_with_stand_ins(), where);
  return settings_or_fail(variables, where);
}

// Every variable a configuration key reads, and those naming a secret. Besides the table:
// the variables that select the configuration, and the plan's Redis trio (composed into
// redis.url; REDIS_PASSWORD is a secret).
std::set<std::string> known_variables() {
  std::set<std::string> names = {"PEND_ENV",   "PEND_CONFIG_DIR", "PEND_MIGRATIONS_DIR",
                                 "REDIS_HOST", "REDIS_PORT",      "REDIS_PASSWORD"};
  for (const auto& key : config::keys()) names.emplace(key.env);
  return names;
}

std::set<std::string> secret_variables() {
  std::set<std::string> names = {"REDIS_PASSWORD"};
  for (const auto& key : config::keys()) {
    if (key.secret) names.emplace(key.env);
  }
  return names;
}

std::set<std::string> get_routes() {
  app::Application application(test_settings());  // built, not started
  std::set<std::string> paths;
  for (const auto& route : application.router().routes()) {
    if (route->method == http::Method::get) paths.insert(route->path_template);
  }
  return paths;
}

// The subcommands `pend-server --help` lists.
std::set<std::string> subcommands() {
  const auto help = run_tool({PEND_SERVER_BINARY, "--help"});
  std::set<std::string> names;
  std::istringstream lines(help);
  bool in_list = false;
  const std::regex entry{"^  ([a-z][a-z-]*)\\s"};
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("Subcommands:")) {
      in_list = true;
    } else if (std::smatch match; in_list && std::regex_search(line, match, entry)) {
      names.insert(match[1]);
    }
  }
  return names;
}

bool selector_matches(const YAML::Node& selector, const YAML::Node& labels) {
  const auto wanted = string_map(selector);
  if (wanted.empty()) return false;
  const auto have = string_map(labels);
  return std::ranges::all_of(wanted, [&](const auto& entry) {
    const auto it = have.find(entry.first);
    return it != have.end() && it->second == entry.second;
  });
}

// The pod of the API Deployment (the one whose container runs `serve`), and its container.
struct Api {
  Pod pod;
  YAML::Node container;
};

std::optional<Api> find_api(const std::vector<Pod>& pods) {
  for (const auto& pod : pods) {
    for (const auto& container : pod.containers()) {
      const auto args = args_of(container);
      if (pod.workload.kind() == "Deployment" && is_pend_server(container) && !args.empty() &&
          args[0] == "serve")
        return Api{pod, container};
    }
  }
  ADD_FAILURE() << "deploy/k8s/base: no Deployment runs `pend-server serve`";
  return std::nullopt;
}

// The mount of a container that holds path (the longest mountPath that is path or one of
// its parents), with its volume; nullopt when none does.
struct Mount {
  YAML::Node mount, volume;
};

std::optional<Mount> mount_holding(const Pod& pod, const YAML::Node& container,
                                   const fs::path& path) {
  std::optional<Mount> best;
  std::size_t best_length = 0;
  const auto normal = path.lexically_normal().string();
  for (const auto& mount : items(at(container, {"volumeMounts"}))) {
    auto mount_path = fs::path{scalar(at(mount, {"mountPath"}))}.lexically_normal().string();
    while (mount_path.size() > 1 && mount_path.ends_with('/')) mount_path.pop_back();
    const bool holds =
        normal == mount_path || normal.starts_with(mount_path == "/" ? "/" : mount_path + "/");
    if (!holds || mount_path.size() < best_length) continue;
    for (const auto& volume : items(at(pod.spec, {"volumes"}))) {
      if (scalar(at(volume, {"name"})) == scalar(at(mount, {"name"}))) {
        // (reset first: assigning over a YAML::Node would overwrite the node it refers to)
        best.reset();
        best.emplace(mount, volume);
        best_length = mount_path.size();
      }
    }
  }
  return best;
}

// nginx sizes: a number with k, m or g (1024-based), or bytes.
std::optional<std::uint64_t> nginx_size(std::string text) {
  std::uint64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k':
      case 'K':
        unit = 1024;
        break;
      case 'm':
      case 'M':
        unit = 1024 * 1024;
        break;
      case 'g':
      case 'G':
        unit = 1024 * 1024 * 1024;
        break;
      default:
        break;
    }
    if (unit != 1) text.pop_back();
  }
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return number * unit;
}

// ---- The base -----------------------------------------------------------------------------

TEST(K8sManifestsTest, TheBaseListsEveryManifestButTheExampleSecret) {
  const auto m = load_manifests();
  ASSERT_FALSE(m.base.empty()) << kBase << " holds no manifests";
  ASSERT_TRUE(m.kustomization.IsDefined()) << "deploy/k8s/base/kustomization.yaml is missing";
  EXPECT_EQ(scalar(at(m.kustomization, {"kind"})), "Kustomization");
  EXPECT_FALSE(at(m.kustomization, {"namespace"}).IsDefined())
      << "the base is namespace-free: the overlays set the namespace";

  std::set<std::string> listed, expected;
  for (const auto& name : strings(at(m.kustomization, {"resources"}))) listed.insert(name);
  for (const auto& file : yaml_files(kBase)) {
    const auto name = file.filename().string();
    if (name != "kustomization.yaml" && name != "secret.example.yaml") expected.insert(name);
  }
  EXPECT_EQ(listed, expected) << "base/kustomization.yaml resources: every manifest of base/";
  EXPECT_FALSE(listed.contains("secret.example.yaml"))
      << "the example Secret must never be applied: the real one comes from a secret manager";
  EXPECT_TRUE(fs::exists(kBase / "secret.example.yaml"));

  for (const auto& doc : m.base) {
    EXPECT_FALSE(scalar(at(doc.node, {"apiVersion"})).empty()) << doc.where();
    EXPECT_FALSE(doc.kind().empty()) << doc.file << ": a document without kind";
    EXPECT_FALSE(doc.name().empty()) << doc.where() << ": no metadata.name";
    EXPECT_FALSE(at(doc.node, {"metadata", "namespace"}).IsDefined())
        << doc.where() << ": the base is namespace-free";
  }
}

TEST(K8sManifestsTest, ProbesAskRoutesTheRouterHas) {
  const auto m = load_manifests();
  const auto routes = get_routes();
  ASSERT_TRUE(routes.contains("/api/v1/health/live"));
  int http_probes = 0;
  for (const auto& pod : pods_of(m.base)) {
    for (const auto& container : pod.containers()) {
      const auto args = args_of(container);
      for (const char* probe : {"startupProbe", "livenessProbe", "readinessProbe"}) {
        const auto get = at(container, {probe, "httpGet"});
        if (!get.IsDefined()) continue;
        ++http_probes;
        const std::string where = pod.where() + " " + probe;
        EXPECT_FALSE(!args.empty() && args[0] == "worker")
            << where << ": a worker serves no HTTP, so an HTTP probe can only fail";
        const auto path = scalar(at(get, {"path"}));
        EXPECT_TRUE(routes.contains(path)) << where << ": GET " << path << " is not routed";
        // The port: a name of one of the container's ports, or one of their numbers.
        const auto port = scalar(at(get, {"port"}));
        bool found = false;
        for (const auto& declared : items(at(container, {"ports"}))) {
          found = found || scalar(at(declared, {"name"})) == port ||
                  scalar(at(declared, {"containerPort"})) == port;
        }
        EXPECT_TRUE(found) << where << ": port " << port << " is none of the container's";
      }
    }
  }
  EXPECT_GE(http_probes, 3);

  const auto api = find_api(pods_of(m.base));
  ASSERT_TRUE(api);
  const auto& c = api->container;
  EXPECT_EQ(scalar(at(c, {"startupProbe", "httpGet", "path"})), "/api/v1/health/live");
  EXPECT_EQ(scalar(at(c, {"livenessProbe", "httpGet", "path"})), "/api/v1/health/live")
      << "liveness must not depend on PostgreSQL: an outage would restart every pod";
  EXPECT_EQ(scalar(at(c, {"readinessProbe", "httpGet", "path"})), "/api/v1/health/ready");
  // The start-up budget (the pod's own start; migrations are the Job's).
  const auto period = integer(at(c, {"startupProbe", "periodSeconds"}));
  const auto failures = integer(at(c, {"startupProbe", "failureThreshold"}));
  ASSERT_TRUE(period && failures) << "startupProbe: periodSeconds and failureThreshold";
  EXPECT_GE(*period * *failures, 30) << "startupProbe allows under 30 s to start";
}

TEST(K8sManifestsTest, PortsAreTheConfiguredPort) {
  const auto m = load_manifests();
  const auto pods = pods_of(m.base);
  const auto api = find_api(pods);
  ASSERT_TRUE(api);
  const std::string where = api->pod.where();
  const auto settings = container_settings(m, api->container, where);
  ASSERT_TRUE(settings);
  const auto default_port = config::Settings{}.server.port;

  const auto ports = items(at(api->container, {"ports"}));
  ASSERT_EQ(ports.size(), 1u) << where << ": one port, http";
  EXPECT_EQ(scalar(at(ports[0], {"name"})), "http") << where;
  EXPECT_EQ(integer(at(ports[0], {"containerPort"})), default_port)
      << where << ": containerPort is not server.port's default";
  EXPECT_EQ(integer(at(ports[0], {"containerPort"})), settings->server.port)
      << where << ": containerPort is not the port the server listens on with this config";
  EXPECT_EQ(scalar(at(api->pod.workload.node,
                      {"spec", "template", "metadata", "annotations", "prometheus.io/port"})),
            std::to_string(settings->server.port))
      << where << ": prometheus.io/port";

  const auto service = m.find("Service", "pend-server");
  ASSERT_TRUE(service) << "base: Service pend-server";
  const auto service_ports = items(at(service->node, {"spec", "ports"}));
  ASSERT_EQ(service_ports.size(), 1u);
  EXPECT_EQ(integer(at(service_ports[0], {"port"})), 80);
  EXPECT_EQ(scalar(at(service_ports[0], {"targetPort"})), "http")
      << "Service targetPort: the API container's named port";

  // The worker processes listen on nothing.
  for (const auto& pod : pods) {
    for (const auto& container : pod.containers()) {
      const auto args = args_of(container);
      if (!args.empty() && args[0] != "serve") {
        EXPECT_FALSE(at(container, {"ports"}).IsDefined()) << pod.where() << ": no port to open";
      }
    }
  }
}

TEST(K8sManifestsTest, EveryVariableIsAConfigurationKey) {
  const auto m = load_manifests();
  const auto known = known_variables();
  const auto secrets = secret_variables();
  ASSERT_FALSE(m.config.empty()) << "base/configmap.yaml: no data";
  for (const auto& [name, value] : m.config) {
    EXPECT_TRUE(known.contains(name)) << "configmap.yaml: " << name << " is no configuration key";
    EXPECT_FALSE(secrets.contains(name))
        << "configmap.yaml: " << name << " is a secret: it belongs in the Secret";
  }
  for (const auto& [name, value] : m.secret) {
    EXPECT_TRUE(known.contains(name)) << "secret.example.yaml: " << name << " is no key";
    EXPECT_TRUE(secrets.contains(name))
        << "secret.example.yaml: " << name << " is not a secret: put it in the ConfigMap";
  }
  // Production refuses to start without these (src/config/loader.cpp), and the indexer
  // needs its nodes.
  for (const char* required :
       {"DATABASE_URL", "REDIS_URL", "PEND_METRICS_TOKEN", "PEND_AUTH_PHONE_PEPPER",
        "PEND_AUTH_SMS_URL", "PEND_ADMIN_TOTP_KEY", "PEND_ADMIN_AUDIT_SIGNING_KEY",
        "PEND_STORAGE_KEYS", "PEND_CHAIN_RPC_URLS"}) {
    EXPECT_TRUE(m.secret.contains(required)) << "secret.example.yaml lacks " << required;
  }

  int pend_containers = 0;
  for (const auto& pod : pods_of(m.base)) {
    for (const auto& container : pod.containers()) {
      const std::string where = pod.where() + " " + scalar(at(container, {"name"}));
      (void)environment_of(container, m, m.config, m.secret, where);  // follows every ref
      if (!is_pend_server(container)) continue;
      ++pend_containers;
      for (const auto& variable : items(at(container, {"env"}))) {
        const auto name = scalar(at(variable, {"name"}));
        EXPECT_TRUE(known.contains(name)) << where << ": env " << name << " is no config key";
      }
      std::set<std::string> sources;
      for (const auto& source : items(at(container, {"envFrom"}))) {
        sources.insert(scalar(at(source, {"configMapRef", "name"})) +
                       scalar(at(source, {"secretRef", "name"})));
      }
      EXPECT_EQ(sources, (std::set<std::string>{m.config_name, m.secret_name}))
          << where << ": envFrom the ConfigMap and the Secret";
    }
  }
  EXPECT_GE(pend_containers, 7);  // the API, five workers, the migration
}

TEST(K8sManifestsTest, TheServerAcceptsTheConfigurationAndRefusesTheExampleSecrets) {
  const auto m = load_manifests();
  for (const auto& [name, value] : kStandIns) {
    EXPECT_TRUE(m.secret.contains(name)) << "secret.example.yaml lacks " << name;
  }
  const auto pods = pods_of(m.base);
  for (const auto& pod : pods) {
    for (const auto& container : pod.containers()) {
      if (!is_pend_server(container)) continue;
      const auto settings = container_settings(m, container, pod.where());
      if (settings) {
        EXPECT_EQ(settings->environment, config::Environment::production);
      }
    }
  }
  // As written, the example's keys are refused: an example applied by mistake never runs.
  const auto api = find_api(pods);
  ASSERT_TRUE(api);
  const auto variables = environment_of(api->container, m, m.config, m.secret, "example");
  try {
    (void)load_settings(variables);
    ADD_FAILURE() << "production accepted secret.example.yaml's placeholder keys";
  } catch (const config::ConfigError& error) {
    std::set<std::string> named;
    for (const auto& problem : error.problems()) {
      bool expected = false;
      for (const auto& [name, value] : kStandIns) {
        if (problem.find(name) != std::string::npos) {
          named.insert(name);
          expected = true;
        }
      }
      EXPECT_TRUE(expected) << "a problem besides the placeholder keys: " << problem;
    }
    EXPECT_EQ(named.size(), kStandIns.size()) << "each placeholder key must be refused";
  }
}

TEST(K8sManifestsTest, TheDrainFitsTheGracePeriod) {
  const auto m = load_manifests();
  constexpr long long kMarginSeconds = 5;  // for the workers' stop and the log sinks' flush
  int serving = 0;
  for (const auto& pod : pods_of(m.base)) {
    for (const auto& container : pod.containers()) {
      const auto args = args_of(container);
      if (!is_pend_server(container) || args.empty() || args[0] != "serve") continue;
      ++serving;
      const std::string where = pod.where();
      const auto settings = container_settings(m, container, where);
      ASSERT_TRUE(settings);
      const auto pre_stop = at(container, {"lifecycle", "preStop"});
      std::optional<long long> sleep;
      if (const auto command = strings(at(pre_stop, {"exec", "command"})); !command.empty()) {
        ASSERT_EQ(command.size(), 2u) << where << ": preStop is [\"/bin/sleep\", SECONDS]";
        EXPECT_EQ(command[0], "/bin/sleep") << where << ": the image has no other sleep";
        sleep = integer(YAML::Node{command[1]});
      } else {
        sleep = integer(at(pre_stop, {"sleep", "seconds"}));
      }
      ASSERT_TRUE(sleep) << where << ": preStop must sleep while the endpoints drop the pod";
      EXPECT_GE(*sleep, 1) << where;
      const auto grace = integer(at(pod.spec, {"terminationGracePeriodSeconds"}));
      ASSERT_TRUE(grace) << where << ": terminationGracePeriodSeconds must be explicit";
      const auto shutdown_ms = settings->server.shutdown_timeout.count();
      const long long shutdown = (shutdown_ms + 999) / 1000;
      EXPECT_LE(*sleep + shutdown + kMarginSeconds, *grace)
          << where << ": preStop " << *sleep << " s + server.shutdown_timeout_ms " << shutdown
          << " s + a margin of " << kMarginSeconds << " s exceeds terminationGracePeriodSeconds "
          << *grace << ": the drain would be killed";
    }
  }
  EXPECT_GE(serving, 1);
}

TEST(K8sManifestsTest, EveryContainerRunsLockedDown) {
  const auto m = load_manifests();
  const auto pods = pods_of(m.base);
  ASSERT_GE(pods.size(), 8u);  // the API, five workers, the migration, the backup
  for (const auto& pod : pods) {
    const std::string where = pod.where();
    const auto security = at(pod.spec, {"securityContext"});
    EXPECT_TRUE(is_true(at(security, {"runAsNonRoot"}))) << where << ": runAsNonRoot";
    EXPECT_EQ(integer(at(security, {"runAsUser"})), 10001) << where << ": runAsUser";
    EXPECT_EQ(integer(at(security, {"fsGroup"})), 10001) << where << ": fsGroup";
    EXPECT_EQ(scalar(at(security, {"seccompProfile", "type"})), "RuntimeDefault") << where;
    EXPECT_TRUE(is_false(at(pod.spec, {"automountServiceAccountToken"})))
        << where << ": automountServiceAccountToken: false (nothing calls the API server)";
    for (const char* host : {"hostNetwork", "hostPID", "hostIPC"}) {
      EXPECT_FALSE(is_true(at(pod.spec, {host}))) << where << ": " << host;
    }
    bool runs_pend_server = false;
    for (const auto& container : pod.containers()) {
      const std::string name = where + " " + scalar(at(container, {"name"}));
      runs_pend_server = runs_pend_server || is_pend_server(container);
      const auto own = at(container, {"securityContext"});
      if (at(own, {"runAsNonRoot"}).IsDefined()) {
        EXPECT_TRUE(is_true(at(own, {"runAsNonRoot"}))) << name;
      }
      if (const auto user = integer(at(own, {"runAsUser"}))) {
        EXPECT_NE(*user, 0) << name;
      }
      EXPECT_TRUE(is_true(at(own, {"readOnlyRootFilesystem"})))
          << name << ": readOnlyRootFilesystem";
      EXPECT_TRUE(is_false(at(own, {"allowPrivilegeEscalation"})))
          << name << ": allowPrivilegeEscalation: false";
      EXPECT_FALSE(is_true(at(own, {"privileged"}))) << name;
      const auto dropped = strings(at(own, {"capabilities", "drop"}));
      EXPECT_TRUE(std::ranges::find(dropped, "ALL") != dropped.end()) << name << ": drop ALL";
      EXPECT_TRUE(strings(at(own, {"capabilities", "add"})).empty()) << name << ": adds a cap";
    }
    if (runs_pend_server) {
      EXPECT_TRUE(is_false(at(pod.spec, {"enableServiceLinks"})))
          << where << ": enableServiceLinks: false, or the Service pend-server puts "
          << "PEND_SERVER_SERVICE_HOST and PEND_SERVER_PORT in the environment, and the server "
          << "refuses unknown PEND_ variables (exit 2)";
    }
  }
}

TEST(K8sManifestsTest, CommandsAreSubcommandsAndWorkersOfTheBinary) {
  const auto m = load_manifests();
  const auto pods = pods_of(m.base);
  const auto listed = subcommands();
  ASSERT_TRUE(listed.contains("serve")) << "`pend-server --help` lists no subcommands";
  const auto names = app::worker_names();
  const std::set<std::string> workers(names.begin(), names.end());
  // The subcommands a deployment runs: the API, one worker, the migrations.
  const std::set<std::string> deployable = {"serve", "worker", "migrate"};

  std::map<std::string, std::vector<Pod>> worker_deployments;
  std::set<std::string> api_workers;
  int migrations = 0;
  for (const auto& pod : pods) {
    for (const auto& container : pod.containers()) {
      if (!is_pend_server(container)) continue;
      const std::string where = pod.where() + " " + scalar(at(container, {"name"}));
      EXPECT_FALSE(at(container, {"command"}).IsDefined())
          << where << ": the image's entrypoint is pend-server; give args only";
      const auto args = args_of(container);
      ASSERT_FALSE(args.empty()) << where << ": args name the subcommand";
      EXPECT_TRUE(deployable.contains(args[0]) && listed.contains(args[0]))
          << where << ": args[0] '" << args[0] << "' is no subcommand a deployment runs";
      if (args[0] == "worker") {
        ASSERT_EQ(args.size(), 2u) << where << ": [\"worker\", NAME]";
        EXPECT_TRUE(workers.contains(args[1])) << where << ": no worker named " << args[1];
        EXPECT_EQ(pod.workload.kind(), "Deployment") << where;
        worker_deployments[args[1]].push_back(pod);
      } else if (args[0] == "serve") {
        EXPECT_TRUE(std::ranges::find(args, "--migrate") == args.end())
            << where << ": the migration Job migrates, never the API";
        if (const auto settings = container_settings(m, container, where)) {
          api_workers.insert(settings->workers.enabled.begin(), settings->workers.enabled.end());
        }
      } else if (args[0] == "migrate") {
        ++migrations;
        EXPECT_EQ(args, std::vector<std::string>{"migrate"}) << where;
        EXPECT_EQ(pod.workload.kind(), "Job") << where;
        EXPECT_EQ(scalar(at(pod.spec, {"restartPolicy"})), "Never") << where;
      }
    }
  }
  EXPECT_EQ(migrations, 1) << "one migration Job";
  // The API runs the per-instance worker only; every other worker has one Deployment of
  // one replica (its lease would make more of them standbys).
  EXPECT_EQ(api_workers, (std::set<std::string>{"metrics-collector"}))
      << "PEND_WORKERS of the API: the per-instance worker only";
  for (const auto& name : workers) {
    const auto found = worker_deployments.find(name);
    const std::size_t count = found == worker_deployments.end() ? 0 : found->second.size();
    if (api_workers.contains(name)) {
      EXPECT_EQ(count, 0u) << name << " runs in every API pod already";
      continue;
    }
    ASSERT_EQ(count, 1u) << "worker " << name << ": one Deployment runs it";
    const auto& pod = found->second.front();
    EXPECT_EQ(integer(at(pod.workload.node, {"spec", "replicas"})), 1) << pod.where();
  }
  const auto indexer = worker_deployments.find("indexer");
  ASSERT_NE(indexer, worker_deployments.end());
  EXPECT_EQ(indexer->second.front().workload.file, "deploy/k8s/base/deployment-indexer.yaml");
  EXPECT_EQ(integer(at(indexer->second.front().workload.node, {"spec", "replicas"})), 1)
      << "the indexer: one replica";
}

TEST(K8sManifestsTest, WrittenDirectoriesAreOnWritableVolumes) {
  const auto m = load_manifests();
  std::set<std::string> shared_claims;  // ReadWriteMany claims of the base
  for (const auto& claim : m.of_kind("PersistentVolumeClaim")) {
    const auto modes = strings(at(claim.node, {"spec", "accessModes"}));
    if (std::ranges::find(modes, "ReadWriteMany") != modes.end())
      shared_claims.insert(claim.name());
  }
  int checked = 0;
  for (const auto& pod : pods_of(m.base)) {
    for (const auto& container : pod.containers()) {
      if (!is_pend_server(container)) continue;
      const std::string where = pod.where();
      const auto settings = container_settings(m, container, where);
      if (!settings) continue;
      const auto args = args_of(container);
      const auto absolute = [&](const std::string& dir) {
        fs::path path{dir};
        if (path.is_relative()) {
          const auto working = scalar(at(container, {"workingDir"}));
          EXPECT_FALSE(working.empty())
              << where << ": '" << dir << "' is relative to the image's working directory; "
              << "set it absolute in the ConfigMap (or workingDir)";
          path = fs::path{working} / path;
        }
        return path;
      };
      const auto log_dir = absolute(settings->log.dir);
      // LOG_DIR: the spool and dead letters of the log sinks, crash reports.
      for (const auto& path : {log_dir, log_dir / "spool", log_dir / "dead-letter"}) {
        const auto mount = mount_holding(pod, container, path);
        EXPECT_TRUE(mount) << where << ": " << path << " (LOG_DIR) is on no volume, and the "
                           << "root filesystem is read-only";
        if (mount) {
          EXPECT_FALSE(is_true(at(mount->mount, {"readOnly"}))) << where << " " << path;
        }
        ++checked;
      }
      // UPLOAD_DIR: the API stores documents, cleanup removes them; every pod must see the
      // same files, so a shared claim.
      const bool uploads =
          !args.empty() && (args[0] == "serve" || (args.size() == 2 && args[1] == "cleanup"));
      if (!uploads) continue;
      const auto upload_dir = absolute(settings->storage.upload_dir);
      const auto mount = mount_holding(pod, container, upload_dir);
      ASSERT_TRUE(mount) << where << ": " << upload_dir << " (UPLOAD_DIR) is on no volume";
      EXPECT_FALSE(is_true(at(mount->mount, {"readOnly"}))) << where;
      const auto claim = scalar(at(mount->volume, {"persistentVolumeClaim", "claimName"}));
      EXPECT_TRUE(shared_claims.contains(claim))
          << where << ": " << upload_dir << " must be a ReadWriteMany claim of the base, "
          << "shared by every API pod and cleanup";
      ++checked;
    }
  }
  EXPECT_GE(checked, 21 + 2);  // 7 containers x 3 log paths, 2 upload dirs
}

TEST(K8sManifestsTest, ServiceIngressAutoscalerAndBudgetFitTheApi) {
  const auto m = load_manifests();
  const auto pods = pods_of(m.base);
  const auto api = find_api(pods);
  ASSERT_TRUE(api);
  const auto settings = container_settings(m, api->container, api->pod.where());
  ASSERT_TRUE(settings);
  const auto deployment = api->pod.workload;

  const auto service = m.find("Service", "pend-server");
  ASSERT_TRUE(service);
  const auto selector = at(service->node, {"spec", "selector"});
  EXPECT_EQ(scalar(at(service->node, {"spec", "type"})), "ClusterIP");
  EXPECT_TRUE(selector_matches(selector, api->pod.labels)) << "the Service selects the API";
  for (const auto& pod : pods) {
    if (!pod.workload.node.is(deployment.node)) {
      EXPECT_FALSE(selector_matches(selector, pod.labels)) << "the Service selects " << pod.where();
    }
  }

  const auto ingresses = m.of_kind("Ingress");
  ASSERT_EQ(ingresses.size(), 1u);
  const auto& ingress = ingresses.front().node;
  EXPECT_EQ(scalar(at(ingress, {"spec", "ingressClassName"})), "nginx");
  const auto annotations = at(ingress, {"metadata", "annotations"});
  const auto body_size =
      nginx_size(scalar(at(annotations, {"nginx.ingress.kubernetes.io/proxy-body-size"})));
  ASSERT_TRUE(body_size) << "ingress.yaml: proxy-body-size";
  EXPECT_EQ(*body_size, settings->kyc.max_document_bytes)
      << "ingress.yaml: proxy-body-size must be kyc.max_document_bytes, the upload's limit";
  EXPECT_EQ(scalar(at(annotations, {"nginx.ingress.kubernetes.io/proxy-request-buffering"})),
            "off");
  std::set<std::string> tls_hosts;
  for (const auto& tls : items(at(ingress, {"spec", "tls"}))) {
    EXPECT_FALSE(scalar(at(tls, {"secretName"})).empty()) << "ingress.yaml: tls secretName";
    for (const auto& host : strings(at(tls, {"hosts"}))) tls_hosts.insert(host);
  }
  const auto rules = items(at(ingress, {"spec", "rules"}));
  ASSERT_FALSE(rules.empty());
  for (const auto& rule : rules) {
    EXPECT_TRUE(tls_hosts.contains(scalar(at(rule, {"host"})))) << "a rule's host without TLS";
    for (const auto& path : items(at(rule, {"http", "paths"}))) {
      EXPECT_EQ(scalar(at(path, {"backend", "service", "name"})), service->name());
      const auto port = at(path, {"backend", "service", "port"});
      bool found = false;
      for (const auto& declared : items(at(service->node, {"spec", "ports"}))) {
        found = found || scalar(at(declared, {"name"})) == scalar(at(port, {"name"})) ||
                scalar(at(declared, {"port"})) == scalar(at(port, {"number"}));
      }
      EXPECT_TRUE(found) << "ingress.yaml: the backend port is none of the Service's";
    }
  }

  const auto hpas = m.of_kind("HorizontalPodAutoscaler");
  ASSERT_EQ(hpas.size(), 1u);
  const auto& hpa = hpas.front().node;
  EXPECT_EQ(scalar(at(hpa, {"apiVersion"})), "autoscaling/v2");
  EXPECT_EQ(scalar(at(hpa, {"spec", "scaleTargetRef", "kind"})), "Deployment");
  EXPECT_EQ(scalar(at(hpa, {"spec", "scaleTargetRef", "name"})), deployment.name());
  EXPECT_EQ(integer(at(hpa, {"spec", "minReplicas"})), 3);
  EXPECT_EQ(integer(at(hpa, {"spec", "maxReplicas"})), 10);
  const auto metrics = items(at(hpa, {"spec", "metrics"}));
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(scalar(at(metrics[0], {"resource", "name"})), "cpu");
  EXPECT_EQ(scalar(at(metrics[0], {"resource", "target", "type"})), "Utilization");
  EXPECT_EQ(integer(at(metrics[0], {"resource", "target", "averageUtilization"})), 70);
  EXPECT_FALSE(scalar(at(api->container, {"resources", "requests", "cpu"})).empty())
      << "CPU utilization is a share of the request: the API container needs one";
  EXPECT_EQ(integer(at(deployment.node, {"spec", "replicas"})), 3);

  const auto budgets = m.of_kind("PodDisruptionBudget");
  ASSERT_EQ(budgets.size(), 1u);
  const auto& pdb = budgets.front().node;
  EXPECT_EQ(integer(at(pdb, {"spec", "minAvailable"})), 2);
  const auto pdb_selector = at(pdb, {"spec", "selector", "matchLabels"});
  EXPECT_TRUE(selector_matches(pdb_selector, api->pod.labels));
  for (const auto& pod : pods) {
    if (!pod.workload.node.is(deployment.node)) {
      EXPECT_FALSE(selector_matches(pdb_selector, pod.labels)) << "the PDB covers " << pod.where();
    }
  }
}

TEST(K8sManifestsTest, TheMigrationJobRunsBeforeEachRollout) {
  const auto m = load_manifests();
  const auto jobs = m.of_kind("Job");
  ASSERT_EQ(jobs.size(), 1u);
  const auto annotations = at(jobs.front().node, {"metadata", "annotations"});
  EXPECT_EQ(scalar(at(annotations, {"argocd.argoproj.io/hook"})), "PreSync");
  EXPECT_EQ(scalar(at(annotations, {"helm.sh/hook"})), "pre-install,pre-upgrade");
  EXPECT_TRUE(integer(at(jobs.front().node, {"spec", "backoffLimit"})));
  EXPECT_EQ(scalar(at(jobs.front().node, {"metadata", "labels", "app.kubernetes.io/component"})),
            "migrate")
      << "the kubectl steps in job-migrate.yaml select it by this label";
  const auto config_map = m.find("ConfigMap", m.config_name);
  ASSERT_TRUE(config_map);
  EXPECT_EQ(scalar(at(config_map->node, {"metadata", "labels", "app.kubernetes.io/component"})),
            "config")
      << "the kubectl steps apply the ConfigMap with the Job by this label";
}

TEST(K8sManifestsTest, TheBackupDumpsTheDatabaseToAClaim) {
  const auto m = load_manifests();
  const auto cron_jobs = m.of_kind("CronJob");
  ASSERT_EQ(cron_jobs.size(), 1u);
  const auto& cron = cron_jobs.front().node;
  std::istringstream fields(scalar(at(cron, {"spec", "schedule"})));
  EXPECT_EQ(std::distance(std::istream_iterator<std::string>(fields),
                          std::istream_iterator<std::string>()),
            5)
      << "a five-field cron schedule";
  EXPECT_EQ(scalar(at(cron, {"spec", "concurrencyPolicy"})), "Forbid");
  const auto pods = pods_of(cron_jobs);
  ASSERT_EQ(pods.size(), 1u);
  const auto containers = pods.front().containers();
  ASSERT_EQ(containers.size(), 1u);
  const auto& container = containers.front();
  EXPECT_EQ(image_repository(scalar(at(container, {"image"}))), "postgres")
      << "pg_dump comes from the postgres image";
  std::string script;
  for (const auto& word : strings(at(container, {"command"}))) script += word + " ";
  for (const auto& word : strings(at(container, {"args"}))) script += word + " ";
  EXPECT_NE(script.find("pg_dump --format=custom"), std::string::npos)
      << "scripts/db/restore reads custom-format dumps";
  EXPECT_NE(script.find("\"$DATABASE_URL\""), std::string::npos);
  EXPECT_NE(script.find(".partial"), std::string::npos) << "a failed dump must not look whole";

  const auto environment = environment_of(container, m, m.config, m.secret, "backup");
  bool from_secret = false;
  for (const auto& variable : items(at(container, {"env"}))) {
    from_secret = from_secret ||
                  (scalar(at(variable, {"name"})) == "DATABASE_URL" &&
                   scalar(at(variable, {"valueFrom", "secretKeyRef", "key"})) == "DATABASE_URL");
  }
  EXPECT_TRUE(from_secret) << "DATABASE_URL from the Secret";
  ASSERT_TRUE(environment.contains("BACKUP_DIR"));
  const auto keep = integer(YAML::Node{
      environment.contains("BACKUP_KEEP") ? environment.at("BACKUP_KEEP") : std::string{}});
  ASSERT_TRUE(keep);
  EXPECT_GE(*keep, 1);
  const auto mount = mount_holding(pods.front(), container, environment.at("BACKUP_DIR"));
  ASSERT_TRUE(mount) << "BACKUP_DIR is on no volume";
  const auto claim = scalar(at(mount->volume, {"persistentVolumeClaim", "claimName"}));
  EXPECT_TRUE(m.find("PersistentVolumeClaim", claim)) << "BACKUP_DIR must be on a claim";
}

// ---- The overlays -------------------------------------------------------------------------

TEST(K8sManifestsTest, OverlaysSetTheNamespaceTheImageAndAValidEnvironment) {
  const auto m = load_manifests();
  const auto pods = pods_of(m.base);
  const auto api = find_api(pods);
  ASSERT_TRUE(api);
  const auto known = known_variables();
  const auto secrets = secret_variables();
  ASSERT_EQ(m.of_kind("HorizontalPodAutoscaler").size(), 1u);
  ASSERT_EQ(m.of_kind("PodDisruptionBudget").size(), 1u);
  for (const auto& overlay : kOverlays) {
    const auto file = source("deploy/k8s/overlays/" + overlay + "/kustomization.yaml");
    const std::string where = "overlays/" + overlay;
    ASSERT_TRUE(fs::exists(file)) << file;
    const auto docs = load_documents(file);
    ASSERT_EQ(docs.size(), 1u) << where;
    const auto& k = docs.front().node;
    EXPECT_EQ(scalar(at(k, {"kind"})), "Kustomization") << where;
    EXPECT_EQ(strings(at(k, {"resources"})), std::vector<std::string>{"../../base"}) << where;
    EXPECT_FALSE(scalar(at(k, {"namespace"})).empty()) << where << ": a namespace";
    bool image = false;
    for (const auto& entry : items(at(k, {"images"}))) {
      if (scalar(at(entry, {"name"})) != "pend-server") continue;  // the base's repository
      image = true;
      const auto tag = scalar(at(entry, {"newTag"}));
      EXPECT_FALSE(tag.empty()) << where << ": images newTag";
      EXPECT_NE(tag, "latest") << where << ": a released tag, never latest";
    }
    EXPECT_TRUE(image) << where << ": images must set pend-server's";

    Variables config = m.config;
    auto hpa_min =
        integer(at(m.of_kind("HorizontalPodAutoscaler").front().node, {"spec", "minReplicas"}));
    auto pdb_min =
        integer(at(m.of_kind("PodDisruptionBudget").front().node, {"spec", "minAvailable"}));
    auto api_replicas = integer(at(api->pod.workload.node, {"spec", "replicas"}));
    for (const auto& entry : items(at(k, {"patches"}))) {
      const auto text = scalar(at(entry, {"patch"}));
      ASSERT_FALSE(text.empty()) << where << ": patches are inline (patch: |-)";
      YAML::Node patch{YAML::NodeType::Undefined};
      try {
        patch.reset(YAML::Load(text));
      } catch (const YAML::Exception& error) {
        ADD_FAILURE() << where << ": a patch that is not YAML: " << error.what();
        continue;
      }
      if (patch.IsSequence()) {  // JSON 6902: its target must be in the base
        const auto target = at(entry, {"target"});
        EXPECT_TRUE(m.find(scalar(at(target, {"kind"})), scalar(at(target, {"name"}))))
            << where << ": a patch of a resource the base lacks";
        continue;
      }
      const Doc doc{where, patch};
      EXPECT_TRUE(m.find(doc.kind(), doc.name()))
          << where << ": a patch of " << doc.kind() << " " << doc.name() << ", not in the base";
      if (doc.kind() == "ConfigMap") {
        for (const auto& [name, value] : string_map(at(patch, {"data"}))) {
          EXPECT_TRUE(known.contains(name)) << where << ": " << name << " is no config key";
          EXPECT_FALSE(secrets.contains(name)) << where << ": " << name << " is a secret";
          config[name] = value;
        }
      } else if (doc.kind() == "HorizontalPodAutoscaler") {
        if (const auto n = integer(at(patch, {"spec", "minReplicas"}))) hpa_min = n;
      } else if (doc.kind() == "PodDisruptionBudget") {
        if (const auto n = integer(at(patch, {"spec", "minAvailable"}))) pdb_min = n;
      }
    }
    for (const auto& entry : items(at(k, {"replicas"}))) {
      const auto name = scalar(at(entry, {"name"}));
      const auto target = m.find("Deployment", name);
      ASSERT_TRUE(target) << where << ": replicas of " << name << ", not in the base";
      if (name == api->pod.workload.name()) {
        api_replicas = integer(at(entry, {"count"}));
      } else {
        EXPECT_EQ(integer(at(entry, {"count"})), 1) << where << ": " << name << " is a "
                                                    << "singleton worker";
      }
    }
    ASSERT_TRUE(hpa_min && pdb_min && api_replicas) << where;
    EXPECT_GT(*hpa_min, *pdb_min)
        << where << ": at HPA minReplicas the budget must still allow one eviction";
    EXPECT_GE(*api_replicas, *hpa_min) << where;

    // The overlay's configuration loads, as the environment the overlay is named for.
    for (const auto& pod : pods) {
      for (const auto& container : pod.containers()) {
        if (!is_pend_server(container)) continue;
        const auto settings = container_settings(m, container, where + " " + pod.where(), &config);
        if (settings) {
          EXPECT_EQ(config::to_string(settings->environment), overlay) << where;
        }
      }
    }
  }
}

// ---- Docker Compose -----------------------------------------------------------------------

// A mapping with YAML merge keys (<<) applied: yaml-cpp 0.7 leaves them as plain keys. A
// later entry replaces an earlier one by erase and emplace: assigning over a YAML::Node
// would overwrite the node it refers to (an anchor other services share).
std::map<std::string, YAML::Node> flatten(const YAML::Node& node) {
  std::map<std::string, YAML::Node> out;
  if (!node.IsDefined() || !node.IsMap()) return out;
  const auto put = [&out](const std::string& key, const YAML::Node& value) {
    out.erase(key);
    out.emplace(key, value);
  };
  const auto merge = at(node, {"<<"});
  std::vector<YAML::Node> bases = items(merge);
  if (merge.IsDefined() && merge.IsMap()) bases.push_back(merge);
  for (const auto& base : bases) {
    for (const auto& [key, value] : flatten(base)) put(key, value);
  }
  for (const auto& item : node) {
    const auto key = item.first.as<std::string>();
    if (key != "<<") put(key, item.second);
  }
  return out;
}

std::vector<std::string> words(const YAML::Node& node) {
  if (node.IsDefined() && node.IsSequence()) return strings(node);
  std::vector<std::string> out;
  std::istringstream text(scalar(node));
  for (std::string word; text >> word;) out.push_back(word);
  return out;
}

// The variable names of an env_file (KEY=VALUE lines, `export ` and # comments allowed).
std::vector<std::string> env_file_names(const fs::path& file) {
  std::vector<std::string> names;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    std::string_view text = std::string_view{line}.substr(start);
    if (text.starts_with("export ")) text.remove_prefix(7);
    const auto equals = text.find('=');
    names.emplace_back(text.substr(0, equals));
    while (!names.back().empty() && (names.back().back() == ' ' || names.back().back() == '\t'))
      names.back().pop_back();
  }
  return names;
}

// env_file: a path, or a list of paths or of {path: ...}. The file itself when it exists,
// else its committed FILE.example (the real one holds secrets and stays out of git).
std::vector<fs::path> env_files(const YAML::Node& node, const fs::path& dir) {
  std::vector<std::string> paths;
  if (node.IsDefined() && node.IsScalar()) paths.push_back(scalar(node));
  for (const auto& item : items(node)) {
    paths.push_back(item.IsMap() ? scalar(at(item, {"path"})) : scalar(item));
  }
  std::vector<fs::path> out;
  for (const auto& path : paths) {
    const auto file = dir / path;
    if (fs::exists(file)) {
      out.push_back(file);
    } else if (fs::exists(file.string() + ".example")) {
      out.push_back(file.string() + ".example");
    }
  }
  return out;
}

void check_compose_file(const std::string& relative) {
  const auto file = source(relative);
  if (!fs::exists(file)) GTEST_SKIP() << relative << " does not exist (yet): nothing to check";
  const auto docs = load_documents(file);
  ASSERT_EQ(docs.size(), 1u) << relative;
  const auto known = known_variables();
  const auto names = app::worker_names();
  const std::set<std::string> workers(names.begin(), names.end());
  const auto services = flatten(at(docs.front().node, {"services"}));
  ASSERT_FALSE(services.empty()) << relative << ": no services";
  int pend_services = 0;
  for (const auto& [service_name, service_node] : services) {
    const auto service = flatten(service_node);
    const std::string where = relative + ": service " + service_name;
    const auto field = [&](const char* key) {
      const auto it = service.find(key);
      return it == service.end() ? YAML::Node{YAML::NodeType::Undefined} : it->second;
    };
    const bool pend = scalar(field("image")).find("pend-server") != std::string::npos ||
                      field("build").IsDefined();
    if (!pend) continue;  // postgres, redis...: their variables are their own
    ++pend_services;
    std::vector<std::string> variables;
    const auto environment = field("environment");
    if (environment.IsDefined() && environment.IsMap()) {
      for (const auto& [name, value] : flatten(environment)) variables.push_back(name);
    } else {
      for (const auto& entry : strings(environment))
        variables.push_back(entry.substr(0, entry.find('=')));
    }
    for (const auto& name : variables) {
      EXPECT_TRUE(known.contains(name)) << where << ": " << name << " is no configuration key";
    }
    for (const auto& env_file : env_files(field("env_file"), file.parent_path())) {
      const auto shown = fs::relative(env_file, source("")).string();
      for (const auto& name : env_file_names(env_file)) {
        EXPECT_TRUE(known.contains(name))
            << where << ": " << shown << ": " << name << " is no configuration key";
      }
    }
    const auto command = words(field("command"));
    for (std::size_t i = 0; i < command.size(); ++i) {
      if (command[i] != "worker") continue;
      ASSERT_LT(i + 1, command.size()) << where << ": `worker` without a name";
      EXPECT_TRUE(workers.contains(command[i + 1]))
          << where << ": `worker " << command[i + 1] << "` names no worker";
    }
  }
  EXPECT_GE(pend_services, 1) << relative << ": no service runs the pend-server image";
}

TEST(ComposeFilesTest, DevelopmentComposeNamesKeysAndWorkers) {
  check_compose_file("deploy/docker-compose.yml");
}

TEST(ComposeFilesTest, ProductionComposeNamesKeysAndWorkers) {
  check_compose_file("deploy/docker-compose.prod.yml");
}

}  // namespace
}  // namespace pend::test
