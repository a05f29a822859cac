// `pend-server import-legacy`: the old Node.js server's JSON files into PostgreSQL
// (docs/development/legacy-import.md).
//
// Everything is parsed first: each file streams through the record parsers into a temporary
// staging table (COPY), and what would happen to every record (insert, already present,
// superseded by a later duplicate, rejected and why) is worked out in SQL against the
// tables. The report table is printed; a dry run stops there. Then each file is imported in
// one transaction (a process killed mid-way leaves that file's rows either all there or
// not at all, and the next run inserts exactly what is missing). --verify stages the files
// the same way and compares every accepted record with its row.
//
//   legacy::ImportOptions options{.from = "/srv/old-server"};
//   return legacy::run(settings, options, std::cout);   // 0, 3 (some rejected) or 1
#pragma once

#include "config/settings.hpp"

#include <chrono>
#include <functional>
#include <iosfwd>
#include <set>
#include <string>

namespace pend::legacy {

struct ImportOptions {
  std::string from;            // the old server's directory
  bool dry_run = false;        // parse, validate and report; change nothing
  bool verify = false;         // compare the files with the database
  std::set<std::string> only;  // wallets, logs, admin, explorer; empty: all
  std::string rejects_path = "legacy-rejects.jsonl";
  bool progress = false;  // a progress bar on stderr (a terminal)
  std::function<std::chrono::system_clock::time_point()> clock;  // default: the system's
};

constexpr int kExitImported = 0;
constexpr int kExitFailed = 1;
constexpr int kExitSomeRejected = 3;

// The groups --only takes.
bool is_group(std::string_view name);

// Runs the import (or the dry run, or the verification) and prints the report to out.
int run(const config::Settings& settings, const ImportOptions& options, std::ostream& out);

}  // namespace pend::legacy
