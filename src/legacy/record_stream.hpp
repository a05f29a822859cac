// RecordStream: the records of one legacy JSON file, one at a time, without the file ever
// sitting whole in memory (docs/development/legacy-import.md, "Containers"). The file is read
// in 1 MiB chunks through Boost.JSON's incremental SAX parser; each record is built on its
// own and handed over, then dropped.
//
// The records are the elements of a top-level array; or the members of a top-level object
// (keyed records); or, when the top object has a member named like a container ("users",
// "logs", "actions"...) whose value is an array or an object, that container's elements. A
// UTF-8 BOM is skipped. A file that stops being JSON (cut off mid-write, or garbage) keeps
// the records before that point, and the end says where and why.
//
//   const auto end = read_records_file("wallet-db.json", [&](const Record& r) { ... });
//   if (!end.complete) reject(end.error_offset, end.error);
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pend::legacy {

struct Record {
  std::uint64_t index = 0;              // 0-based position among the file's records
  std::optional<std::string_view> key;  // the member name of a keyed record
  const boost::json::value* value = nullptr;
};

struct StreamEnd {
  bool complete = true;            // the whole file was valid JSON
  std::uint64_t records = 0;       // records handed over (complete ones)
  std::uint64_t bytes = 0;         // bytes read
  std::uint64_t error_offset = 0;  // where the file stopped being JSON (when !complete)
  std::string error;               // why, in words (never the file's content)
  std::uint64_t oversized = 0;     // records skipped for being over the size limit
};

using RecordSink = std::function<void(const Record&)>;
using ProgressSink = std::function<void(std::uint64_t bytes_read)>;

// A record larger than this (its text, roughly) is not built: the sink gets it with a null
// Record::value (so the caller can reject it by index), and StreamEnd::oversized counts it.
constexpr std::size_t kMaxRecordBytes = 16 * 1024 * 1024;

// Throws std::runtime_error when the file cannot be opened or read.
StreamEnd read_records_file(const std::string& path, const RecordSink& sink,
                            const ProgressSink& progress = {});
// The same over text in memory, fed to the parser chunk bytes at a time (0: all at once).
StreamEnd read_records(std::string_view text, const RecordSink& sink, std::size_t chunk = 0);

// The container names a top-level object may wrap its records in (normalised, see
// normalise_name): users, wallets, records, entries, items, data, logs, admins, accounts,
// actions, settings, blocks, transactions, txs, tokens.
bool is_container_name(std::string_view normalised);
// A field name as the accepted shapes compare it: lower case, '_', '-' and ' ' removed.
std::string normalise_name(std::string_view name);

}  // namespace pend::legacy
