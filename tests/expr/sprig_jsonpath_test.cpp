#include <gtest/gtest.h>

#include "expr/expr.h"

namespace rampart::expr {
namespace {

Value eval(std::string_view source) {
    Value env = {{"ts", "2024-03-05T07:08:09Z"}, {"zoned", "2024-12-31T23:30:00.250-05:00"}};
    return eval_expr(source, env);
}

struct Case {
    const char* source;
    const char* expected_json;
};

class Sprig : public ::testing::TestWithParam<Case> {};

TEST_P(Sprig, Evaluates) { EXPECT_EQ(eval(GetParam().source).dump(), GetParam().expected_json) << GetParam().source; }

INSTANTIATE_TEST_SUITE_P(
    Functions, Sprig,
    ::testing::Values(
        Case{"sprig.add(1, 2)", "3"}, Case{"sprig.add('3', 4)", "7"}, Case{"sprig.add1(9)", "10"},
        Case{"sprig.sub(5, 7)", "-2"}, Case{"sprig.mul(2, 3, 4)", "24"}, Case{"sprig.div(7, 2)", "3"},
        Case{"sprig.mod(7, 4)", "3"}, Case{"sprig.max(1, 8, 3)", "8"}, Case{"sprig.min(4, -1, 3)", "-1"},
        Case{"sprig.int('12')", "12"}, Case{"sprig.int('abc')", "0"}, Case{"sprig.int64(3.7)", "3"},
        Case{"sprig.float64('1.5')", "1.5"}, Case{"sprig.toString(12)", "\"12\""}, Case{"sprig.atoi('x')", "0"},
        Case{"sprig.trim('  a  ')", "\"a\""}, Case{"sprig.trimAll('$', '$5.00$')", "\"5.00\""},
        Case{"sprig.trimPrefix('v', 'v1.2')", "\"1.2\""}, Case{"sprig.trimSuffix('.git', 'repo.git')", "\"repo\""},
        Case{"sprig.upper('ab')", "\"AB\""}, Case{"sprig.lower('AB')", "\"ab\""},
        Case{"sprig.title('hello big world')", "\"Hello Big World\""}, Case{"sprig.repeat(3, 'ab')", "\"ababab\""},
        Case{"sprig.substr(1, 3, 'hello')", "\"el\""}, Case{"sprig.contains('ell', 'hello')", "true"},
        Case{"sprig.hasPrefix('he', 'hello')", "true"}, Case{"sprig.hasSuffix('lo', 'hello')", "true"},
        Case{"sprig.replace('a', 'o', 'banana')", "\"bonono\""},
        Case{"sprig.split('.', 'a.b')", "{\"_0\":\"a\",\"_1\":\"b\"}"},
        Case{"sprig.splitList(',', 'a,b')", "[\"a\",\"b\"]"}, Case{"sprig.join('-', ['a', 1])", "\"a-1\""},
        Case{"sprig.list(1, 'a')", "[1,\"a\"]"}, Case{"sprig.dict('a', 1, 'b', 2)", "{\"a\":1,\"b\":2}"},
        Case{"sprig.get({a: 1}, 'a')", "1"}, Case{"sprig.get({a: 1}, 'z')", "\"\""},
        Case{"sprig.hasKey({a: 1}, 'a')", "true"}, Case{"sprig.default('d', '')", "\"d\""},
        Case{"sprig.default('d', 'given')", "\"given\""}, Case{"sprig.empty([])", "true"},
        Case{"sprig.empty(0)", "true"}, Case{"sprig.coalesce('', nil, 'x')", "\"x\""},
        Case{"sprig.ternary('yes', 'no', 1 > 2)", "\"no\""}, Case{"sprig.toJson({a: 1})", "\"{\\\"a\\\":1}\""},
        Case{"sprig.fromJson('{\"a\": 1}').a", "1"}, Case{"sprig.fromJson('nope')", "null"},
        Case{"sprig.b64enc('hello')", "\"aGVsbG8=\""}, Case{"sprig.b64dec('aGVsbG8=')", "\"hello\""},
        Case{"sprig.quote('a\"b', 1)", "\"\\\"a\\\\\\\"b\\\" \\\"1\\\"\""}, Case{"sprig.squote('a')", "\"'a'\""},
        Case{"sprig.cat('a', nil, 2)", "\"a 2\""}, Case{"sprig.indent(2, 'a\\nb')", "\"  a\\n  b\""},
        Case{"sprig.nindent(1, 'a')", "\"\\n a\""}, Case{"sprig.regexMatch('^[a-z]+$', 'abc')", "true"},
        Case{"sprig.regexMatch('[', 'abc')", "false"}, Case{"sprig.regexFind('[0-9]+', 'ab12cd34')", "\"12\""},
        Case{"sprig.regexFindAll('[0-9]', 'a1b2c3', 2)", "[\"1\",\"2\"]"},
        Case{"sprig.regexReplaceAll('a(x*)b', '-ab-axxb-', '${1}W')", "\"-W-xxW-\""},
        Case{"sprig.regexReplaceAll('a(x*)b', '-ab-axxb-', '$1W')", "\"---\""},
        Case{"sprig.regexReplaceAll('x*', 'abc', '-')", "\"-a-b-c-\""},
        Case{"sprig.regexReplaceAllLiteral('a', 'aa', '$1')", "\"$1$1\""},
        Case{"sprig.regexSplit('z+', 'pizza', -1)", "[\"pi\",\"a\"]"}, Case{"sprig.seq(3)", "\"1 2 3\""},
        Case{"sprig.seq(5, 3)", "\"5 4 3\""}, Case{"sprig.seq(0, 2, 6)", "\"0 2 4 6\""},
        Case{"sprig.until(3)", "[0,1,2]"}, Case{"sprig.len('abc')", "3"}, Case{"sprig.first([1, 2])", "1"},
        Case{"sprig.last([1, 2])", "2"}, Case{"sprig.uniq([1, 1, 2])", "[1,2]"}, Case{"sprig.has(2, [1, 2])", "true"},
        Case{"sprig.sortAlpha(['b', 'a', 'c'])", "[\"a\",\"b\",\"c\"]"},
        Case{"sprig.keys({b: 1, a: 2})", "[\"a\",\"b\"]"}, Case{"sprig.values({a: 1})", "[1]"},
        Case{"sprig.pluck('n', {n: 1}, {m: 2}, {n: 3})", "[1,3]"},
        Case{"sprig.date('2006-01-02 15:04:05', ts)", "\"2024-03-05 07:08:09\""},
        Case{"sprig.date('Mon Jan _2 3:04PM MST', ts)", "\"Tue Mar  5 7:08AM UTC\""},
        Case{"sprig.date('2006-01-02T15:04:05.000Z07:00', zoned)", "\"2024-12-31T23:30:00.250-05:00\""},
        Case{"sprig.date('January 02 Monday 06 002', zoned)", "\"December 31 Tuesday 24 366\""},
        Case{"sprig.date('2006', 0)", "\"1970\""}));

TEST(Sprig, ErrorsAreReported) {
    EXPECT_THROW(eval("sprig.div(1, 0)"), ExprError);
    EXPECT_THROW(eval("sprig.regexFind('(', 'x')"), ExprError);
    EXPECT_THROW(eval("sprig.mustFromJson('{')"), ExprError);
    EXPECT_THROW(eval("sprig.repeat(100000000, 'abc')"), ExprError);
    EXPECT_THROW(eval("sprig.upper(1)"), ExprError);
}

TEST(Sprig, NowIsRfc3339) {
    std::string now = eval("sprig.now()").get<std::string>();
    ASSERT_EQ(now.size(), 20u) << now;
    EXPECT_EQ(now[10], 'T');
    EXPECT_EQ(now.back(), 'Z');
}

class JsonPath : public ::testing::TestWithParam<Case> {};

TEST_P(JsonPath, Queries) {
    Value env = {{"doc",
                  R"({"store": {"book": [{"title": "A", "price": 8, "isbn": "1"}, {"title": "B", "price": 12},
                      {"title": "C", "price": 23, "isbn": "3"}], "name": "s"},
                      "people": [{"name": "x", "age": 43}, {"name": "y", "age": 30}],
                      "odd key": {"k": true}})"}};
    EXPECT_EQ(eval_expr(GetParam().source, env).dump(), GetParam().expected_json) << GetParam().source;
}

