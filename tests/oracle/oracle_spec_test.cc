// ParseOracleSpec reads a scenario's "verify" strictly (each refusal names the
// place and the valid choices) and OracleSpecToJson writes back what it read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/oracle/oracle.h"

namespace crashbench {
namespace {

using nlohmann::json;

const std::string kWhere = "x.json: scenario 'cp-over'";

OracleSpec Parsed(const char* text) {
  Result<OracleSpec> r = ParseOracleSpec(json::parse(text), kWhere);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : OracleSpec{};
}

std::string Refusal(const char* text) {
  Result<OracleSpec> r = ParseOracleSpec(json::parse(text), kWhere);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? std::string() : r.status().message();
}

TEST(OracleSpec, EveryOracleParses) {
  OracleSpec records = Parsed(R"({"oracle": "records", "layout": "per-task"})");
  EXPECT_EQ(records.kind, OracleKind::kRecords);
  EXPECT_EQ(records.layout, Layout::kPerTask);
  EXPECT_EQ(Parsed(R"({"oracle": "records"})").layout, Layout::kShared);

  OracleSpec j = Parsed(R"({"oracle": "json", "files": ["{out}/out/*.json"], "count": 64})");
  EXPECT_EQ(j.kind, OracleKind::kJson);
  EXPECT_EQ(j.files, std::vector<std::string>{"out/*.json"});  // "{out}/" dropped
  EXPECT_EQ(j.count, 64);

  OracleSpec jl = Parsed(R"({"oracle": "jsonl", "files": ["a.jsonl", "b/**/*.jsonl"]})");
  EXPECT_EQ(jl.kind, OracleKind::kJsonl);
  EXPECT_EQ(jl.files.size(), 2u);
  EXPECT_FALSE(jl.count.has_value());

  EXPECT_EQ(Parsed(R"({"oracle": "old-or-new", "files": ["data.csv"]})").kind,
            OracleKind::kOldOrNew);
  OracleSpec c = Parsed(R"({"oracle": "command", "command": ["python3", "check.py", "-v"]})");
  EXPECT_EQ(c.kind, OracleKind::kCommand);
  EXPECT_EQ(c.command, (std::vector<std::string>{"python3", "check.py", "-v"}));
}

TEST(OracleSpec, ToJsonRoundTrips) {
  for (const char* text : {
           R"({"oracle": "records", "layout": "per-task"})",
           R"({"oracle": "records"})",
           R"({"oracle": "json", "files": ["out/*.json", "x.json"], "count": 3})",
           R"({"oracle": "jsonl", "files": ["**/*.jsonl"]})",
           R"({"oracle": "old-or-new", "files": ["{out}/data.csv"]})",
           R"({"oracle": "command", "command": ["sh", "-c", "test -s \"$CRASHBENCH_OUT_DIR/x\""]})",
       }) {
    const OracleSpec spec = Parsed(text);
    const json written = OracleSpecToJson(spec);
    const OracleSpec again = Parsed(written.dump().c_str());
    EXPECT_EQ(OracleSpecToJson(again), written) << text;
    EXPECT_EQ(again.kind, spec.kind);
    EXPECT_EQ(again.layout, spec.layout);
    EXPECT_EQ(again.files, spec.files);
    EXPECT_EQ(again.count, spec.count);
    EXPECT_EQ(again.command, spec.command);
  }
}

TEST(OracleSpec, NamesMatchTheListInTheHeader) {
  std::string names;
  for (OracleKind k : {OracleKind::kRecords, OracleKind::kJson, OracleKind::kJsonl,
                       OracleKind::kOldOrNew, OracleKind::kCommand}) {
    if (!names.empty()) names += ", ";
    names += OracleName(k);
    EXPECT_EQ(OracleFromName(OracleName(k)), k);
  }
  EXPECT_EQ(names, kOracleNames);
  EXPECT_FALSE(OracleFromName("xml").has_value());
}

TEST(OracleSpec, UnknownOracleNamesTheValidOnes) {
  const std::string m = Refusal(R"({"oracle": "xml"})");
  EXPECT_EQ(m, "x.json: scenario 'cp-over': verify.oracle: unknown oracle 'xml' (valid oracles: " +
                   std::string(kOracleNames) + ")");
}

TEST(OracleSpec, MissingOrMistypedOracleIsRefused) {
  EXPECT_NE(Refusal(R"({"files": ["a"]})").find("verify: missing required key 'oracle'"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": 3})").find("verify.oracle: must be a string"), std::string::npos);
  EXPECT_NE(Refusal(R"(["json"])").find("verify: must be a JSON object"), std::string::npos);
}

TEST(OracleSpec, KeyOfAnotherOracleIsUnknownHere) {
  EXPECT_EQ(Refusal(R"({"oracle": "old-or-new", "files": ["a"], "count": 2})"),
            "x.json: scenario 'cp-over': verify: unknown key 'count' for oracle 'old-or-new' "
            "(valid keys: oracle, files)");
  EXPECT_NE(Refusal(R"({"oracle": "records", "files": ["a"]})")
                .find("unknown key 'files' for oracle 'records' (valid keys: oracle, layout)"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a"], "fles": 1})").find("unknown key 'fles'"),
            std::string::npos);
}

TEST(OracleSpec, RequiredKeysAreRequired) {
  EXPECT_NE(Refusal(R"({"oracle": "json"})").find("verify: oracle 'json' needs 'files'"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "command"})").find("oracle 'command' needs 'command'"),
            std::string::npos);
}

TEST(OracleSpec, WrongTypesNameTheField) {
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": "a.json"})")
                .find("verify.files: must be a non-empty array of globs, got \"a.json\""),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": []})").find("verify.files: must be a non-empty"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a", 7]})")
                .find("verify.files[1]: must be a string (a glob), got 7"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a"], "count": "64"})")
                .find("verify.count: must be an integer"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a"], "count": true})")
                .find("verify.count: must be an integer"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a"], "count": -1})")
                .find("verify.count: -1 is out of range"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a"], "count": 18446744073709551615})")
                .find("verify.count: 18446744073709551615 is out of range"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "records", "layout": "columnar"})")
                .find("verify.layout: unknown layout 'columnar' (valid layouts: shared, per-task)"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "command", "command": ["sh", 1]})")
                .find("verify.command[1]: must be a string"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "command", "command": [""]})")
                .find("verify.command[0]: must name the checker"),
            std::string::npos);
}

TEST(OracleSpec, GlobsStayInsideTheOutputDirectory) {
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["/etc/passwd"]})")
                .find("verify.files[0]: \"/etc/passwd\" is absolute"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a", "../x.json"]})")
                .find("verify.files[1]: \"../x.json\" has an empty, '.' or '..' component"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["a//b"]})").find("an empty, '.' or '..'"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["{out}/"]})").find("verify.files[0]: is empty"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"oracle": "json", "files": ["x/{out}/a"]})")
                .find("'{out}' may only stand at the front"),
            std::string::npos);
}

TEST(OracleSpec, WhereMayBeEmpty) {
  Result<OracleSpec> r = ParseOracleSpec(json::parse(R"({"oracle": "nope"})"), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("verify.oracle: unknown oracle 'nope'", 0), 0u);
}

TEST(OracleSpec, LongValuesAreNotEchoedWhole) {
  const std::string name(5000, 'x');
  const std::string m = Refusal(("{\"oracle\": \"" + name + "\"}").c_str());
  EXPECT_LT(m.size(), 400u);
}

}  // namespace
}  // namespace crashbench
