#include "legacy/record_stream.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace pend::legacy {

namespace json = boost::json;

std::string normalise_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    if (c == '_' || c == '-' || c == ' ') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool is_container_name(std::string_view normalised) {
  static constexpr std::array<std::string_view, 15> kNames = {
      "users",    "wallets", "records",  "entries", "items",        "data", "logs",  "admins",
      "accounts", "actions", "settings", "blocks",  "transactions", "txs",  "tokens"};
  for (const auto name : kNames) {
    if (name == normalised) return true;
  }
  return false;
}

namespace {

// Members of a top-level object seen before it is clear whether the object wraps a container
// ({"version": 1, "actions": [...]}) or is itself keyed records: held back up to this many.
constexpr std::size_t kHeldBack = 64;

// The SAX handler: follows the nesting, builds each record with a value_stack, and decides
// the file's shape as it goes.
class Handler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  explicit Handler(const RecordSink& sink) : sink_(sink) {}

  std::uint64_t delivered() const { return next_index_; }
  std::uint64_t oversized() const { return oversized_; }

  // A file that ends mid-record still delivers what it held back.
  void finish() { flush_held(); }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) {
    flush_held();
    return true;
  }

  bool on_array_begin(json::error_code&) { return open(false); }
  bool on_array_end(std::size_t n, json::error_code&) { return close(n, false); }
  bool on_object_begin(json::error_code&) { return open(true); }
  bool on_object_end(std::size_t n, json::error_code&) { return close(n, true); }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    if (!in_record_ && !begin_scalar()) return true;
    if (count(s.size())) stack_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    if (!in_record_ && !begin_scalar()) return true;
    if (count(s.size())) stack_.push_string(s);
    return end_scalar();
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (in_record_) {
      if (count(s.size())) stack_.push_chars(s);
    } else {
      key_.append(s.data(), s.size());
    }
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    if (in_record_) {
      if (count(s.size())) stack_.push_key(s);
    } else {
      key_.append(s.data(), s.size());
      member_key_ = std::move(key_);
      key_.clear();
    }
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t v, json::string_view, json::error_code&) {
    if (!in_record_ && !begin_scalar()) return true;
    if (count(8)) stack_.push_int64(v);
    return end_scalar();
  }
  bool on_uint64(std::uint64_t v, json::string_view, json::error_code&) {
    if (!in_record_ && !begin_scalar()) return true;
    if (count(8)) stack_.push_uint64(v);
    return end_scalar();
  }
  bool on_double(double v, json::string_view, json::error_code&) {
    if (!in_record_ && !begin_scalar()) return true;
    if (count(8)) stack_.push_double(v);
    return end_scalar();
  }
  bool on_bool(bool v, json::error_code&) {
    if (!in_record_ && !begin_scalar()) return true;
    if (count(1)) stack_.push_bool(v);
    return end_scalar();
  }
  bool on_null(json::error_code&) {
    if (!in_record_ && !begin_scalar()) return true;
    if (count(1)) stack_.push_null();
    return end_scalar();
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  enum class Top : std::uint8_t { unknown, array, object };
  enum class Mode : std::uint8_t { undecided, keyed, wrapped };

  // Whether a value starting now, at depth_, is a record; and if it is a container whose
  // elements are the records instead (a wrapper), note that.
  enum class Place : std::uint8_t { record, wrapper, ignored, top };
  Place place(bool container) {
    if (depth_ == 0) return Place::top;
    if (top_ == Top::array) return depth_ == 1 ? Place::record : Place::ignored;
    // The top is an object.
    if (depth_ == 1) {
      if (mode_ == Mode::wrapped) return Place::ignored;  // other members beside the wrapper
      if (container && mode_ == Mode::undecided && is_container_name(normalise_name(member_key_)))
        return Place::wrapper;
      return Place::record;
    }
    if (depth_ == 2 && mode_ == Mode::wrapped && in_wrapper_) return Place::record;
    return Place::ignored;
  }

  bool open(bool object) {
    if (in_record_) {
      count(16);
      ++depth_;
      return true;
    }
    switch (place(true)) {
      case Place::top:
        top_ = object ? Top::object : Top::array;
        break;
      case Place::wrapper:
        mode_ = Mode::wrapped;
        held_.clear();  // the wrapper's siblings are not records
        in_wrapper_ = true;
        wrapper_keyed_ = object;
        break;
      case Place::record:
        begin_record();
        break;
      case Place::ignored:
        break;
    }
    ++depth_;
    return true;
  }

  bool close(std::size_t n, bool object) {
    --depth_;
    if (in_record_) {
      if (!oversized_now_) object ? stack_.push_object(n) : stack_.push_array(n);
      if (depth_ == record_depth_) end_record();
      return true;
    }
    if (in_wrapper_ && depth_ == 1) in_wrapper_ = false;
    return true;
  }

  // A scalar in a record position starts (and ends) a record; elsewhere it is ignored.
  bool begin_scalar() {
    if (place(false) != Place::record) return false;
    begin_record();
    scalar_ = true;
    return true;
  }
  bool end_scalar() {
    if (scalar_ && in_record_ && depth_ == record_depth_) end_record();
    return true;
  }

  void begin_record() {
    in_record_ = true;
    scalar_ = false;
    record_depth_ = depth_;
    record_bytes_ = 0;
    oversized_now_ = false;
    stack_.reset();  // drops what an oversized record left, while its memory is still there
    resource_.emplace(buffer_.get(), kBuffer);
    stack_.reset(json::storage_ptr(&*resource_));
    record_key_.reset();
    if (top_ == Top::object && (depth_ == 1 || wrapper_keyed_)) record_key_ = member_key_;
  }

  // Counts a record's size; false once over the limit (the rest of it is not built).
  bool count(std::size_t bytes) {
    if (oversized_now_) return false;
    record_bytes_ += bytes;
    if (record_bytes_ <= kMaxRecordBytes) return true;
    oversized_now_ = true;
    return false;
  }

  void end_record() {
    in_record_ = false;
    scalar_ = false;
    const bool held_back = top_ == Top::object && depth_ == 1 && mode_ == Mode::undecided;
    if (oversized_now_) {
      ++oversized_;
      if (held_back) {
        flush_held();
        mode_ = Mode::keyed;
      }
      deliver(nullptr, record_key_);
      return;
    }
    json::value value = stack_.release();
    if (held_back) {
      // A scalar member may be a wrapper's sibling ("version": 1): held back for now. An
      // object or array member that is not a wrapper settles it: keyed records.
      if (!value.is_structured() && held_.size() < kHeldBack) {
        held_.emplace_back(record_key_.value_or(std::string{}), json::value(value, {}));
        return;
      }
      flush_held();
      mode_ = Mode::keyed;
    }
    deliver(&value, record_key_);
  }

  void flush_held() {
    auto held = std::move(held_);
    held_.clear();
    for (auto& [key, value] : held) deliver(&value, key);
  }

  void deliver(const json::value* value, const std::optional<std::string>& key) {
    Record record;
    record.index = next_index_++;
    if (key) record.key = *key;
    record.value = value;
    sink_(record);
  }

  static constexpr std::size_t kBuffer = 16 * 1024;
  const RecordSink& sink_;
  std::unique_ptr<unsigned char[]> buffer_{new unsigned char[kBuffer]};
  std::optional<json::monotonic_resource> resource_;
  json::value_stack stack_;

  Top top_ = Top::unknown;
  Mode mode_ = Mode::undecided;
  std::size_t depth_ = 0;
  bool in_wrapper_ = false;
  bool wrapper_keyed_ = false;
  std::string key_;         // a key of the top object or the wrapper, as its parts arrive
  std::string member_key_;  // the last complete one

  bool in_record_ = false;
  bool scalar_ = false;
  std::size_t record_depth_ = 0;
  std::size_t record_bytes_ = 0;
  bool oversized_now_ = false;
  std::optional<std::string> record_key_;

  std::vector<std::pair<std::string, json::value>> held_;
  std::uint64_t next_index_ = 0;
  std::uint64_t oversized_ = 0;
};

