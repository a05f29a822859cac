// The spool: batches kept in order on disk and found again by a new process, the byte cap,
// leftovers of an unfinished append ignored, and a batch that cannot be read kept rather
// than taken for an empty one, processes sharing a directory each in a slot of their own,
// and the batches of a slot no process holds adopted.
#include "logging/spool.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>

namespace pend::logging {
namespace {

namespace fs = std::filesystem;

struct SpoolTest : ::testing::Test {
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("pend-spool-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override {
    for (const char* slot : {"", ".1", ".2"}) fs::remove_all(dir.string() + slot);
  }
  std::vector<std::string> lines_of(Spool& spool) {
    std::vector<std::string> lines;
    std::set<fs::path> seen;
    while (auto batch = spool.oldest(seen)) {
      seen.insert(batch->path);
      lines.insert(lines.end(), batch->lines.begin(), batch->lines.end());
    }
    return lines;
  }
  fs::path dir;
};

TEST_F(SpoolTest, BatchesComeBackInOrderAlsoToTheNextProcess) {
  {
    Spool spool(dir, 1 << 20);
    EXPECT_TRUE(spool.empty());
    ASSERT_TRUE(spool.append({"a1", "a2"}));
    ASSERT_TRUE(spool.append({"b1"}, /*attempted=*/false));
    EXPECT_EQ(spool.count(), 2u);
    EXPECT_EQ(spool.bytes(), 9u);
  }
  std::ofstream(dir / "000000000009.batch.tmp") << "an append that never finished\n";
  Spool again(dir, 1 << 20);
  EXPECT_FALSE(fs::exists(dir / "000000000009.batch.tmp"));
  ASSERT_EQ(again.count(), 2u);
  auto first = again.oldest();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->lines, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_TRUE(first->attempted);
  EXPECT_EQ(again.oldest({first->path})->lines, (std::vector<std::string>{"b1"}))
      << "the next one, while the first is being delivered";
  again.remove(*first);
  const auto second = again.oldest();
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->attempted) << "set aside unsent";
  again.remove(*second);
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(again.bytes(), 0u);
  ASSERT_TRUE(again.append({"c"}));
  EXPECT_TRUE(fs::exists(dir / "000000000003.batch")) << "numbering continues";
}

TEST_F(SpoolTest, PastItsCapABatchIsRefused) {
  Spool spool(dir, 10);
  EXPECT_TRUE(spool.append({"12345678"}));  // 9 bytes with its newline
  EXPECT_FALSE(spool.append({"x"}));
  EXPECT_EQ(spool.count(), 1u);
  EXPECT_EQ(spool.bytes(), 9u);
}

TEST_F(SpoolTest, ABatchThatCannotBeReadIsKeptNotTakenForAnEmptyOne) {
  fs::create_directories(dir / "000000000001.batch");  // reading it fails (EISDIR)
  Spool spool(dir, 1 << 20);
  ASSERT_EQ(spool.count(), 1u);
  EXPECT_FALSE(spool.oldest()) << "nothing to deliver now; tried again later";
  EXPECT_EQ(spool.count(), 1u);
  EXPECT_TRUE(fs::exists(dir / "000000000001.batch"));
}

TEST_F(SpoolTest, SpoolsSharingADirectoryTakeSlotsOfTheirOwnAndNeverTouchEachOthersBatches) {
  Spool first(dir, 1 << 20);
  ASSERT_TRUE(first.append({"a1"}));
  std::ofstream(dir / "000000000002.batch.tmp") << "an append being written\n";
  Spool second(dir, 1 << 20);  // another process with the same LOG_DIR
  EXPECT_EQ(first.dir(), dir);
  EXPECT_EQ(second.dir(), fs::path(dir.string() + ".1"));
  EXPECT_TRUE(fs::exists(dir / "000000000002.batch.tmp")) << "the first spool's, left alone";
  EXPECT_TRUE(second.empty()) << "the first spool's batches are not the second's to send";
  ASSERT_TRUE(second.append({"b1"}));
  ASSERT_TRUE(first.append({"a2"}));
  EXPECT_EQ(lines_of(first), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(lines_of(second), (std::vector<std::string>{"b1"}));
  Spool third(dir, 1 << 20);
  EXPECT_EQ(third.dir(), fs::path(dir.string() + ".2"));
  EXPECT_TRUE(third.empty()) << "both slots are held: nothing adopted";
}

TEST_F(SpoolTest, TheBatchesOfASlotNoOneHoldsAreAdoptedBehindItsOwn) {
  {
    Spool first(dir, 1 << 20);
    Spool second(dir, 1 << 20);
    ASSERT_TRUE(second.append({"b1"}));
    ASSERT_TRUE(second.append({"b2"}, /*attempted=*/false));
    ASSERT_TRUE(first.append({"a1"}));
  }  // both processes end; one comes back
  Spool again(dir, 1 << 20);
  EXPECT_EQ(again.dir(), dir);
  EXPECT_EQ(again.count(), 3u);
  EXPECT_EQ(again.bytes(), 9u);
  EXPECT_EQ(lines_of(again), (std::vector<std::string>{"a1", "b1", "b2"}));
  EXPECT_FALSE(fs::exists(dir.string() + ".1")) << "the emptied slot is removed";
  EXPECT_TRUE(fs::exists(dir / "000000000003.new.batch")) << "still a batch never sent";
  ASSERT_TRUE(again.append({"c"}));
  EXPECT_TRUE(fs::exists(dir / "000000000004.batch")) << "numbering continues after them";
}

}  // namespace
}  // namespace pend::logging
