// The watch body: events split across reads at any byte, bookmarks, 410 Gone, junk.
#include <gtest/gtest.h>

#include "exec/kubernetes/watch_events.h"

namespace rampart::exec::kube {
namespace {

const std::string kAdded =
    R"json({"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"p","resourceVersion":"11"}}})json";
const std::string kBookmark =
    R"json({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"15"}}})json";
const std::string kGone =
    R"json({"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (9)","reason":"Expired","code":410}})json";

TEST(WatchEvents, EventsSplitAtEveryByteStillParse) {
  std::string body = kAdded + "\n" + kBookmark + "\r\n";
  for (size_t cut = 0; cut <= body.size(); ++cut) {
    WatchEventParser parser;
    auto first = parser.feed(body.substr(0, cut));
    auto second = parser.feed(body.substr(cut));
    first.insert(first.end(), second.begin(), second.end());
    ASSERT_EQ(first.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(first[0].type, "ADDED");
    EXPECT_EQ(first[0].resource_version, "11");
    EXPECT_EQ(first[0].object["metadata"]["name"], "p");
    EXPECT_EQ(first[1].type, "BOOKMARK");
    EXPECT_EQ(first[1].resource_version, "15");
  }
}

TEST(WatchEvents, GoneMeansRelist) {
  WatchEventParser parser;
  auto events = parser.feed(kGone + "\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "ERROR");
  EXPECT_TRUE(events[0].expired);
  EXPECT_EQ(events[0].resource_version, "");
  EXPECT_NE(events[0].error.find("too old"), std::string::npos);
}

TEST(WatchEvents, AnUnterminatedLastLineIsReadAtTheEnd) {
  WatchEventParser parser;
  EXPECT_TRUE(parser.feed(kAdded).empty());
  auto events = parser.finish();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "ADDED");
}

TEST(WatchEvents, JunkAndOverlongLinesBecomeErrorsNotCrashes) {
  WatchEventParser parser(64);
  auto events = parser.feed("not json\n" + std::string(200, 'x') + "\n" + "{\"type\":\"DELETED\",\"object\":{}}\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "ERROR");
  EXPECT_FALSE(events[0].expired);
  EXPECT_EQ(events[1].type, "ERROR");
  EXPECT_NE(events[1].error.find("longer than 64"), std::string::npos);
  EXPECT_EQ(events[2].type, "DELETED");
}

}  // namespace
}  // namespace rampart::exec::kube
