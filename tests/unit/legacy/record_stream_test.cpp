// RecordStream: the shapes a legacy file's records come in, and files cut off mid-write.
#include "legacy/record_stream.hpp"

#include "util/json.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace pend::legacy {
namespace {

struct Seen {
  std::uint64_t index;
  std::string key;  // "-" when none
  std::string value;
};

std::vector<Seen> read_all(std::string_view text, StreamEnd* end = nullptr, std::size_t chunk = 0) {
  std::vector<Seen> seen;
  const auto result = read_records(
      text,
      [&](const Record& r) {
        seen.push_back({r.index, r.key ? std::string{*r.key} : "-",
                        r.value ? util::json::serialize(*r.value) : "<too large>"});
      },
      chunk);
  if (end != nullptr) *end = result;
  return seen;
}

std::string dump(const std::vector<Seen>& seen) {
  std::string out;
  for (const auto& s : seen) out += std::to_string(s.index) + " " + s.key + " " + s.value + "\n";
  return out;
}

TEST(RecordStreamTest, ArrayElementsAreRecords) {
  StreamEnd end;
  const auto seen = read_all(R"([{"a":1},"x",2,[3],null])", &end);
  EXPECT_EQ(dump(seen), "0 - {\"a\":1}\n1 - \"x\"\n2 - 2\n3 - [3]\n4 - null\n");
  EXPECT_TRUE(end.complete);
  EXPECT_EQ(end.records, 5u);
}

TEST(RecordStreamTest, ObjectMembersAreKeyedRecords) {
  const auto seen = read_all(R"({"+447900123456":"0xabc","k2":{"tier":"1"}})");
  EXPECT_EQ(dump(seen), "0 +447900123456 \"0xabc\"\n1 k2 {\"tier\":\"1\"}\n");
}

TEST(RecordStreamTest, AContainerMemberWrapsTheRecordsAndItsSiblingsAreIgnored) {
  EXPECT_EQ(dump(read_all(R"({"version":1,"actions":[{"a":1},{"a":2}],"updatedAt":"x"})")),
            "0 - {\"a\":1}\n1 - {\"a\":2}\n");
  EXPECT_EQ(dump(read_all(R"({"Users":{"p1":"0x1","p2":"0x2"}})")), "0 p1 \"0x1\"\n1 p2 \"0x2\"\n");
}

TEST(RecordStreamTest, ScalarMembersHeldBackBecomeRecordsWhenNoWrapperComes) {
  // Settings: every member a record, the scalars in their order among the others.
  EXPECT_EQ(dump(read_all(R"({"a":1,"b":"two","c":{"d":3},"e":false})")),
            "0 a 1\n1 b \"two\"\n2 c {\"d\":3}\n3 e false\n");
}

TEST(RecordStreamTest, ByteOrderMarkIsSkipped) {
  StreamEnd end;
  const auto seen = read_all("\xEF\xBB\xBF[1,2]", &end);
  EXPECT_EQ(dump(seen), "0 - 1\n1 - 2\n");
  EXPECT_TRUE(end.complete);
}

TEST(RecordStreamTest, ATruncatedFileKeepsTheRecordsBeforeTheCut) {
  const std::string text = R"([{"a":1},{"b":2},{"c":"cut)";
  StreamEnd end;
  const auto seen = read_all(text, &end);
  EXPECT_EQ(dump(seen), "0 - {\"a\":1}\n1 - {\"b\":2}\n");
  EXPECT_FALSE(end.complete);
  EXPECT_EQ(end.records, 2u);
  EXPECT_EQ(end.error_offset, text.size());
  EXPECT_EQ(end.error, "the file ends inside a record (cut off mid-write?)");
}

TEST(RecordStreamTest, GarbageMidFileStopsThereWithItsOffset) {
  StreamEnd end;
  const auto seen = read_all(R"([1,2,}3])", &end);
  EXPECT_EQ(dump(seen), "0 - 1\n1 - 2\n");
  EXPECT_FALSE(end.complete);
  EXPECT_EQ(end.error_offset, 5u);
}

TEST(RecordStreamTest, DataAfterTheDocumentIsAnError) {
  StreamEnd end;
  EXPECT_EQ(dump(read_all("[1,2]\n  \n", &end)), "0 - 1\n1 - 2\n");
  EXPECT_TRUE(end.complete);
  const std::string text = "{\"a\":1}} {\"b\":2}";
  for (const std::size_t chunk : {0u, 4u, 5u}) {
    EXPECT_EQ(dump(read_all(text, &end, chunk)), "0 a 1\n") << chunk;
    EXPECT_FALSE(end.complete) << chunk;
    EXPECT_EQ(end.error_offset, 7u) << chunk;
  }
}

TEST(RecordStreamTest, ChunkBoundariesAnywhereGiveTheSameRecords) {
  const std::string text =
      "\xEF\xBB\xBF{\"meta\":5,\"entries\":[{\"k\":\"a long string "
      "value\",\"n\":[1,2,{\"x\":null}]},"
      "\"s\",12345678901234,-1.5e3,true]}";
  const auto whole = dump(read_all(text));
  for (std::size_t chunk = 4; chunk < text.size(); ++chunk) {
    EXPECT_EQ(dump(read_all(text, nullptr, chunk)), whole) << "chunk " << chunk;
  }
}

TEST(RecordStreamTest, EmptyFileIsNotComplete) {
  StreamEnd end;
  EXPECT_TRUE(read_all("", &end).empty());
  EXPECT_FALSE(end.complete);
  EXPECT_EQ(end.error, "the file is empty");
}

TEST(RecordStreamTest, AnOversizedRecordIsHandedOverWithoutValue) {
  std::string text = "[{\"a\":\"" + std::string(kMaxRecordBytes + 10, 'x') + "\"},{\"b\":1}]";
  StreamEnd end;
  const auto seen = read_all(text, &end);
  EXPECT_EQ(dump(seen), "0 - <too large>\n1 - {\"b\":1}\n");
  EXPECT_EQ(end.oversized, 1u);
  EXPECT_TRUE(end.complete);
}

TEST(RecordStreamTest, FilesAreReadInChunks) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("legacy-stream-" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(path);
    out << '[';
    for (int i = 0; i < 200'000; ++i) out << (i ? "," : "") << "{\"i\":" << i << "}";
    out << ']';
  }
  std::uint64_t count = 0, sum = 0, last_progress = 0;
  const auto end = read_records_file(
      path.string(),
      [&](const Record& r) {
        ++count;
        sum += static_cast<std::uint64_t>(r.value->at("i").as_int64());
      },
      [&](std::uint64_t bytes) { last_progress = bytes; });
  EXPECT_TRUE(end.complete);
  EXPECT_EQ(count, 200'000u);
  EXPECT_EQ(sum, 199'999ull * 200'000ull / 2);
  EXPECT_EQ(last_progress, std::filesystem::file_size(path));
  std::filesystem::remove(path);
  EXPECT_THROW(read_records_file(path.string(), [](const Record&) {}), std::runtime_error);
}

}  // namespace
}  // namespace pend::legacy