INSTANTIATE_TEST_SUITE_P(
    Paths, JsonPath,
    ::testing::Values(Case{"jsonpath(doc, '$.store.name')", "\"s\""}, Case{"jsonpath(doc, \"$['odd key'].k\")", "true"},
                      Case{"jsonpath(doc, '$.store.book[1].title')", "\"B\""},
                      Case{"jsonpath(doc, '$.store.book[-1].price')", "23"},
                      Case{"jsonpath(doc, '$.store.book[*].price')", "[8,12,23]"},
                      Case{"jsonpath(doc, '$.store.book[0:2].title')", "[\"A\",\"B\"]"},
                      Case{"jsonpath(doc, '$.store.book[?(@.price > 10)].title')", "[\"B\",\"C\"]"},
                      Case{"jsonpath(doc, '$.store.book[?(@.isbn)].title')", "[\"A\",\"C\"]"},
                      Case{"jsonpath(doc, '$.people[?(@.name==\"y\")].age')", "[30]"},
                      Case{"jsonpath(doc, '$.people[?(@.age>42 && @.age<44)].name')", "[\"x\"]"},
                      Case{"jsonpath(doc, '$..title')", "[\"A\",\"B\",\"C\"]"},
                      Case{"jsonpath(doc, '$.store.book[0,2].title')", "[\"A\",\"C\"]"},
                      Case{"jsonpath(doc, '$.nothing[*]')", "[]"}));

TEST(JsonPathErrors, DefiniteMissingKeyAndBadInput) {
    Value env = {{"doc", R"({"a": 1})"}, {"bad", "{"}};
    EXPECT_THROW(eval_expr("jsonpath(doc, '$.b')", env), ExprError);
    EXPECT_THROW(eval_expr("jsonpath(bad, '$.a')", env), ExprError);
    EXPECT_THROW(eval_expr("jsonpath(doc, 'a')", env), ExprError);
    EXPECT_THROW(eval_expr("jsonpath(doc, '$[')", env), ExprError);
}

}  // namespace
}  // namespace rampart::expr
