// pend-server: parses the subcommand and hands over to the application or a tool.
#include "app/application.hpp"
#include "app/healthcheck.hpp"
#include "app/log_sinks.hpp"
#include "app/workers.hpp"
#include "config/kyc.hpp"
#include "config/loader.hpp"
#include "db/audit_chain.hpp"
#include "db/migrations.hpp"
#include "db/partitions.hpp"
#include "db/seed.hpp"
#include "external/storage.hpp"
#include "legacy/importer.hpp"
#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"
#include "security/ed25519.hpp"
#include "security/secret_box.hpp"
#include "util/build_info.hpp"
#include "util/hex.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <limits>

extern char** environ;

namespace {

constexpr int kExitConfig = 2;

std::vector<std::string> environment_names() {
  std::vector<std::string> names;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text{*entry};
    names.emplace_back(text.substr(0, text.find('=')));
  }
  return names;
}

// Loads the settings or prints every problem and exits with code 2.
pend::config::Settings load_or_exit(pend::config::LoadOptions options) {
  options.environment_names = environment_names();
  try {
    return pend::config::load(options);
  } catch (const pend::config::ConfigError& error) {
    std::cerr << "pend-server: invalid configuration:\n";
    for (const auto& problem : error.problems()) std::cerr << "  - " << problem << '\n';
    std::exit(kExitConfig);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"pend-server: the Pend wallet, admin and PendScan backend"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", [] {
    const auto& info = pend::util::build_info();
    return std::string{info.version};
  });

  pend::config::LoadOptions options;
  std::string environment;
  std::string config_dir = "config";
  bool no_dotenv = false;
  const auto add_config_flags = [&](CLI::App* command) {
    command->add_option("--env", environment,
                        "environment: development, staging, production, test (default: PEND_ENV)");
    command->add_option("--config-dir", config_dir, "directory of <env>.toml files")
        ->envname("PEND_CONFIG_DIR")
        ->capture_default_str();
    command->add_flag("--no-dotenv", no_dotenv, "do not read the .env file");
  };
  const auto finish_options = [&] {
    options.known_workers = pend::app::worker_names();
    if (!environment.empty()) options.environment = environment;
    options.config_dir = config_dir;
    if (no_dotenv) options.dotenv_path.reset();
  };

  auto* serve = cli.add_subcommand("serve", "serve the HTTP API until SIGTERM or SIGINT");
  add_config_flags(serve);
  std::string host, port, threads;
  serve->add_option("--host", host, "address to listen on (server.host)");
  serve->add_option("--port", port, "port to listen on, 0 for any (server.port)");
  serve->add_option("--threads", threads, "event loops, 0 for one per core (server.threads)");

  bool migrate_first = false;
  serve->add_flag("--migrate", migrate_first,
                  "apply pending migrations before serving (development)");
  std::string migrations_dir = "migrations";
  const auto add_migrations_dir = [&](CLI::App* command) {
    command->add_option("--migrations-dir", migrations_dir, "directory of NNN_name.sql files")
        ->envname("PEND_MIGRATIONS_DIR")
        ->capture_default_str();
  };
  add_migrations_dir(serve);

  auto* migrate = cli.add_subcommand(
      "migrate", "apply pending database migrations (exit 1 on failure, nothing half-applied)");
  add_config_flags(migrate);
  add_migrations_dir(migrate);
  auto* migrate_status =
      migrate->add_subcommand("status", "list migrations: applied, pending, changed");
  migrate_status->fallthrough();  // --env, --no-dotenv... may follow "status"

  auto* seed = cli.add_subcommand(
      "seed",
      "create the first superadmin (ADMIN_EMAIL, ADMIN_PASSWORD) and default system "
      "configuration; idempotent");
  add_config_flags(seed);

  auto* partitions = cli.add_subcommand(
      "partitions", "create upcoming monthly partitions and drop those past retention, once");
  add_config_flags(partitions);

  auto* audit = cli.add_subcommand("audit", "the admin audit trail");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand(
      "verify",
      "walk the audit chain and its signed checkpoints; name the first row that does not match "
      "(exit 1)");
  add_config_flags(audit_verify);
  std::int64_t audit_from = 1;
  std::string audit_public_key;
  audit_verify->add_option("--from", audit_from, "start at this seq (the row before it anchors)")
      ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
  audit_verify->add_option("--public-key", audit_public_key,
                           "hex Ed25519 key the checkpoints must be signed with (default: the "
                           "one admin.audit_signing_key gives)");

  auto* kyc = cli.add_subcommand("kyc", "KYC document storage");
  kyc->require_subcommand(1);
  auto* rotate_keys = kyc->add_subcommand(
      "rotate-keys",
      "re-encrypt every document sealed under another key than storage.key_id (documents stay "
      "readable throughout; run it after adding the new key, before dropping the old)");
  add_config_flags(rotate_keys);

  auto* import_legacy = cli.add_subcommand(
      "import-legacy",
      "move the old Node.js server's JSON files into PostgreSQL: parse and check everything, "
      "report, then import each file in one transaction (idempotent); exit 0, 3 when some "
      "records were rejected, 1 on failure");
  add_config_flags(import_legacy);
  pend::legacy::ImportOptions legacy_options;
  std::vector<std::string> legacy_only;
  import_legacy->add_option("--from", legacy_options.from, "the old server's directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  import_legacy->add_flag("--dry-run", legacy_options.dry_run,
                          "parse, validate and report what would be imported; change nothing");
  import_legacy->add_flag("--verify", legacy_options.verify,
                          "re-read the files and check every accepted record is in the "
                          "database with equal content (exit 1 when not)");
  import_legacy
      ->add_option("--only", legacy_only, "import only these: wallets, logs, admin, explorer")
      ->delimiter(',')
      ->check(CLI::IsMember({"wallets", "logs", "admin", "explorer"}));
  import_legacy
      ->add_option("--rejects", legacy_options.rejects_path,
                   "where rejected records go, as JSON lines")
      ->capture_default_str();

  auto* config_cmd = cli.add_subcommand("config", "configuration tools");
  config_cmd->require_subcommand(1);
  auto* check = config_cmd->add_subcommand(
      "check", "validate the configuration and print it with secrets masked (exit 2 if invalid)");
  add_config_flags(check);

  auto* healthcheck = cli.add_subcommand(
      "healthcheck", "GET the readiness (or liveness) route of a running server; exit 0 or 1");
  add_config_flags(healthcheck);
  std::string url;
  bool live = false;
  int timeout_ms = 3000;
  healthcheck->add_option("--url", url, "full URL (default: this config's port on 127.0.0.1)");
  healthcheck->add_flag("--live", live, "check liveness instead of readiness");
  healthcheck->add_option("--timeout-ms", timeout_ms, "give up after this long")
      ->capture_default_str()
      ->check(CLI::Range(1, 600000));
  bool quiet = false;
  healthcheck->add_flag("-q,--quiet", quiet, "print nothing");

  std::vector<std::string> worker_names;
  std::string worker_help = "run one background worker alone until SIGTERM or SIGINT:";
  for (const auto& entry : pend::app::worker_table()) {
    worker_names.emplace_back(entry.name);
    worker_help += "\n  " + std::string{entry.name} + ": " + std::string{entry.description};
  }
  auto* worker = cli.add_subcommand("worker", worker_help);
  add_config_flags(worker);
  std::string worker_name;
  worker->add_option("name", worker_name, "the worker")
      ->required()
      ->check(CLI::IsMember(worker_names));

  auto* version = cli.add_subcommand("version", "print version, git commit and build type");

  CLI11_PARSE(cli, argc, argv);
  finish_options();

  if (*version) {
    const auto& info = pend::util::build_info();
    std::cout << "pend-server " << info.version << " (commit " << info.git_commit << ", "
              << info.build_type << ")\n";
    return 0;
  }

  if (*check) {
    const auto settings = load_or_exit(options);
    std::cout << pend::config::describe(settings);
    std::cerr << "configuration is valid (" << pend::config::to_string(settings.environment)
              << ")\n";
    return 0;
  }

  if (*healthcheck) {
    if (url.empty()) {
      const auto settings = load_or_exit(options);
      url = "http://127.0.0.1:" + std::to_string(settings.server.port) +
            (live ? "/api/v1/health/live" : "/api/v1/health/ready");
    }
    const auto result = pend::app::run_healthcheck(url, std::chrono::milliseconds(timeout_ms));
    if (!quiet) {
      std::cout << (result.healthy ? "healthy" : "unhealthy");
      if (result.status != 0) std::cout << " (HTTP " << result.status << ")";
      std::cout << ": " << result.body << '\n';
    }
    return result.healthy ? 0 : 1;
  }

  if (*migrate) {
    const auto settings = load_or_exit(options);
    try {
      const auto files = pend::db::load_migrations(migrations_dir);
      pend::db::Migrator migrator(settings.database.url);
      if (*migrate_status) {
        bool clean = true;
        for (const auto& row : migrator.status(files)) {
          std::printf("%03d  %-32s %-13s %s\n", row.version, row.name.c_str(), row.state.c_str(),
                      row.applied_at.c_str());
          clean = clean && row.state == "applied";
        }
        return clean ? 0 : 1;
      }
      const auto run = migrator.up(files);
      for (const auto& row : run.applied) {
        std::printf("applied %03d_%s (%lld ms)\n", row.version, row.name.c_str(), row.duration_ms);
      }
      std::printf("%zu migration(s) applied; the schema is up to date\n", run.applied.size());
      return 0;
    } catch (const pend::db::DatabaseError& error) {
      std::cerr << "pend-server migrate: " << error.what() << '\n';
      return 1;
    }
  }

  if (*partitions) {
    const auto settings = load_or_exit(options);
    try {
      const auto report = pend::db::maintain_partitions(
          settings.database.url, settings.database.partition_months_ahead,
          pend::db::partition_policies(settings.database));
      std::printf("%d partition(s) created, %zu dropped\n", report.created, report.dropped.size());
      for (const auto& name : report.dropped) std::printf("dropped %s\n", name.c_str());
      return 0;
    } catch (const pend::db::DatabaseError& error) {
      std::cerr << "pend-server partitions: " << error.what() << '\n';
      if (error.sqlstate() == "42883") std::cerr << "(run pend-server migrate first)\n";
      return 1;
    }
  }

  if (*audit_verify) {
    const auto settings = load_or_exit(options);
    try {
      std::string public_key = audit_public_key;
      if (public_key.empty()) {
        const auto seed = pend::security::key_from_hex(settings.admin.signing_key_hex());
        public_key = pend::util::to_hex(pend::security::Ed25519Key(seed.value()).public_key());
      }
      pend::db::BlockingSession session(settings.database.url);
      const auto report =
          pend::db::verify_audit_chain(session, {.from_seq = audit_from, .public_key = public_key});
      if (report.problem) {
        std::printf("FAILED at seq %lld: %s\n", static_cast<long long>(report.problem->seq),
                    report.problem->what.c_str());
        return 1;
      }
      std::printf(
          "ok: %lld row(s) from seq %lld chain up to the head (seq %lld); %lld signed "
          "checkpoint(s) verify with key %s\n",
          static_cast<long long>(report.rows), static_cast<long long>(audit_from),
          static_cast<long long>(report.head_seq), static_cast<long long>(report.checkpoints),
          public_key.c_str());
      return 0;
    } catch (const std::exception& error) {
      std::cerr << "pend-server audit verify: " << error.what() << '\n';
      return 2;
    }
  }

  if (*rotate_keys) {
    const auto settings = load_or_exit(options);
    try {
      const auto keys = pend::config::storage_keys(settings.storage);
      pend::external::LocalStorage storage(settings.storage.upload_dir, keys);
      pend::db::BlockingSession session(settings.database.url);
      long long rotated = 0, current = 0, failed = 0;
      const auto rows =
          session.exec("SELECT id, storage_key FROM kyc_documents WHERE key_id <> $1 ORDER BY id",
                       {keys.current});
      for (int i = 0; i < rows.size(); ++i) {
        try {
          if (storage.rekey(rows.value(i, 1))) {
            ++rotated;
          } else {
            ++current;
          }
          session.exec("UPDATE kyc_documents SET key_id = $2 WHERE id = $1::uuid",
                       {rows.value(i, 0), keys.current});
        } catch (const pend::external::StorageError& error) {
          ++failed;
          std::cerr << "document " << rows.value(i, 0) << ": " << error.what() << '\n';
        }
      }
      std::printf(
          "%lld document(s) re-encrypted under key %s, %lld under it already, %lld failed\n",
          rotated, keys.current.c_str(), current, failed);
      return failed == 0 ? 0 : 1;
    } catch (const std::exception& error) {
      std::cerr << "pend-server kyc rotate-keys: " << error.what() << '\n';
      return 2;
    }
  }

  if (*import_legacy) {
    const auto settings = load_or_exit(options);
    const auto logger = pend::app::make_logger(settings);
    pend::logging::set_global(logger.get());
    legacy_options.only = {legacy_only.begin(), legacy_only.end()};
    legacy_options.progress = ::isatty(STDERR_FILENO) == 1;
    const int status = pend::legacy::run(settings, legacy_options, std::cout);
    logger->flush();
    pend::logging::set_global(nullptr);
    return status;
  }

  if (*seed) {
    const auto settings = load_or_exit(options);
    try {
      const auto report = pend::db::seed(settings.database.url, settings.seed);
      std::printf("admin%s%s: %s\nsystem_config: %d row(s) created\n",
                  settings.seed.admin_email.empty() ? "" : " ", settings.seed.admin_email.c_str(),
                  report.admin.c_str(), report.config_rows_created);
      return 0;
    } catch (const pend::db::DatabaseError& error) {
      std::cerr << "pend-server seed: " << error.what() << '\n';
      return 1;
    }
  }

  if (*worker) {
    const auto settings = load_or_exit(options);
    pend::logging::install_crash_handler(settings.log.dir);
    try {
      const auto logger = pend::app::make_logger(settings);
      pend::logging::set_global(logger.get());
      const auto runner = pend::app::make_runner({worker_name}, settings,
                                                 {.terminal = ::isatty(STDERR_FILENO) == 1});
      boost::asio::io_context signals_loop;
      boost::asio::signal_set signals(signals_loop, SIGINT, SIGTERM);
      signals.async_wait([](const boost::system::error_code&, int) {});
      pend::logging::info("GENERAL", "WORKER_STARTED", "running one worker alone",
                          {{"worker", worker_name}});
      runner->start();
      signals_loop.run();  // until a signal
      runner->stop();      // the run in progress finishes
      pend::logging::info("GENERAL", "WORKER_STOPPED", "stopped", {{"worker", worker_name}});
      logger->flush();
      pend::logging::set_global(nullptr);
      return 0;
    } catch (const std::exception& error) {
      std::cerr << "pend-server worker: cannot start: " << error.what() << '\n';
      return 1;
    }
  }

  if (*serve) {
    if (!host.empty()) options.overrides["server.host"] = host;
    if (!port.empty()) options.overrides["server.port"] = port;
    if (!threads.empty()) options.overrides["server.threads"] = threads;
    auto settings = load_or_exit(options);
    pend::logging::install_crash_handler(settings.log.dir);
    if (migrate_first) {
      try {
        const auto run =
            pend::db::Migrator(settings.database.url).up(pend::db::load_migrations(migrations_dir));
        std::cerr << run.applied.size() << " migration(s) applied\n";
      } catch (const pend::db::DatabaseError& error) {
        std::cerr << "pend-server: migrations failed: " << error.what() << '\n';
        return 1;
      }
    }
    try {
      pend::app::ApplicationOptions app_options;
      app_options.reload = [options] {  // SIGHUP: the same sources, read again
        auto again = options;
        again.environment_names = environment_names();
        return pend::config::load(again);
      };
      pend::app::Application application(std::move(settings), std::move(app_options));
      return application.run();
    } catch (const std::exception& error) {
      std::cerr << "pend-server: cannot start: " << error.what() << '\n';
      return 1;
    }
  }
  return 0;
}
