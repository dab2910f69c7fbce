#include <gtest/gtest.h>

#include <map>

#include "expr/expr.h"

namespace rampart::expr {
namespace {

DependsExpr::Lookup table(std::map<std::string, TaskResult> results) {
    return [results = std::move(results)](const std::string& task) {
        auto found = results.find(task);
        return found == results.end() ? TaskResult{} : found->second;
    };
}

TaskResult phase(TaskPhase p) { return TaskResult{p, false, false, false}; }

TEST(Depends, ParsesTasksInOrderWithoutDuplicates) {
    auto depends = parse_depends("A && (B.Succeeded || C.Failed) && !A.Errored && should-execute-2.Succeeded");
    EXPECT_EQ(depends.tasks(), (std::vector<std::string>{"A", "B", "C", "should-execute-2"}));
}

TEST(Depends, EvaluatesResults) {
    auto depends = parse_depends("A && (B.Succeeded || C.Failed)");
    EXPECT_TRUE(depends.evaluate(table(
        {{"A", phase(TaskPhase::Succeeded)}, {"B", phase(TaskPhase::Succeeded)}, {"C", phase(TaskPhase::Succeeded)}})));
    EXPECT_TRUE(depends.evaluate(
        table({{"A", phase(TaskPhase::Skipped)}, {"B", phase(TaskPhase::Failed)}, {"C", phase(TaskPhase::Failed)}})));
    EXPECT_FALSE(depends.evaluate(table(
        {{"A", phase(TaskPhase::Succeeded)}, {"B", phase(TaskPhase::Failed)}, {"C", phase(TaskPhase::Succeeded)}})));
    EXPECT_FALSE(depends.evaluate(
        table({{"A", phase(TaskPhase::Failed)}, {"B", phase(TaskPhase::Succeeded)}, {"C", phase(TaskPhase::Failed)}})));
}

TEST(Depends, BareTaskMeansSucceededSkippedOrDaemoned) {
    auto depends = parse_depends("A");
    EXPECT_TRUE(depends.evaluate(table({{"A", phase(TaskPhase::Succeeded)}})));
    EXPECT_TRUE(depends.evaluate(table({{"A", phase(TaskPhase::Skipped)}})));
    EXPECT_TRUE(depends.evaluate(table({{"A", TaskResult{TaskPhase::Running, true, false, false}}})));
    EXPECT_FALSE(depends.evaluate(table({{"A", phase(TaskPhase::Failed)}})));
    EXPECT_FALSE(depends.evaluate(table({{"A", phase(TaskPhase::Omitted)}})));
}

TEST(Depends, EachResultKeyword) {
    struct Case {
        const char* source;
        TaskResult result;
        bool expected;
    };
    const Case cases[] = {
        {"A.Succeeded", phase(TaskPhase::Succeeded), true},
        {"A.Failed", phase(TaskPhase::Failed), true},
        {"A.Errored", phase(TaskPhase::Error), true},
        {"A.Errored", phase(TaskPhase::Failed), false},
        {"A.Skipped", phase(TaskPhase::Skipped), true},
        {"A.Omitted", phase(TaskPhase::Omitted), true},
        {"A.Daemoned", TaskResult{TaskPhase::Running, true, false, false}, true},
        {"A.Daemoned", phase(TaskPhase::Succeeded), false},
        {"A.AnySucceeded", TaskResult{TaskPhase::Failed, false, true, false}, true},
        {"A.AnySucceeded", phase(TaskPhase::Failed), false},
        {"A.AllFailed", TaskResult{TaskPhase::Failed, false, false, true}, true},
        {"!A", phase(TaskPhase::Failed), true},
        {"!A", phase(TaskPhase::Succeeded), false},
        {"!!A.Failed", phase(TaskPhase::Failed), true},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(parse_depends(c.source).evaluate(table({{"A", c.result}})), c.expected) << c.source;
    }
}

TEST(Depends, OperatorPrecedenceAndBindsTighterThanOr) {
    // A || B && C  ==  A || (B && C)
    auto depends = parse_depends("A.Succeeded || B.Succeeded && C.Succeeded");
    EXPECT_TRUE(depends.evaluate(
        table({{"A", phase(TaskPhase::Succeeded)}, {"B", phase(TaskPhase::Failed)}, {"C", phase(TaskPhase::Failed)}})));
}

struct ErrorCase {
    const char* source;
    std::size_t column;
    const char* message_part;
};

class DependsErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DependsErrors, ReportColumn) {
    try {
        parse_depends(GetParam().source);
        FAIL() << GetParam().source;
    } catch (const ExprError& error) {
        EXPECT_EQ(error.column(), GetParam().column) << error.what();
        EXPECT_NE(std::string(error.what()).find(GetParam().message_part), std::string::npos) << error.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DependsErrors,
    ::testing::Values(ErrorCase{"A.Sucess", 3, "unknown task result \"Sucess\""},
                      ErrorCase{"A && B.", 8, "unknown task result \"\""}, ErrorCase{"A &&", 5, "unexpected end"},
                      ErrorCase{"(A || B", 8, "unexpected end"}, ErrorCase{"A B", 3, "unexpected 'B'"},
                      ErrorCase{"A & B", 3, "unexpected '&'"}, ErrorCase{"A && )", 6, "unexpected ')'"}));

TEST(Depends, NestingIsBounded) {
    std::string deep(300, '(');
    deep += "A";
    deep += std::string(300, ')');
    EXPECT_THROW(parse_depends(deep), ExprError);
    EXPECT_THROW(parse_depends(std::string(300, '!') + "A"), ExprError);
}

TEST(Depends, ContinueOnWidensABareReferenceButKeepsTheRealPhase) {
    TaskResult failed = phase(TaskPhase::Failed);
    failed.continue_on_failed = true;
    EXPECT_TRUE(parse_depends("A").evaluate(table({{"A", failed}})));
    EXPECT_TRUE(parse_depends("A.Failed").evaluate(table({{"A", failed}})));
    EXPECT_FALSE(parse_depends("A.Succeeded").evaluate(table({{"A", failed}})));
    TaskResult errored = phase(TaskPhase::Error);
    errored.continue_on_failed = true;  // continueOn.failed says nothing about errors
    EXPECT_FALSE(parse_depends("A").evaluate(table({{"A", errored}})));
    errored.continue_on_error = true;
    EXPECT_TRUE(parse_depends("A").evaluate(table({{"A", errored}})));
}

TEST(Depends, Resolvable) {
    auto depends = parse_depends("A || B");
    EXPECT_FALSE(depends.resolvable(table({{"A", phase(TaskPhase::Succeeded)}, {"B", phase(TaskPhase::Running)}})));
    EXPECT_TRUE(depends.resolvable(table({{"A", phase(TaskPhase::Succeeded)}, {"B", phase(TaskPhase::Failed)}})));
    EXPECT_TRUE(depends.resolvable(
        table({{"A", phase(TaskPhase::Omitted)}, {"B", TaskResult{TaskPhase::Running, true, false, false}}})));
    EXPECT_FALSE(depends.resolvable(table({{"A", phase(TaskPhase::Pending)}, {"B", phase(TaskPhase::Error)}})));
}

TEST(Depends, EmptyAndLegacyDependencies) {
    auto empty = parse_depends("  ");
    EXPECT_TRUE(empty.tasks().empty());
    EXPECT_TRUE(empty.evaluate(table({})));
    EXPECT_EQ(dependencies_to_depends({"A", "B-2", "c"}), "A && B-2 && c");
    EXPECT_EQ(dependencies_to_depends({}), "");
    auto legacy = parse_depends(dependencies_to_depends({"A", "B"}));
    EXPECT_EQ(legacy.tasks(), (std::vector<std::string>{"A", "B"}));
}

}  // namespace
}  // namespace rampart::expr