json::parse_options options() {
  json::parse_options opt;
  opt.max_depth = 64;
  return opt;
}

class Reader {
 public:
  explicit Reader(const RecordSink& sink) : parser_(options(), sink) {}

  // One chunk; false once the file stopped being JSON (the rest is not read).
  bool write(const char* data, std::size_t size, bool more) {
    if (!end_.complete) return false;
    if (first_ && size > 0) {
      first_ = false;
      if (size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        size -= 3;
        end_.bytes += 3;
      }
    }
    json::error_code ec;
    std::size_t used = 0;
    if (parser_.done()) {
      // The document ended: what follows may only be white space.
      while (used < size &&
             (data[used] == ' ' || data[used] == '\n' || data[used] == '\r' || data[used] == '\t'))
        ++used;
      if (used < size) ec = json::error::extra_data;
    } else {
      used = parser_.write_some(more, data, size, ec);
      if (!ec && used < size) {
        // write_some stops where the document ends; the rest gets the same test next.
        end_.bytes += used;
        return write(data + used, size - used, more);
      }
    }
    end_.bytes += used;
    if (ec) {
      end_.complete = false;
      end_.error_offset = end_.bytes;
      end_.error = more || ec != json::error::incomplete
                       ? ec.message()
                       : "the file ends inside a record (cut off mid-write?)";
      parser_.handler().finish();
      return false;
    }
    return true;
  }

  StreamEnd end() {
    end_.records = parser_.handler().delivered();
    end_.oversized = parser_.handler().oversized();
    return end_;
  }

 private:
  json::basic_parser<Handler> parser_;
  StreamEnd end_;
  bool first_ = true;
};

}  // namespace

StreamEnd read_records(std::string_view text, const RecordSink& sink, std::size_t chunk) {
  Reader reader(sink);
  if (text.empty()) {
    StreamEnd end;
    end.complete = false;
    end.error = "the file is empty";
    return end;
  }
  if (chunk == 0) chunk = text.size();
  for (std::size_t at = 0; at < text.size(); at += chunk) {
    const std::size_t n = std::min(chunk, text.size() - at);
    if (!reader.write(text.data() + at, n, at + n < text.size())) break;
  }
  return reader.end();
}

StreamEnd read_records_file(const std::string& path, const RecordSink& sink,
                            const ProgressSink& progress) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (!file) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  constexpr std::size_t kChunk = 1 << 20;
  std::vector<char> buffer(kChunk);
  Reader reader(sink);
  std::uint64_t read_total = 0;
  bool any = false;
  while (true) {
    const std::size_t got = std::fread(buffer.data(), 1, kChunk, file.get());
    if (got < kChunk && std::ferror(file.get()))
      throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    read_total += got;
    const bool more = got == kChunk;
    if (got > 0) any = true;
    if (!any && !more) {
      StreamEnd end;
      end.complete = false;
      end.error = "the file is empty";
      return end;
    }
    if (!reader.write(buffer.data(), got, more)) break;
    if (progress) progress(read_total);
    if (!more) break;
  }
  return reader.end();
}

}  // namespace pend::legacy
