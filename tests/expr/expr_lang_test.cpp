#include <gtest/gtest.h>

#include "expr/expr.h"

namespace rampart::expr {
namespace {

Value argo_env() {
    Scope scope{
        {"steps.flip-coin.outputs.result", "heads"},
        {"steps.heads.outputs.result", "it was heads"},
        {"steps.tails.outputs.result", "it was tails"},
        {"inputs.parameters.foo", "7"},
        {"inputs.parameters.should-print", "true"},
        {"inputs.parameters.week-temps", R"({"avg": 15.5, "days": [10, 21]})"},
        {"workflow.parameters.config",
         R"({"employees": [{"name": "a", "age": 40}, {"name": "b", "age": 43}, {"name": "c", "age": 50}]})"},
        {"workflow.creationTimestamp", "2024-03-05T07:08:09Z"},
        {"workflow.name", "wf-1"},
        {"tasks.producer.outputs.parameters.other", "x"},
        {"retries", 2},
    };
    return expand_scope(scope);
}

std::string eval_text(std::string_view source) { return eval_expr(source, argo_env()).dump(); }

struct Case {
    const char* source;
    const char* expected_json;
};

class ExprValues : public ::testing::TestWithParam<Case> {};

TEST_P(ExprValues, Evaluates) {
    const Case& c = GetParam();
    EXPECT_EQ(eval_text(c.source), c.expected_json) << c.source;
}

INSTANTIATE_TEST_SUITE_P(
    Precedence, ExprValues,
    ::testing::Values(Case{"1 + 2 * 3", "7"}, Case{"(1 + 2) * 3", "9"}, Case{"2 ** 3 ** 2", "512.0"},
                      Case{"-2 ** 2", "-4.0"}, Case{"10 - 4 - 3", "3"}, Case{"7 / 2", "3.5"}, Case{"8 / 4", "2.0"},
                      Case{"7 % 3", "1"}, Case{"1 + 2.5", "3.5"}, Case{"'a' + 'b'", "\"ab\""},
                      Case{"1 < 2 and 2 < 3", "true"}, Case{"true or false and false", "true"},
                      Case{"not true == false", "true"}, Case{"!false && true", "true"}, Case{"1 == 1.0", "true"},
                      Case{"'1' == 1", "false"}, Case{"nil == nil", "true"}, Case{"2 in [1, 2, 3]", "true"},
                      Case{"4 not in [1, 2, 3]", "true"}, Case{"'foo' matches '^f.o$'", "true"},
                      Case{"'foobar' contains 'oba'", "true"},
                      Case{"'foobar' startsWith 'foo' && 'foobar' endsWith 'bar'", "true"}, Case{"1..4", "[1,2,3,4]"},
                      Case{"true ? 1 : 2", "1"}, Case{"false ? 1 : true ? 2 : 3", "2"}, Case{"nil ?? 'x'", "\"x\""},
                      Case{"1 ?? 2 + 3", "4"}, Case{"'abc'[1]", "\"b\""}, Case{"[1,2,3,4][-1]", "4"},
                      Case{"[1,2,3,4][1:3]", "[2,3]"}, Case{"[1,2,3,4][:2]", "[1,2]"}, Case{"[1,2,3,4][2:]", "[3,4]"},
                      Case{"{a: 1, 'b-c': 2}['b-c']", "2"}, Case{"{a: {b: 5}}.a.b", "5"},
                      Case{"\"tab\\tquote\\\"\"", "\"tab\\tquote\\\"\""}, Case{"'\\u00e9'", "\"é\""},
                      Case{"0x10 + 1_000", "1016"}, Case{"1e3", "1000.0"}, Case{"[1, 2, 3] | map(# * 2)", "[2,4,6]"}));

INSTANTIATE_TEST_SUITE_P(
    ArgoCorpus, ExprValues,
    ::testing::Values(
        Case{"steps['flip-coin'].outputs.result == 'heads' ? steps.heads.outputs.result : steps.tails.outputs.result",
             "\"it was heads\""},
        Case{"tasks.producer.outputs.parameters.msg ?? 'expr-fallback'", "\"expr-fallback\""},
        Case{"tasks.missing.outputs.parameters.msg ?? 'expr-fallback'", "\"expr-fallback\""},
        Case{"undefinedRoot.x ?? 'fallback'", "\"fallback\""}, Case{"asInt(inputs.parameters.foo) * 10", "70"},
        Case{"asFloat(inputs.parameters.foo) / 2", "3.5"},
        Case{"jsonpath(inputs.parameters['week-temps'], '$.avg')", "15.5"},
        Case{"jsonpath(workflow.parameters.config, '$.employees[?(@.age>42 && @.age<44)].age')", "[43]"},
        Case{"sprig.date('2006', workflow.creationTimestamp)", "\"2024\""},
        Case{"inputs.parameters[\"should-print\"] == 'true'", "true"}, Case{"sprig.add(1, 2)", "3"},
        Case{"sprig.max(3, 9, 4)", "9"}, Case{"string(retries + 1)", "\"3\""}, Case{"workflow?.name", "\"wf-1\""},
        Case{"workflow.nothing?.deeper.still", "null"},
        Case{"toJson({a: [1, 'x']})", "\"{\\\"a\\\":[1,\\\"x\\\"]}\""}));

INSTANTIATE_TEST_SUITE_P(
    Builtins, ExprValues,
    ::testing::Values(Case{"len('héllo')", "6"}, Case{"len([1,2])", "2"}, Case{"abs(-3)", "3"}, Case{"int('42')", "42"},
                      Case{"int(3.9)", "3"}, Case{"float('2.5')", "2.5"}, Case{"string(2.5)", "\"2.5\""},
                      Case{"string([1, 'a'])", "\"[1 a]\""}, Case{"trim('  x ')", "\"x\""},
                      Case{"trimPrefix('prefix-x', 'prefix-')", "\"x\""}, Case{"trimSuffix('x.txt', '.txt')", "\"x\""},
                      Case{"upper('ab') + lower('CD')", "\"ABcd\""}, Case{"split('a,b,c', ',')", "[\"a\",\"b\",\"c\"]"},
                      Case{"join(['a', 'b'], '-')", "\"a-b\""}, Case{"replace('aaa', 'a', 'b')", "\"bbb\""},
                      Case{"indexOf('hello', 'l')", "2"}, Case{"hasPrefix('hello', 'he')", "true"},
                      Case{"hasSuffix('hello', 'lo')", "true"}, Case{"keys({b: 1, a: 2})", "[\"a\",\"b\"]"},
                      Case{"values({b: 1, a: 2})", "[2,1]"}, Case{"fromJSON('{\"x\": [1]}').x[0]", "1"},
                      Case{"toJSON([1])", "\"[\\n  1\\n]\""}, Case{"min(3, 1, 2)", "1"}, Case{"max([1.5, 2])", "2"},
                      Case{"first([7, 8])", "7"}, Case{"last([7, 8])", "8"}, Case{"first([])", "null"},
                      Case{"filter([1, 2, 3, 4], {# > 2})", "[3,4]"}, Case{"filter([1, 2, 3], # % 2 == 1)", "[1,3]"},
                      Case{"map([{n: 1}, {n: 2}], {.n * 10})", "[10,20]"}, Case{"all([1, 2], {# > 0})", "true"},
                      Case{"any([1, 2], {# > 1})", "true"}, Case{"none([1, 2], {# > 5})", "true"},
                      Case{"one([1, 2], {# > 1})", "true"}, Case{"count([1, 2, 3], {# >= 2})", "2"},
                      Case{"sum([1, 2, 3])", "6"}, Case{"sum([1, 2.5])", "3.5"}, Case{"sort([3, 1, 2])", "[1,2,3]"},
                      Case{"sort(['b', 'a'], 'desc')", "[\"b\",\"a\"]"}, Case{"map([5, 6], #index)", "[0,1]"},
                      Case{"reduce([1, 2, 3], #acc + #, 10)", "16"}, Case{"find([1, 5, 7], # > 4)", "5"},
                      Case{"sortBy([{n: 2}, {n: 1}], .n)", "[{\"n\":1},{\"n\":2}]"}, Case{"toBase64('hi')", "\"aGk=\""},
                      Case{"fromBase64('aGk=')", "\"hi\""}));

struct ErrorCase {
    const char* source;
    std::size_t column;
    const char* message_part;
};

class ExprErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ExprErrors, FailsWithColumn) {
    const ErrorCase& c = GetParam();
    try {
        eval_expr(c.source, argo_env());
        FAIL() << "expected an error for " << c.source;
    } catch (const ExprError& error) {
        EXPECT_EQ(error.column(), c.column) << c.source << ": " << error.what();
        EXPECT_NE(std::string(error.what()).find(c.message_part), std::string::npos) << error.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ExprErrors,
    ::testing::Values(ErrorCase{"(1 + 2))", 8, "unexpected ')' at column 8"},
                      ErrorCase{"foo(1)", 1, "unknown function \"foo\""},
                      ErrorCase{"sprig.nope(1)", 1, "unknown function \"sprig.nope\""},
                      ErrorCase{"1 + 'abc", 5, "unterminated string at column 5"},
                      ErrorCase{"missing + 1", 1, "unknown name \"missing\""},
                      ErrorCase{"'a' < 1", 5, "mismatched types string and int"},
                      ErrorCase{"'a' + 1", 5, "mismatched types string and int"},
                      ErrorCase{"1 % 0", 3, "integer divide by zero"}, ErrorCase{"[1][5]", 4, "index out of range"},
                      ErrorCase{"asInt('x1')", 1, "invalid syntax"}, ErrorCase{"1 ? 2 : 3", 3, "non-bool"},
                      ErrorCase{"1 +", 4, "unexpected end of expression"},
                      ErrorCase{"a.", 3, "unexpected end of expression"}, ErrorCase{"# > 1", 1, "unexpected '#'"},
                      ErrorCase{"'\\q'", 2, "invalid escape"}, ErrorCase{"1 @ 2", 3, "unexpected '@'"}));

TEST(ExprLang, NestingIsBounded) {
    std::string deep(300, '(');
    deep += "1";
    deep += std::string(300, ')');
    EXPECT_THROW(check_expr(deep), ExprError);
    std::string shallow(50, '(');
    shallow += "1";
    shallow += std::string(50, ')');
    EXPECT_EQ(eval_expr(shallow, Value::object()), 1);
    std::string long_chain = "1";
    for (int i = 0; i < 400; ++i) long_chain += "+1";
    EXPECT_THROW(check_expr(long_chain), ExprError);
}

TEST(ExprLang, ExpensiveEvaluationIsStopped) {
    EXPECT_THROW(eval_expr("map(1..100000, {map(1..100000, {#})})", Value::object()), ExprError);
    EXPECT_THROW(eval_expr("1..1000000000", Value::object()), ExprError);
}

TEST(ExprLang, CheckExprIsSyntaxOnly) {
    EXPECT_NO_THROW(check_expr("unknownVariable.x + 1"));
    EXPECT_THROW(check_expr("a +* b"), ExprError);
}

TEST(ExprLang, IntegerOverflowWrapsLikeGo) {
    EXPECT_EQ(eval_expr("9223372036854775807 + 1", Value::object()), Value(INT64_MIN));
}

}  // namespace
}  // namespace rampart::expr

namespace rampart::expr {
namespace {

TEST(ExprLang, DeeplyNestedJsonIsRejected) {
    std::string deep = std::string(600, '[') + std::string(600, ']');
    std::string fine = std::string(100, '[') + std::string(100, ']');
    Value env = {{"deep", deep}, {"fine", fine}};
    EXPECT_THROW(eval_expr("fromJSON(deep)", env), ExprError);
    EXPECT_THROW(eval_expr("jsonpath(deep, '$')", env), ExprError);
    EXPECT_EQ(eval_expr("sprig.fromJson(deep)", env), Value(nullptr));
    EXPECT_EQ(eval_expr("len(fromJSON(fine))", env), 1);
}

}  // namespace
}  // namespace rampart::expr
