// The `fields` projection decides what a list must read: a list that will not return nodes does
// not query them.
#include "server/list_options.h"

#include <gtest/gtest.h>

namespace rampart::server {
namespace {

TEST(ProjectionKeeps, NoFieldsKeepsEverything) { EXPECT_TRUE(projection_keeps("", "items.status.nodes")); }

TEST(ProjectionKeeps, AnIncludeListKeepsWhatItNamesAndWhatIsAboveOrBelowIt) {
  EXPECT_FALSE(projection_keeps("items.metadata.name,items.status.phase", "items.status.nodes"));
  EXPECT_TRUE(projection_keeps("items.metadata.name,items.status", "items.status.nodes"));
  EXPECT_TRUE(projection_keeps("items", "items.status.nodes"));
  EXPECT_TRUE(projection_keeps("items.status.nodes.x.phase", "items.status.nodes"));
  EXPECT_FALSE(projection_keeps("items.status.nodesx", "items.status.nodes")) << "whole components only";
}

TEST(ProjectionKeeps, AnExcludeListDropsWhatItNamesAndWhatIsBelowIt) {
  EXPECT_FALSE(projection_keeps("-items.status.nodes", "items.status.nodes"));
  EXPECT_FALSE(projection_keeps("-items.spec,items.status", "items.status.nodes"));
  EXPECT_TRUE(projection_keeps("-items.status.nodes.x", "items.status.nodes")) << "the other nodes stay";
  EXPECT_TRUE(projection_keeps("-items.spec", "items.status.nodes"));
}

}  // namespace
}  // namespace rampart::server
