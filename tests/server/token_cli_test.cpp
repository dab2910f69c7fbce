// The real `rampart token|role|audit` commands on a temporary state dir: what a server operator
// types, checked for what it prints, what it stores and what it never shows.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../store/temp_dir.h"
#include "server/token_service.h"
#include "store/access_store.h"

namespace rampart::server {
namespace {

using Json = nlohmann::json;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string describe(const CliResult& r) {
  return "exit=" + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err;
}

class TokenCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    struct stat st {};
    ASSERT_EQ(::stat(RAMPART_BINARY, &st), 0) << RAMPART_BINARY << " is missing: build the rampart target first";
  }

  // Runs the binary without a shell; stdout and stderr go to files in the scratch dir.
  CliResult cli(std::vector<std::string> args) {
    std::string out_path = scratch.file("out." + std::to_string(calls));
    std::string err_path = scratch.file("err." + std::to_string(calls));
    ++calls;
    args.insert(args.begin(), RAMPART_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
      int in = ::open("/dev/null", O_RDONLY);
      int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    CliResult r;
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.out = read_all(out_path);
    r.err = read_all(err_path);
    return r;
  }

  // `rampart ARGS... --state <this test's state dir>`.
  CliResult state_cli(std::vector<std::string> args) {
    args.push_back("--state");
    args.push_back(state_dir());
    return cli(std::move(args));
  }

  std::string state_dir() const { return state.file("state"); }
  std::string state_file(const std::string& name) const { return state.file("state/" + name); }

  // Creates a token with `-o json` and returns the parsed answer.
  Json create(std::vector<std::string> extra) {
    std::vector<std::string> args = {"token", "create", "-o", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult r = state_cli(args);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << describe(r);
    return j;
  }

  store::testing::TempDir scratch;
  store::testing::TempDir state;
  int calls = 0;
};

TEST_F(TokenCliTest, CreateListRevokeLifecycleNeverShowsTheSecret) {
  Json made =
      create({"--subject", "alice", "--role", "viewer", "-n", "team-a", "--ttl", "30d", "--description", "laptop"});
  const std::string token = made["token"];
  const std::string id = made["id"];
  ASSERT_TRUE(std::regex_match(token, std::regex("rampart_[0-9a-f]{16}_[0-9a-f]{64}"))) << token;
  EXPECT_EQ(token.substr(8, 16), id);
  EXPECT_EQ(made["subject"], "alice");
  EXPECT_TRUE(std::regex_match(made["expires"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << made.dump();
  const std::string secret = token.substr(token.rfind('_') + 1);

  // The store agrees: the token authenticates, with the role that was bound.
  {
    auto db = store::open_sqlite_access(state_file("access.db"));
    TokenService service(*db, state_file("token.key"));
    auto subject = service.authenticate(token, db->get_token(id)->created_ms);
    ASSERT_TRUE(subject);
    EXPECT_EQ(subject->name, "alice");
    EXPECT_EQ(subject->role_in("team-a"), Role::Viewer);
    EXPECT_EQ(subject->role_in("argo"), Role::None);
    auto record = db->get_token(id);
    EXPECT_EQ(record->description, "laptop");
    EXPECT_EQ(record->expires_ms - record->created_ms, int64_t{30} * 86'400'000);
  }

  CliResult list = state_cli({"token", "list", "-o", "json"});
  ASSERT_EQ(list.exit_code, 0) << describe(list);
  Json listed = Json::parse(list.out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], id);
  EXPECT_EQ(listed[0]["subject"], "alice");
  EXPECT_EQ(listed[0]["description"], "laptop");
  EXPECT_EQ(listed[0]["revoked"], "");
  EXPECT_FALSE(listed[0].contains("token"));
  EXPECT_FALSE(listed[0].contains("secret_hash"));
  EXPECT_EQ(list.out.find(secret), std::string::npos);
  CliResult table = state_cli({"token", "list"});
  ASSERT_EQ(table.exit_code, 0) << describe(table);
  EXPECT_TRUE(std::regex_search(table.out, std::regex(id + " +alice .*active"))) << table.out;
  EXPECT_EQ(table.out.find(secret), std::string::npos);

  CliResult revoke = state_cli({"token", "revoke", id});
  ASSERT_EQ(revoke.exit_code, 0) << describe(revoke);
  table = state_cli({"token", "list"});
  EXPECT_TRUE(std::regex_search(table.out, std::regex(id + " +alice .*revoked"))) << table.out;
  EXPECT_NE(state_cli({"token", "list", "-o", "json"}).out.find("\"revoked\": \"20"), std::string::npos);
  {
    auto db = store::open_sqlite_access(state_file("access.db"));
    TokenService service(*db, state_file("token.key"));
    EXPECT_FALSE(service.authenticate(token, db->get_token(id)->revoked_ms));
  }

  // Nothing the CLI wrote holds the secret.
  for (const char* file : {"access.db", "access.db-wal", "audit.jsonl"}) {
    EXPECT_EQ(read_all(state_file(file)).find(secret), std::string::npos) << file;
  }
}

TEST_F(TokenCliTest, TextOutputIsJustTheTokenOnStdout) {
  CliResult r = state_cli({"token", "create", "--subject", "ci-bot", "--role", "submitter"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(std::regex_match(r.out, std::regex("rampart_[0-9a-f]{16}_[0-9a-f]{64}\n"))) << r.out;
  EXPECT_NE(r.err.find("ci-bot"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("submitter in argo"), std::string::npos) << r.err;  // the default namespace
  EXPECT_NE(r.err.find("not shown again"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(r.out.substr(25, 64)), std::string::npos);  // the secret only once
}

TEST_F(TokenCliTest, StateFilesArePrivate) {
  create({"--subject", "alice"});
  struct stat st {};
  ASSERT_EQ(::stat(state_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* file : {"access.db", "token.key", "audit.jsonl"}) {
    ASSERT_EQ(::stat(state_file(file).c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
}

TEST_F(TokenCliTest, BadArgumentsExitTwoWithAClearMessageAndStoreNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"token", "create", "--subject", "x", "--role", "root"}, "unknown role \"root\""},
      {{"token", "create", "--subject", "x", "--ttl", "forever"}, "invalid --ttl"},
      {{"token", "create", "--subject", "x", "--ttl=-1h"}, "invalid --ttl"},
      {{"token", "create", "--subject", "x", "--ttl", "1e300d"}, "invalid --ttl"},
      {{"token", "create", "--subject", "a b"}, "invalid --subject"},
      {{"token", "create", "--subject", "x", "--role", "viewer", "-n", "Bad_NS"}, "invalid namespace"},
      {{"token", "create", "--subject", "x", "-o", "yaml"}, "yaml"},
      {{"token", "create", "--role", "viewer"}, "--subject"},
      {{"role", "bind", "alice", "superuser"}, "unknown role \"superuser\""},
      {{"role", "bind", "alice", "viewer", "-n", "a/b"}, "invalid namespace"},
      {{"role", "bind", "local:root", "viewer"}, "invalid subject"},
      {{"audit", "--since", "yesterday"}, "invalid --since"},
      {{"audit", "--since", "2026-11-28T10:00:00junk"}, "invalid --since"},
  };
  for (const auto& c : cases) {
    CliResult r = state_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << c.args[1] << "\n" << describe(r);
    EXPECT_NE(r.err.find(c.message), std::string::npos) << describe(r);
  }
  CliResult list = state_cli({"token", "list", "-o", "json"});
  EXPECT_EQ(list.out, "[]\n") << describe(list);
}

TEST_F(TokenCliTest, RevokingAnUnknownTokenFails) {
  CliResult r = state_cli({"token", "revoke", "0123456789abcdef"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("no token with id"), std::string::npos) << describe(r);
}

TEST_F(TokenCliTest, TtlZeroNeverExpiresAndDaysCombineWithHours) {
  Json never = create({"--subject", "svc", "--ttl", "0"});
  EXPECT_EQ(never["expires"], "");
  Json mixed = create({"--subject", "svc", "--ttl", "1d12h"});
  auto db = store::open_sqlite_access(state_file("access.db"));
  auto record = db->get_token(mixed["id"]);
  EXPECT_EQ(record->expires_ms - record->created_ms, int64_t{36} * 3'600'000);
  EXPECT_EQ(db->get_token(never["id"])->expires_ms, 0);
}

TEST_F(TokenCliTest, RoleBindUnbindAndList) {
  ASSERT_EQ(state_cli({"role", "bind", "alice", "author", "-n", "team-a"}).exit_code, 0);
  ASSERT_EQ(state_cli({"role", "bind", "ops", "admin", "-n", "*"}).exit_code, 0);
  ASSERT_EQ(state_cli({"role", "bind", "alice", "viewer", "-n", "team-a"}).exit_code, 0);  // replaces
  CliResult list = state_cli({"role", "list", "-o", "json"});
  ASSERT_EQ(list.exit_code, 0) << describe(list);
  EXPECT_EQ(Json::parse(list.out), Json::parse(R"([
      {"subject": "alice", "namespace": "team-a", "role": "viewer"},
      {"subject": "ops", "namespace": "*", "role": "admin"}])"));
  CliResult table = state_cli({"role", "list"});
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(ops +\* +admin)"))) << table.out;

  CliResult unbind = state_cli({"role", "unbind", "alice", "-n", "team-a"});
  EXPECT_EQ(unbind.exit_code, 0) << describe(unbind);
  CliResult again = state_cli({"role", "unbind", "alice", "-n", "team-a"});
  EXPECT_EQ(again.exit_code, 1) << describe(again);
  EXPECT_NE(again.err.find("has no role in team-a"), std::string::npos) << describe(again);
  EXPECT_EQ(Json::parse(state_cli({"role", "list", "-o", "json"}).out).size(), 1u);
}

TEST_F(TokenCliTest, ChangesAreAuditedUnderTheLocalUser) {
  Json made = create({"--subject", "alice", "--role", "viewer"});
  ASSERT_EQ(state_cli({"role", "bind", "bob", "author", "-n", "team-b"}).exit_code, 0);
  ASSERT_EQ(state_cli({"role", "unbind", "bob", "-n", "team-b"}).exit_code, 0);
  ASSERT_EQ(state_cli({"token", "revoke", made["id"]}).exit_code, 0);
  ASSERT_EQ(state_cli({"token", "list"}).exit_code, 0);  // reads are not audited

  struct passwd* pw = ::getpwuid(::getuid());
  const std::string me = "local:" + std::string(pw ? pw->pw_name : std::to_string(::getuid()));
  CliResult r = state_cli({"audit", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  Json records = Json::parse(r.out);
  ASSERT_EQ(records.size(), 4u) << records.dump(2);
  std::vector<std::string> routes;
  for (const auto& a : records) {
    routes.push_back(a["route"]);
    EXPECT_EQ(a["subject"], me);
    EXPECT_EQ(a["method"], "cli");
    EXPECT_EQ(a["decision"], "allowed");
    EXPECT_TRUE(
        std::regex_match(a["time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  }
  EXPECT_EQ(routes, (std::vector<std::string>{"token create", "role bind", "role unbind", "token revoke"}));
  EXPECT_EQ(records[3]["object"], made["id"]);
  EXPECT_EQ(r.out.find(made["token"].get<std::string>()), std::string::npos);

  // The same records as JSON lines in audit.jsonl, without the CLI's seq.
  std::istringstream lines(read_all(state_file("audit.jsonl")));
  std::vector<Json> file;
  for (std::string line; std::getline(lines, line);) file.push_back(Json::parse(line));
  ASSERT_EQ(file.size(), 4u);
  Json first = records[0];
  first.erase("seq");
  EXPECT_EQ(file[0], first);

  // --limit keeps the newest; --since a future time keeps none.
  Json last = Json::parse(state_cli({"audit", "--limit", "1", "-o", "json"}).out);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0]["route"], "token revoke");
  EXPECT_EQ(Json::parse(state_cli({"audit", "--since", "2999-01-01T00:00:00Z", "-o", "json"}).out).size(), 0u);
  EXPECT_EQ(Json::parse(state_cli({"audit", "--since", "1h", "-o", "json"}).out).size(), 4u);
  EXPECT_EQ(Json::parse(state_cli({"audit", "--since", "2000-01-01T01:00:00+01:00", "-o", "json"}).out).size(), 4u);
}

TEST_F(TokenCliTest, TheAuditTableFitsAHundredColumns) {
  auto db = store::open_sqlite_access(state_file("access.db"));
  store::AuditRecord r;
  r.time_ms = 1'795'860'071'519;
  r.subject = std::string(60, 's');
  r.source = "203.0.113.9";
  r.method = "DELETE";
  r.route = "/api/v1/cluster-workflow-templates/{name}" + std::string(100, 'r');
  r.object = std::string(100, 'o') + "\x1b[31m";
  r.decision = "unauthenticated";
  r.status = 401;
  db->append_audit(r);
  CliResult table = state_cli({"audit"});
  ASSERT_EQ(table.exit_code, 0) << describe(table);
  std::istringstream lines(table.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_LE(line.size(), 100u) << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos);
  }
  EXPECT_EQ(count, 2);  // header and the record
  EXPECT_NE(table.out.find("2026-11-28T10:01:11Z"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("unauthenticated"), std::string::npos) << table.out;
}

TEST_F(TokenCliTest, HelpWorksForEveryCommand) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{{"token", "--help"},
                                                                             {"token", "create", "--help"},
                                                                             {"token", "list", "--help"},
                                                                             {"token", "revoke", "--help"},
                                                                             {"role", "--help"},
                                                                             {"role", "bind", "--help"},
                                                                             {"role", "unbind", "--help"},
                                                                             {"role", "list", "--help"},
                                                                             {"audit", "--help"}}) {
    CliResult r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << "\n" << describe(r);
    EXPECT_NE(r.out.find("--state"), std::string::npos) << describe(r);
  }
  CliResult create_help = cli({"token", "create", "--help"});
  for (const char* option : {"--subject", "--role", "--ttl", "--description", "-n"}) {
    EXPECT_NE(create_help.out.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(cli({"token"}).exit_code, 2);  // a subcommand is required
}

}  // namespace
}  // namespace rampart::server
