// The persistent scope: copies are independent snapshots, lookups and order are a sorted map's.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "expr/scope.h"

namespace rampart::expr {
namespace {

std::vector<std::string> names_of(const Scope& scope) {
    std::vector<std::string> names;
    scope.for_each([&](const std::string& name, const Value&) { names.push_back(name); });
    return names;
}

TEST(Scope, SetFindAndReplace) {
    Scope s{{"b", 2}, {"a", "x"}};
    s["c"] = Value::array({1, 2});
    s.set("a", "y");
    ASSERT_NE(s.find("a"), nullptr);
    EXPECT_EQ(*s.find("a"), "y");
    EXPECT_EQ(*s.find("b"), 2);
    EXPECT_EQ(*s.find("c"), Value::array({1, 2}));
    EXPECT_EQ(s.find("d"), nullptr);
    EXPECT_EQ(s.size(), 3u);
}

TEST(Scope, CopiesAreSnapshotsThatDoNotSeeLaterChanges) {
    Scope parent{{"tasks.a.status", "Succeeded"}};
    Scope child = parent;
    child["item"] = 7;
    parent["tasks.b.status"] = "Failed";
    parent["tasks.a.status"] = "Error";
    EXPECT_EQ(*child.find("tasks.a.status"), "Succeeded");
    EXPECT_EQ(child.find("tasks.b.status"), nullptr);
    EXPECT_EQ(*child.find("item"), 7);
    EXPECT_EQ(parent.find("item"), nullptr);
    EXPECT_EQ(*parent.find("tasks.a.status"), "Error");
}

TEST(Scope, IteratesInNameOrderLeafBeforeChildren) {
    Scope s{{"ab", 1}, {"a.b", 2}, {"a", 3}, {"", 4}};
    EXPECT_EQ(names_of(s), (std::vector<std::string>{"", "a", "a.b", "ab"}));
}

// Against std::map under random inserts and overwrites, with snapshots taken along the way:
// every snapshot must still equal the map as it was when it was taken.
TEST(Scope, MatchesAStdMapThroughRandomChangesAndSnapshots) {
    std::mt19937 rng(42);
    Scope scope;
    std::map<std::string, int> model;
    std::vector<std::pair<Scope, std::map<std::string, int>>> snapshots;
    for (int i = 0; i < 5000; ++i) {
        std::string name = "k" + std::to_string(rng() % 1500);
        int value = static_cast<int>(rng() % 1000);
        scope.set(name, value);
        model[name] = value;
        if (i % 500 == 0) snapshots.emplace_back(scope, model);
    }
    snapshots.emplace_back(scope, model);
    for (const auto& [snap, expected] : snapshots) {
        ASSERT_EQ(snap.size(), expected.size());
        std::vector<std::string> want;
        for (const auto& [name, value] : expected) {
            want.push_back(name);
            ASSERT_NE(snap.find(name), nullptr) << name;
            EXPECT_EQ(*snap.find(name), value) << name;
        }
        EXPECT_EQ(names_of(snap), want);
    }
}

}  // namespace
}  // namespace rampart::expr
