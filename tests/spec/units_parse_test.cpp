// Go durations and Kubernetes quantities, table-driven: what parses, to what, and what not.
#include <cmath>

#include <gtest/gtest.h>

#include "spec/units.h"

namespace rampart::spec {
namespace {

struct DurationCase {
  const char* text;
  bool bare_seconds;
  double seconds;
};

TEST(UnitsDuration, ValidDurations) {
  const DurationCase cases[] = {
      {"1h30m", false, 5400},
      {"300ms", false, 0.3},
      {"1.5h", false, 5400},
      {"-1s", false, -1},
      {"0", false, 0},
      {"+5m", false, 300},
      {"2h45m30.5s", false, 9930.5},
      {"1us", false, 1e-6},
      {"1\xC2\xB5s", false, 1e-6},
      {"100ns", false, 1e-7},
      {".5s", false, 0.5},
      {"5.s", false, 5},
      {"30", true, 30},
      {"-0", false, 0},
      {"10s", true, 10},
      {"1m1m", false, 120},
  };
  for (const auto& c : cases) {
    std::string error;
    const auto seconds = parse_duration(c.text, c.bare_seconds, &error);
    ASSERT_TRUE(seconds.has_value()) << c.text << ": " << error;
    EXPECT_NEAR(*seconds, c.seconds, 1e-9) << c.text;
  }
}

struct RejectedDuration {
  const char* text;
  bool bare_seconds;
  const char* error;
};

TEST(UnitsDuration, InvalidDurations) {
  const RejectedDuration cases[] = {
      {"5 minutes", false, "unknown unit \" minutes\" in duration \"5 minutes\""},
      {"1x", false, "unknown unit \"x\" in duration \"1x\""},
      {"", false, "invalid duration \"\": empty"},
      {"", true, "invalid duration \"\": empty"},
      {"30", false, "missing unit in duration \"30\""},
      {"1.5", true, "missing unit in duration \"1.5\""},
      {"h", false, "invalid duration \"h\""},
      {"-", false, "invalid duration \"-\""},
      {"1h-5m", false, "unknown unit \"h-\" in duration \"1h-5m\""},
      {".s", false, "invalid duration \".s\""},
      {"1d", false, "unknown unit \"d\" in duration \"1d\""},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_duration(c.text, c.bare_seconds, &error).has_value()) << c.text;
    EXPECT_EQ(error, c.error) << c.text;
  }
}

struct QuantityCase {
  const char* text;
  double value;
};

TEST(UnitsQuantity, ValidQuantities) {
  const QuantityCase cases[] = {
      {"100m", 0.1},
      {"1.5", 1.5},
      {"2Gi", 2147483648.0},
      {"1e3", 1000},
      {"500M", 5e8},
      {"1Ki", 1024},
      {"0", 0},
      {"+1", 1},
      {"-2", -2},
      {"128974848", 128974848},
      {"129e6", 129e6},
      {"123Mi", 128974848},
      {"1E-2", 0.01},
      {"5k", 5000},
      {".5", 0.5},
      {"250u", 250e-6},
      {"3n", 3e-9},
      {"1T", 1e12},
      {"1Ti", 1099511627776.0},
      {"2E", 2e18},
  };
  for (const auto& c : cases) {
    std::string error;
    const auto value = parse_quantity(c.text, &error);
    ASSERT_TRUE(value.has_value()) << c.text << ": " << error;
    EXPECT_NEAR(*value, c.value, std::abs(c.value) * 1e-12 + 1e-15) << c.text;
  }
}

TEST(UnitsQuantity, InvalidQuantities) {
  const char* const cases[] = {"1GB", "abc", "--1",   "",     "1.2.3", "1 Gi", "Gi",
                               "1k1", "1e",  "1e1.5", "0x10", "1mi",   "."};
  for (const char* text : cases) {
    std::string error;
    EXPECT_FALSE(parse_quantity(text, &error).has_value()) << text;
    EXPECT_EQ(error, std::string("invalid quantity \"") + text +
                         "\": expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)")
        << text;
  }
}

TEST(UnitsQuantity, ErrorPointerIsOptional) {
  EXPECT_FALSE(parse_quantity("nope").has_value());
  EXPECT_FALSE(parse_duration("nope", true).has_value());
}

}  // namespace
}  // namespace rampart::spec
