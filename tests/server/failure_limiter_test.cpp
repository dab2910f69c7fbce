#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "server/failure_limiter.h"
#include "server/router.h"

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

TEST(FailureLimiterTest, ManyDistinctKeysStayBoundedAndAFloodDoesNotLiftALockout) {
  FailureLimiter limiter({2, 10'000, 60'000});
  limiter.record_failure("addr:attacker", 1);
  limiter.record_failure("addr:attacker", 2);
  ASSERT_FALSE(limiter.allowed("addr:attacker", 3));
  // Then a flood of fresh keys (other addresses, made-up token ids), all still inside the window.
  for (int i = 0; i < 250'000; ++i) {
    limiter.record_failure("token:" + std::to_string(i), 5);
    ASSERT_LE(limiter.tracked_keys(), 100'000u) << i;
  }
  EXPECT_FALSE(limiter.allowed("addr:attacker", 10));
  // And a fresh lockout still applies.
  limiter.record_failure("x", 10);
  limiter.record_failure("x", 11);
  EXPECT_FALSE(limiter.allowed("x", 12));
}

TEST(FailureLimiterTest, StaleEntriesAreDroppedFirstWhenFull) {
  FailureLimiter limiter({5, 1'000, 1'000});
  for (int i = 0; i < 100'000; ++i) limiter.record_failure("old:" + std::to_string(i), 0);
  EXPECT_EQ(limiter.tracked_keys(), 100'000u);
  limiter.record_failure("new", 10'000);  // every old entry's window has passed
  EXPECT_EQ(limiter.tracked_keys(), 1u);
}

TEST(FailureLimiterTest, SuccessForgetsCountedFailuresButNotALockout) {
  FailureLimiter limiter({3, 10'000, 60'000});
  limiter.record_failure("k", 0);
  limiter.record_failure("k", 1);
  limiter.record_success("k");
  limiter.record_failure("k", 2);
  limiter.record_failure("k", 3);
  EXPECT_TRUE(limiter.allowed("k", 4));  // the count started over
  limiter.record_failure("k", 5);
  EXPECT_FALSE(limiter.allowed("k", 6));
  limiter.record_success("k");
  EXPECT_FALSE(limiter.allowed("k", 7));
}

TEST(FailureLimiterTest, FailuresWhileLockedOutDoNotExtendTheLockout) {
  FailureLimiter limiter({2, 10'000, 60'000});
  limiter.record_failure("k", 0);
  limiter.record_failure("k", 1);  // locked until 60'001
  for (int64_t t = 2; t < 60'000; t += 1'000) limiter.record_failure("k", t);
  EXPECT_FALSE(limiter.allowed("k", 60'000));
  EXPECT_TRUE(limiter.allowed("k", 60'001));
}

TEST(FailureLimiterTest, ExpiredEntriesAreSweptWithoutWaitingForTheTableToFill) {
  FailureLimiter limiter({5, 1'000, 1'000});
  for (int i = 0; i < 1'000; ++i) limiter.record_failure("addr:10.0.0." + std::to_string(i), 0);
  EXPECT_EQ(limiter.tracked_keys(), 1'000u);
  // Long after their window: the next sweep drops them all, keeping only the live key.
  for (uint64_t i = 0; i < FailureLimiter::kSweepEvery; ++i) limiter.record_failure("live", 100'000 + (i % 2));
  EXPECT_EQ(limiter.tracked_keys(), 1u);
}

TEST(FailureLimiterTest, GuessesAtATokenIdFromOneAddressDoNotLockItOutFromAnother) {
  // Keys as the Router makes them: per address, and per (address, token id).
  FailureLimiter limiter({10, 60'000, 60'000});
  const std::string owner_token = "rampart_0123456789abcdef_" + std::string(64, 'a');
  const std::string wrong_secret = "rampart_0123456789abcdef_" + std::string(64, 'b');
  for (int i = 0; i < 10; ++i) {
    limiter.record_failure(Router::address_key("203.0.113.9"), i);
    limiter.record_failure(Router::token_key("203.0.113.9", wrong_secret), i);
  }
  EXPECT_FALSE(limiter.allowed(Router::address_key("203.0.113.9"), 20));
  EXPECT_FALSE(limiter.allowed(Router::token_key("203.0.113.9", owner_token), 20));
  EXPECT_TRUE(limiter.allowed(Router::address_key("192.0.2.1"), 20));
  EXPECT_TRUE(limiter.allowed(Router::token_key("192.0.2.1", owner_token), 20));
}

TEST(FailureLimiterTest, IsSafeToUseFromManyThreads) {
  FailureLimiter limiter({1'000'000, 60'000, 60'000});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&limiter, t] {
      for (int i = 0; i < 20'000; ++i) {
        limiter.record_failure("k" + std::to_string((i + t) % 50), i);
        (void)limiter.allowed("k" + std::to_string(i % 50), i);
        if (i % 7 == 0) limiter.record_success("k" + std::to_string(i % 50));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(limiter.tracked_keys(), 50u);
}

}  // namespace
}  // namespace rampart::server
