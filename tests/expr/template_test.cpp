#include <gtest/gtest.h>

#include "expr/expr.h"

namespace rampart::expr {
namespace {

TEST(FindTags, ReportsOffsetsKindsAndBodies) {
    auto tags = find_tags("a {{ x }} b {{= 1 + 2 }}");
    ASSERT_EQ(tags.size(), 2u);
    EXPECT_EQ(tags[0].begin, 2u);
    EXPECT_EQ(tags[0].end, 9u);
    EXPECT_FALSE(tags[0].is_expression);
    EXPECT_EQ(tags[0].body, "x");
    EXPECT_EQ(tags[1].begin, 12u);
    EXPECT_EQ(tags[1].end, 24u);
    EXPECT_TRUE(tags[1].is_expression);
    EXPECT_EQ(tags[1].body, "1 + 2");
}

TEST(FindTags, SpaceBeforeEqualsMakesASimpleTag) {
    auto tags = find_tags("{{ =x}}");
    ASSERT_EQ(tags.size(), 1u);
    EXPECT_FALSE(tags[0].is_expression);
    EXPECT_EQ(tags[0].body, "=x");
}

TEST(FindTags, UnterminatedTagHasColumn) {
    try {
        find_tags("ok {{a}} then {{ b");
        FAIL();
    } catch (const ExprError& error) {
        EXPECT_EQ(error.column(), 15u);
        EXPECT_STREQ(error.what(), "unterminated tag \"{{\" at column 15");
    }
}

Scope sample_scope() {
    return Scope{
        {"inputs.parameters.message", "hello world"},
        {"inputs.parameters.count", "3"},
        {"item", Value{{"name", "a"}, {"size", 2}}},
        {"item.name", "a"},
        {"workflow.name", "wf"},
        {"retries", 1},
    };
}

struct SubstitutionCase {
    const char* text;
    const char* expected;
};

class Substitution : public ::testing::TestWithParam<SubstitutionCase> {};

TEST_P(Substitution, Renders) {
    EXPECT_EQ(substitute(GetParam().text, sample_scope(), Unresolved::Error), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(Cases, Substitution,
                         ::testing::Values(SubstitutionCase{"echo {{inputs.parameters.message}}!", "echo hello world!"},
                                           SubstitutionCase{"{{ workflow.name }}-{{retries}}", "wf-1"},
                                           SubstitutionCase{"{{item}}", "{\"name\":\"a\",\"size\":2}"},
                                           SubstitutionCase{"{{item.name}}", "a"},
                                           SubstitutionCase{"{{=item}}", "{\"name\":\"a\",\"size\":2}"},
                                           SubstitutionCase{"{{=item.size + 1}}", "3"},
                                           SubstitutionCase{"{{=asInt(inputs.parameters.count) * 2}}", "6"},
                                           SubstitutionCase{"{{=7 / 2}}", "3.5"}, SubstitutionCase{"{{=6 / 2}}", "3"},
                                           SubstitutionCase{"{{=1e6 * 1}}", "1e+06"},
                                           SubstitutionCase{"{{=0.1 + 0.2}}", "0.30000000000000004"},
                                           SubstitutionCase{"{{=1 < 2}}", "true"},
                                           SubstitutionCase{"{{=[1, 'a']}}", "[1,\"a\"]"},
                                           SubstitutionCase{"{{=upper(workflow.name)}}-x", "WF-x"},
                                           SubstitutionCase{"no tags", "no tags"}));

TEST(Substitute, UnresolvedSimpleTagErrorNamesTheVariable) {
    try {
        substitute("x {{inputs.parameters.foo}}", sample_scope(), Unresolved::Error);
        FAIL();
    } catch (const ExprError& error) {
        EXPECT_STREQ(error.what(), "failed to resolve {{inputs.parameters.foo}}");
        EXPECT_EQ(error.column(), 3u);
    }
}

TEST(Substitute, KeepLeavesUnresolvedTagsInPlace) {
    EXPECT_EQ(substitute("{{inputs.parameters.foo}} {{workflow.name}} {{=steps.a.outputs.result}} {{=nil}}",
                         sample_scope(), Unresolved::Keep),
              "{{inputs.parameters.foo}} wf {{=steps.a.outputs.result}} {{=nil}}");
}

TEST(Substitute, ExpressionErrorColumnPointsIntoTheText) {
    try {
        substitute("ab {{= 1 + }}", sample_scope(), Unresolved::Error);
        FAIL();
    } catch (const ExprError& error) {
        EXPECT_EQ(error.column(), 11u);
        EXPECT_NE(std::string(error.what()).find("unexpected end of expression"), std::string::npos);
    }
    EXPECT_THROW(substitute("{{=nil}}", sample_scope(), Unresolved::Error), ExprError);
    EXPECT_THROW(substitute("{{=nope}}", sample_scope(), Unresolved::Error), ExprError);
}

TEST(Substitute, UnterminatedTagThrowsEvenWhenKeeping) {
    EXPECT_THROW(substitute("{{a", sample_scope(), Unresolved::Keep), ExprError);
}

TEST(ReferencedNames, CollectsSimpleTagsAndExpressionPaths) {
    auto names = referenced_names(
        "{{inputs.parameters.a}} {{= steps['flip-coin'].outputs.result == 'x' ? "
        "jsonpath(inputs.parameters['week-temps'], '$.a') : item.b }} {{inputs.parameters.a}} "
        "{{= map(xs, {.n}) }}");
    EXPECT_EQ(names, (std::vector<std::string>{"inputs.parameters.a", "steps.flip-coin.outputs.result",
                                               "inputs.parameters.week-temps", "item.b", "xs"}));
}

TEST(ExpandScope, ChildrenWinOverScalarLeafAndObjectsMerge) {
    Scope scope{{"a", "leaf"}, {"a.b", 1}, {"item", Value{{"x", 1}}}, {"item.y", 2}, {"p.q.r", "s"}};
    EXPECT_EQ(expand_scope(scope).dump(), R"({"a":{"b":1},"item":{"x":1,"y":2},"p":{"q":{"r":"s"}}})");
}

struct FloatCase {
    double value;
    const char* text;
};

class GoFloatFormat : public ::testing::TestWithParam<FloatCase> {};

TEST_P(GoFloatFormat, MatchesGoPercentV) { EXPECT_EQ(to_template_string(GetParam().value), GetParam().text); }

INSTANTIATE_TEST_SUITE_P(Cases, GoFloatFormat,
                         ::testing::Values(FloatCase{3.0, "3"}, FloatCase{2.5, "2.5"}, FloatCase{-0.5, "-0.5"},
                                           FloatCase{123456.0, "123456"}, FloatCase{1234567.0, "1.234567e+06"},
                                           FloatCase{0.0001, "0.0001"}, FloatCase{0.00001, "1e-05"},
                                           FloatCase{1e21, "1e+21"}, FloatCase{15.5, "15.5"}));

TEST(ToTemplateString, ScalarsAndNull) {
    EXPECT_EQ(to_template_string(Value(nullptr)), "");
    EXPECT_EQ(to_template_string(Value(true)), "true");
    EXPECT_EQ(to_template_string(Value(42)), "42");
    EXPECT_EQ(to_template_string(Value("raw \"s\"")), "raw \"s\"");
}

}  // namespace
}  // namespace rampart::expr
