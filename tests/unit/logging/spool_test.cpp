// The spool: batches kept in order on disk and found again by a new process, the byte cap,
// leftovers of an unfinished append ignored, and a batch that cannot be read kept rather
// than taken for an empty one.
#include "logging/spool.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

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
  void TearDown() override { fs::remove_all(dir); }
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

}  // namespace
}  // namespace pend::logging
