#include <gtest/gtest.h>

#include "expr/expr.h"

namespace rampart::expr {
namespace {

struct WhenCase {
    const char* source;
    bool expected;
};

class When : public ::testing::TestWithParam<WhenCase> {};

TEST_P(When, Evaluates) { EXPECT_EQ(eval_when(GetParam().source), GetParam().expected) << GetParam().source; }

INSTANTIATE_TEST_SUITE_P(
    Cases, When,
    ::testing::Values(WhenCase{"heads == heads", true}, WhenCase{"Failed == Succeeded", false},
                      WhenCase{"3 < 10", true}, WhenCase{"true == true", true}, WhenCase{"10 > 9.5", true},
                      WhenCase{"'a' < 'b'", true}, WhenCase{"b < a", false}, WhenCase{"3.14 == 3.14", true},
                      WhenCase{"2024-01-01 == 2022", true}, WhenCase{"1 + 2 * 3 == 7", true},
                      WhenCase{"(1 + 2) * 3 == 9", true}, WhenCase{"2 ** 3 == 8", true}, WhenCase{"-1 < 0", true},
                      WhenCase{"!true == false", true}, WhenCase{"a == 'a'", true}, WhenCase{"1 == '1'", false},
                      WhenCase{"a == -1", false}, WhenCase{"'a' + 1 == 'a1'", true}, WhenCase{"x1 =~ '^x[0-9]$'", true},
                      WhenCase{"'abc' !~ 'z'", true}, WhenCase{"1 in (1, 2)", true},
                      WhenCase{"foo in (bar, baz)", false}, WhenCase{"true && false || true", true},
                      WhenCase{"false || true && false", false}, WhenCase{"(true ? 5 : 6) == 5", true},
                      WhenCase{"(false ? 5 : 6) == 6", true}, WhenCase{"(6 & 3) == 2", true},
                      WhenCase{"(1 << 3) == 8", true}, WhenCase{"7 % 4 == 3", true},
                      WhenCase{"[my var] == 'my var'", true}, WhenCase{"\"double\" == 'double'", true},
                      WhenCase{"false && (1 + 'x' == 2)", false}, WhenCase{"0x10 == 16", true}));

struct WhenError {
    const char* source;
    std::size_t column;
    const char* message_part;
};

class WhenErrors : public ::testing::TestWithParam<WhenError> {};

TEST_P(WhenErrors, Fails) {
    try {
        eval_when(GetParam().source);
        FAIL() << GetParam().source;
    } catch (const ExprError& error) {
        EXPECT_EQ(error.column(), GetParam().column) << GetParam().source << ": " << error.what();
        EXPECT_NE(std::string(error.what()).find(GetParam().message_part), std::string::npos) << error.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WhenErrors,
    ::testing::Values(
        // Argo substitutes a result like "hello-world" unquoted: govaluate reads hello - world.
        WhenError{"hello-world == hello-world", 6, "Value 'hello' cannot be used with the modifier '-'"},
        WhenError{"1 + 2", 0, "expected boolean result, got \"3\""},
        WhenError{"heads", 0, "expected boolean result, got \"heads\""},
        WhenError{"heads ==", 9, "Unexpected end of expression"}, WhenError{"a == b)", 7, "Unbalanced parenthesis"},
        WhenError{"a ## b", 3, "Invalid token: '##'"}, WhenError{"a==-1", 2, "Invalid token: '==-'"},
        WhenError{"!foo", 2, "Cannot transition token types from PREFIX to STRING"},
        WhenError{"steps.x.outputs == 1", 1, "No parameter 'steps' found."},
        WhenError{"'unterminated", 1, "Unclosed string literal"},
        WhenError{"'abc' < 5", 7, "cannot be used with the comparator"}, WhenError{"1 && true", 3, "logical operator"},
        WhenError{"1.2.3 == 1", 1, "Unable to parse numeric value"},
        WhenError{"{{x}} == 1", 1, "Invalid token: '{{'"}));

TEST(When, SubstitutedConditions) {
    Scope scope{{"tasks.check.outputs.result", "true"},
                {"steps.count.outputs.result", "3"},
                {"steps.flip.outputs.result", "tails"}};
    EXPECT_TRUE(eval_when(substitute("{{tasks.check.outputs.result}} == true", scope, Unresolved::Error)));
    EXPECT_TRUE(eval_when(substitute("{{steps.count.outputs.result}} < 5", scope, Unresolved::Error)));
    EXPECT_FALSE(eval_when(substitute("{{steps.flip.outputs.result}} == heads", scope, Unresolved::Error)));
}

TEST(When, NestingIsBounded) {
    std::string deep(300, '(');
    deep += "true";
    deep += std::string(300, ')');
    EXPECT_THROW(check_when(deep), ExprError);
    EXPECT_NO_THROW(check_when("(((a == b)))"));
    EXPECT_THROW(check_when("a =="), ExprError);
}

}  // namespace
}  // namespace rampart::expr
