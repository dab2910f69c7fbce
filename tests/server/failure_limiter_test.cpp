#include <gtest/gtest.h>

#include "server/failure_limiter.h"

namespace rampart::server {
namespace {

TEST(FailureLimiterTest, LocksOutAfterTooManyFailuresWithinTheWindowAndThenForgives) {
  FailureLimiter limiter({3, 10'000, 60'000});
  int64_t t = 1'000'000;
  EXPECT_TRUE(limiter.allowed("addr:1", t));
  limiter.record_failure("addr:1", t);
  limiter.record_failure("addr:1", t + 1);
  EXPECT_TRUE(limiter.allowed("addr:1", t + 2));
  limiter.record_failure("addr:1", t + 2);
  EXPECT_FALSE(limiter.allowed("addr:1", t + 3));
  EXPECT_TRUE(limiter.allowed("addr:2", t + 3));  // others are not affected
  EXPECT_FALSE(limiter.allowed("addr:1", t + 59'000));
  EXPECT_TRUE(limiter.allowed("addr:1", t + 60'003));
}

TEST(FailureLimiterTest, FailuresSpreadBeyondTheWindowDoNotAddUp) {
  FailureLimiter limiter({3, 10'000, 60'000});
  int64_t t = 0;
  for (int i = 0; i < 10; ++i) {
    limiter.record_failure("k", t);
    limiter.record_failure("k", t + 1);
    t += 20'000;
    EXPECT_TRUE(limiter.allowed("k", t));
  }
}

TEST(FailureLimiterTest, ManyDistinctKeysStayBounded) {
  FailureLimiter limiter({2, 10'000, 60'000});
  for (int i = 0; i < 250'000; ++i) limiter.record_failure("addr:" + std::to_string(i), 5);
  // Still works (no unbounded growth crashed it) and a fresh lockout still applies.
  limiter.record_failure("x", 10);
  limiter.record_failure("x", 11);
  EXPECT_FALSE(limiter.allowed("x", 12));
}

}  // namespace
}  // namespace rampart::server
