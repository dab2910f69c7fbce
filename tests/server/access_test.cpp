#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/access.h"

namespace rampart::server {
namespace {

TEST(RoleTest, NamesRoundTripAndNothingElseParses) {
  for (Role r : {Role::Viewer, Role::Submitter, Role::Author, Role::Admin}) EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_EQ(role_name(Role::None), "none");
  for (const char* bad : {"none", "root", "Admin", "ADMIN", " admin", "admin ", "", "owner", "viewer\n"}) {
    EXPECT_FALSE(parse_role(bad)) << bad;
  }
}

TEST(RoleTest, EachRoleIncludesTheOnesBeforeIt) {
  const std::vector<Role> order = {Role::None, Role::Viewer, Role::Submitter, Role::Author, Role::Admin};
  for (size_t held = 0; held < order.size(); ++held) {
    Subject s;
    if (order[held] != Role::None) s.roles["team-a"] = order[held];
    for (size_t needed = 1; needed < order.size(); ++needed) {
      EXPECT_EQ(s.can("team-a", order[needed]), held >= needed)
          << role_name(order[held]) << " needs " << role_name(order[needed]);
    }
  }
}

TEST(SubjectTest, RolesApplyPerNamespaceAndTheWildcardEverywhere) {
  Subject s;
  s.roles["*"] = Role::Viewer;
  s.roles["team-a"] = Role::Author;
  EXPECT_EQ(s.role_in("anything"), Role::Viewer);
  EXPECT_EQ(s.role_in("team-a"), Role::Author);
  EXPECT_TRUE(s.can("x", Role::Viewer));
  EXPECT_FALSE(s.can("x", Role::Submitter));
  EXPECT_TRUE(s.all_namespaces());
  EXPECT_EQ(s.namespaces(), std::vector<std::string>{"team-a"});
}

TEST(SubjectTest, TheStrongerOfTheNamespaceAndWildcardBindingWins) {
  Subject s;
  s.roles["*"] = Role::Admin;
  s.roles["team-a"] = Role::Viewer;  // a narrower binding never weakens a wildcard one
  EXPECT_EQ(s.role_in("team-a"), Role::Admin);
  EXPECT_EQ(s.role_in("team-b"), Role::Admin);
}

TEST(SubjectTest, WithoutBindingsNothingIsVisible) {
  Subject s;
  s.name = "nobody";
  EXPECT_EQ(s.role_in("argo"), Role::None);
  EXPECT_EQ(s.role_in(""), Role::None);
  EXPECT_FALSE(s.can("argo", Role::Viewer));
  EXPECT_FALSE(s.all_namespaces());
  EXPECT_TRUE(s.namespaces().empty());
}

TEST(SubjectTest, TheEmptyNamespaceIsNotABindingAndNoneBindingsGrantNothing) {
  Subject s;
  s.roles[""] = Role::Admin;  // must never stand for "no namespace given"
  s.roles["team-a"] = Role::None;
  s.roles["*"] = Role::None;
  EXPECT_EQ(s.role_in(""), Role::None);
  EXPECT_EQ(s.role_in("team-a"), Role::None);
  EXPECT_FALSE(s.all_namespaces());
  EXPECT_TRUE(s.namespaces().empty());
}

TEST(SubjectTest, ANamespaceNamedLikeTheWildcardDoesNotMatchOthers) {
  Subject s;
  s.roles["team-a"] = Role::Admin;
  EXPECT_EQ(s.role_in("*"), Role::None);
  EXPECT_EQ(s.role_in("team-a "), Role::None);
  EXPECT_EQ(s.role_in("TEAM-A"), Role::None);
}

TEST(NamesTest, SubjectsArePrintableAndCannotLookLikeLocalUsers) {
  for (const std::string& good :
       {std::string("alice"), std::string("ci-bot"), std::string("a.b_c+d@example.com"), std::string(128, 'x')}) {
    EXPECT_TRUE(is_valid_subject(good)) << good;
  }
  for (const std::string& bad : {std::string(), std::string(129, 'x'), std::string("local:root"), std::string("a b"),
                                 std::string("a\nb"), std::string("a\x1b[31m"), std::string("a/b"), std::string("é")}) {
    EXPECT_FALSE(is_valid_subject(bad)) << bad;
  }
}

TEST(NamesTest, BindingNamespacesAreKubernetesNamesOrTheWildcard) {
  for (const std::string& good :
       {std::string("*"), std::string("argo"), std::string("team-a"), std::string("0"), std::string(63, 'n')}) {
    EXPECT_TRUE(is_valid_binding_namespace(good)) << good;
  }
  for (const std::string& bad :
       {std::string(), std::string(64, 'n'), std::string("Team"), std::string("-a"), std::string("a-"),
        std::string("a_b"), std::string("a.b"), std::string("**"), std::string("a*"), std::string("../x")}) {
    EXPECT_FALSE(is_valid_binding_namespace(bad)) << bad;
  }
}

}  // namespace
}  // namespace rampart::server
