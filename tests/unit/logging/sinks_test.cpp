// The sinks: the plan's rotating file streams (size cap within a day, new file per day,
// numbering continued after a restart, retention by age) on an injected clock, their
// filters, the console's human format, and the log.sinks grammar.
#include "logging/console_sink.hpp"
#include "logging/file_sink.hpp"
#include "logging/sink.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

namespace pend::logging {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

struct FileSinkTest : ::testing::Test {
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("pend-sink-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  FileSinkOptions options(const std::string& name, std::uint64_t max_bytes = 1 << 20) {
    return {.dir = dir,
            .name = name,
            .level = Level::info,
            .filter = Filter::all,
            .max_bytes = max_bytes,
            .retention_days = 7,
            .clock = [this] { return now; }};
  }
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
    return names;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(dir / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir;
  // 2026-11-25 23:59:50 UTC
  Clock::time_point now = Clock::time_point(std::chrono::seconds(1'795'651'190));
  RecordMeta info{Level::info, Category::api, false, false};
};

TEST_F(FileSinkTest, ADayFileThenNumberedPartsAtTheSizeCapThenANewDay) {
  const std::string line = std::string(99, 'x') + "\n";  // 100 bytes, as the writer hands it
  {
    FileSink sink(options("server", 4096));
    for (int i = 0; i < 100; ++i) sink.write(info, line);  // 10,000 bytes
    sink.flush();
    EXPECT_EQ(files(), (std::set<std::string>{"server-2026-11-25.log", "server-2026-11-25.1.log",
                                              "server-2026-11-25.2.log"}));
    EXPECT_EQ(fs::file_size(dir / "server-2026-11-25.log"), 4000u) << "whole lines only";
    EXPECT_EQ(fs::file_size(dir / "server-2026-11-25.2.log"), 2000u);
    now += 20s;  // past midnight
    sink.write(info, "tomorrow\n");
    sink.flush();
    EXPECT_EQ(read("server-2026-11-26.log"), "tomorrow\n");
  }
  // A restart the same day continues the last part, then the numbering.
  FileSink again(options("server", 4096));
  for (int i = 0; i < 41; ++i) again.write(info, line);
  again.flush();
  EXPECT_EQ(fs::file_size(dir / "server-2026-11-26.log"), 9u + 40u * 100u)
      << "the 9 bytes from before, then whole lines up to the cap";
  EXPECT_TRUE(fs::exists(dir / "server-2026-11-26.1.log"));
  EXPECT_EQ(files().size(), 5u);
}

TEST_F(FileSinkTest, ADirectoryRemovedUnderItIsMadeAgainAtTheNextFile) {
  FileSink sink(options("server"));
  sink.write(info, "before\n");
  sink.flush();
  fs::remove_all(dir);
  now += 20s;  // past midnight: the next file is opened
  sink.write(info, "after\n");
  sink.flush();
  EXPECT_EQ(read("server-2026-11-26.log"), "after\n");
  EXPECT_EQ(sink.write_failures(), 0u);
}

TEST_F(FileSinkTest, RetentionDeletesOnlyThisStreamsFilesOlderThanItsDays) {
  fs::create_directories(dir);
  for (const char* name :
       {"server-2026-11-17.log", "server-2026-11-17.3.log", "server-2026-11-18.log",
        "server-2026-11-24.log", "server-error-2026-11-01.log", "server-notes.txt",
        "server-2026-13-99x.log"}) {
    std::ofstream(dir / name) << "old\n";
  }
  FileSink sink(options("server"));  // 7 days: 2026-11-18 is the oldest day kept
  EXPECT_EQ(files(), (std::set<std::string>{"server-2026-11-18.log", "server-2026-11-24.log",
                                            "server-error-2026-11-01.log", "server-notes.txt",
                                            "server-2026-13-99x.log"}));
  now += 24h;  // the next day's first write applies retention again
  sink.write(info, "x\n");
  sink.flush();
  EXPECT_FALSE(fs::exists(dir / "server-2026-11-18.log"));
  EXPECT_TRUE(fs::exists(dir / "server-error-2026-11-01.log")) << "another stream's file";
}

TEST(SinkFilterTest, LevelsAndThePlansStreamFilters) {
  struct Probe final : Sink {
    using Sink::Sink;
    void write(const RecordMeta&, std::string_view) override {}
    void flush() override {}
    std::string_view name() const override { return "probe"; }
  };
  const Probe errors(Level::error, Filter::all);
  const Probe performance(Level::info, Filter::performance);
  const Probe security(Level::warn, Filter::security);
  const RecordMeta request{Level::info, Category::api, true, false};
  const RecordMeta failure{Level::error, Category::general, false, false};
  const RecordMeta lockout{Level::warn, Category::security, false, true};
  const RecordMeta probe{Level::info, Category::security, false, true};
  EXPECT_FALSE(errors.accepts(request));
  EXPECT_TRUE(errors.accepts(failure));
  EXPECT_TRUE(performance.accepts(request));
  EXPECT_FALSE(performance.accepts(failure));
  EXPECT_TRUE(security.accepts(lockout));
  EXPECT_FALSE(security.accepts(probe)) << "info is below the security stream's warn";
  EXPECT_FALSE(security.accepts(failure));
}

TEST(ConsoleSinkTest, ThePlansHumanFormatWithNothingThatCanForgeALine) {
  const std::string line =
      R"({"@timestamp":"2026-11-25T16:46:14.372Z","level":"WARN","message":"bad\nINFO fake",)"
      R"("request_id":"r-1","user_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7",)"
      R"("endpoint":"/api/v1/config","response_time_ms":3})";
  EXPECT_EQ(ConsoleSink::human(line, false),
            "2026-11-25 16:46:14.372 [WARN] bad\\nINFO fake | RequestID: r-1 | UserID: "
            "7c9e6679... | /api/v1/config | 3ms");
  EXPECT_EQ(ConsoleSink::human(line, true).substr(24, 14), "[\x1b[33mWARN\x1b[0m");
  EXPECT_EQ(ConsoleSink::human("not json", false), "not json");
}

TEST(SinkSpecTest, ParsesConsoleAndFileSpecsAndSaysWhatIsWrong) {
  std::string error;
  auto spec = parse_sink_spec("file server-security warn security 20MB 180d", &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->kind, SinkSpec::Kind::file);
  EXPECT_EQ(spec->name, "server-security");
  EXPECT_EQ(spec->level, Level::warn);
  EXPECT_EQ(spec->filter, Filter::security);
  EXPECT_EQ(spec->max_bytes, 20u << 20);
  EXPECT_EQ(spec->retention_days, 180u);
  spec = parse_sink_spec("console debug human", &error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->format, SinkSpec::Format::human);
  EXPECT_EQ(parse_sink_spec("file s info all 512k 1d", &error)->max_bytes, 512u << 10);

  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"console info", "expected: console LEVEL FORMAT"},
           {"console loud json", "LEVEL"},
           {"console info xml", "FORMAT"},
           {"file server info all 100MB", "expected: file NAME"},
           {"file Server info all 100MB 30d", "NAME"},
           {"file server info some 100MB 30d", "FILTER"},
           {"file server info all 10 30d", "MAX_SIZE"},
           {"file server info all 100MB 30", "RETENTION"},
           {"syslog info", "console, file or postgres"},
           {"postgres", "expected: postgres LEVEL"}}) {
    EXPECT_FALSE(parse_sink_spec(text, &error)) << text;
    EXPECT_NE(error.find(why), std::string::npos) << text << ": " << error;
  }
}

}  // namespace
}  // namespace pend::logging
