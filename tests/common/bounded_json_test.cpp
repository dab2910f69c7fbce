#include <gtest/gtest.h>

#include <sys/resource.h>

#include <string>
#include <thread>

#include "common/bounded_json.h"

namespace rampart {
namespace {

std::string nested_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_objects(size_t depth) {
  std::string out;
  for (size_t i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out += std::string(depth, '}');
  return out;
}

// Runs `body` on a thread with a 256 KiB stack: a parse that recursed per level would crash.
template <typename F>
void on_small_stack(F body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  auto* task = new F(std::move(body));
  ASSERT_EQ(pthread_create(
                &thread, &attr,
                [](void* p) -> void* {
                  auto* f = static_cast<F*>(p);
                  (*f)();
                  delete f;
                  return nullptr;
                },
                task),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST(BoundedJsonTest, ParsesOrdinaryJsonLikeNlohmann) {
  std::string text =
      R"({"workflow": {"metadata": {"name": "x"}, "spec": {"templates": [{"a": [1, 2.5, true, null, "s"]}]}}})";
  EXPECT_EQ(parse_untrusted_json(text), nlohmann::json::parse(text));
  EXPECT_EQ(parse_untrusted_json("42"), 42);
  EXPECT_EQ(parse_untrusted_json("\"\\u00e9\""), "\xc3\xa9");
}

TEST(BoundedJsonTest, AcceptsExactlyTheDepthLimit) {
  EXPECT_NO_THROW(parse_untrusted_json(nested_arrays(kMaxJsonDepth)));
  EXPECT_NO_THROW(parse_untrusted_json(nested_objects(kMaxJsonDepth)));
  EXPECT_NO_THROW(parse_untrusted_json(nested_arrays(3), 3));
  EXPECT_THROW(parse_untrusted_json(nested_arrays(4), 3), JsonInputError);
  EXPECT_THROW(parse_untrusted_json("[]", 0), JsonInputError);
  EXPECT_EQ(parse_untrusted_json("7", 0), 7);
}

TEST(BoundedJsonTest, RefusesDeeperNestingNamingTheLimitAndWhere) {
  for (const std::string& text : {nested_arrays(kMaxJsonDepth + 1), nested_objects(kMaxJsonDepth + 1)}) {
    try {
      parse_untrusted_json(text);
      FAIL() << "accepted " << text.size() << " bytes nesting " << kMaxJsonDepth + 1 << " deep";
    } catch (const JsonInputError& e) {
      EXPECT_EQ(e.kind, JsonInputError::Kind::TooDeep);
      EXPECT_NE(std::string(e.what()).find("deeper than 128 levels"), std::string::npos) << e.what();
      EXPECT_EQ(text[e.byte], text[0]);  // the first bracket too many
      EXPECT_EQ(e.byte, text[0] == '[' ? 128u : 128u * 5);
    }
  }
}

TEST(BoundedJsonTest, BracketsInsideStringsDoNotCount) {
  std::string text = "[\"" + std::string(1000, '[') + "\\\"{{{\"]";
  EXPECT_EQ(parse_untrusted_json(text, 1)[0].get<std::string>().size(), 1004u);
  std::string deep = "[\"[[[\"," + nested_arrays(5) + "]";
  try {
    parse_untrusted_json(deep, 3);
    FAIL();
  } catch (const JsonInputError& e) {
    EXPECT_EQ(e.byte, 9u);  // ["[[[",[[[ <- the fourth real bracket
  }
}

// The attack from the security review: 200,000 nested arrays overflowed the stack of a server
// thread; bounded, the parse stops at level 129 on a small stack and frees what it built.
TEST(BoundedJsonTest, HugeNestingFailsFastOnASmallStack) {
  for (size_t depth : {20'000u, 200'000u, 2'000'000u}) {
    on_small_stack([depth] {
      std::string body = R"({"workflow": {"spec": )" + nested_arrays(depth) + "}}";
      try {
        parse_untrusted_json(body);
        ADD_FAILURE() << depth;
      } catch (const JsonInputError& e) {
        EXPECT_EQ(e.kind, JsonInputError::Kind::TooDeep);
      }
      EXPECT_TRUE(parse_untrusted_json_or_discarded(body).is_discarded());
    });
  }
}

TEST(BoundedJsonTest, MalformedInputGetsAShortMessageWithoutTheInput) {
  std::string secretish(100'000, 'x');
  for (const std::string& text : {std::string("{not json"), std::string("[1,2"), std::string("{} trailing"),
                                  "\"" + secretish, std::string(""), std::string("\xff\xfe")}) {
    try {
      parse_untrusted_json(text);
      FAIL() << text.substr(0, 20);
    } catch (const JsonInputError& e) {
      EXPECT_EQ(e.kind, JsonInputError::Kind::Malformed);
      std::string what = e.what();
      EXPECT_EQ(what.rfind("malformed JSON", 0), 0u) << what;
      EXPECT_LE(what.size(), 220u) << what;
      EXPECT_EQ(what.find("json.exception"), std::string::npos) << what;
    }
    EXPECT_TRUE(parse_untrusted_json_or_discarded(text).is_discarded());
  }
}

TEST(BoundedJsonTest, IsSafeFromManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(parse_untrusted_json("[" + std::to_string(i + t) + "]")[0], i + t);
        EXPECT_TRUE(parse_untrusted_json_or_discarded(nested_arrays(200)).is_discarded());
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace rampart
