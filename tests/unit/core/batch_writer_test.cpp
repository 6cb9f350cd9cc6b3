#include "core/batch_writer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace aic::core {
namespace {

// Long enough that a test relying on it being cut short would hang until ctest's timeout
// (a failure), never pass by waiting it out.
constexpr std::chrono::milliseconds kForever = std::chrono::hours(1);

// Collects the batches a writer hands over.
struct Batches {
  Status write(const std::vector<int>& batch) {
    {
      std::lock_guard lock(mutex);
      sizes.push_back(batch.size());
      for (int record : batch) records.push_back(record);
    }
    changed.notify_all();
    return {};
  }
  // Waits (at most a minute) until `count` records were written; false if they never were.
  bool wait_for_records(std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::minutes(1), [&] { return records.size() >= count; });
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::size_t> sizes;
  std::vector<int> records;
};

TEST(BatchWriter, WithoutLingerWritesEveryRecordInOrder) {
  Batches batches;
  {
    BatchWriter<int> writer("test", "aic-test", 4, 100,
                            [&](const std::vector<int>& batch) { return batches.write(batch); });
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(writer.submit(i));
    writer.flush();
    EXPECT_EQ(batches.records.size(), 10u);
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(batches.records[static_cast<std::size_t>(i)], i);
  for (std::size_t size : batches.sizes) EXPECT_LE(size, 4u);
}

TEST(BatchWriter, LingerGathersRecordsIntoOneBatch) {
  Batches batches;
  BatchWriter<int> writer(
      "test", "aic-test", 100, 1000,
      [&](const std::vector<int>& batch) { return batches.write(batch); }, kForever);
  for (int i = 0; i < 7; ++i) writer.submit(i);
  // Nothing is written while the writer lingers; flush() cuts the linger short.
  writer.flush();
  ASSERT_EQ(batches.sizes.size(), 1u);
  EXPECT_EQ(batches.sizes[0], 7u);
}

TEST(BatchWriter, AFullBatchIsWrittenWithoutWaitingForTheLinger) {
  Batches batches;
  BatchWriter<int> writer(
      "test", "aic-test", 5, 1000,
      [&](const std::vector<int>& batch) { return batches.write(batch); }, kForever);
  for (int i = 0; i < 5; ++i) writer.submit(i);
  ASSERT_TRUE(batches.wait_for_records(5));
  std::lock_guard lock(batches.mutex);
  EXPECT_EQ(batches.sizes, std::vector<std::size_t>{5});
}

TEST(BatchWriter, DestructorWritesWhatIsQueuedDespiteTheLinger) {
  Batches batches;
  {
    BatchWriter<int> writer(
        "test", "aic-test", 100, 1000,
        [&](const std::vector<int>& batch) { return batches.write(batch); }, kForever);
    for (int i = 0; i < 3; ++i) writer.submit(i);
  }
  EXPECT_EQ(batches.records, (std::vector<int>{0, 1, 2}));
}

TEST(BatchWriter, DropsPastTheQueueLimitAndCountsThem) {
  Batches batches;
  BatchWriter<int> writer(
      "test", "aic-test", 100, 3,
      [&](const std::vector<int>& batch) { return batches.write(batch); }, kForever);
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += writer.submit(i) ? 1 : 0;
  // The lingering writer may have taken the first records off the queue already, making
  // room for a few more; at most 3 wait in the queue at any time.
  EXPECT_EQ(static_cast<std::uint64_t>(10 - accepted), writer.dropped());
  EXPECT_GE(writer.dropped(), 1u);
  writer.flush();
  EXPECT_EQ(batches.records.size(), static_cast<std::size_t>(accepted));
}

}  // namespace
}  // namespace aic::core
