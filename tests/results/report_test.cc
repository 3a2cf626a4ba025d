// Reports from a small hand-built results document: what each file says,
// that it escapes what it must, and how it treats GitHub's limits.
#include "results/report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "harness/base/sys.h"
#include "tests/results/xml_check.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

using nlohmann::json;
using testing::ScratchDir;

constexpr const char* kReplay =
    "crashbench run scenarios/x.json --scenario 'bad <&\"> one' --trial 0 --keep";

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

json Trial(int index, json anomalies, long long violations, double ms = 1.0) {
  return {{"index", index},
          {"seed", 7 + index},
          {"anomalies", anomalies},
          {"violations", violations},
          {"duration_ms", ms},
          {"acked_tasks", 4},
          {"replay", "crashbench run --trial " + std::to_string(index)},
          {"processes", json::array({{{"role", "worker"}, {"pid", 1}}})}};
}

// Four scenarios: an expectation that failed, a fault-free one with costs, one
// with a harness error, one that never ran.
json Results() {
  json failed_trial = Trial(0, {{"torn", 2}, {"lost-unacked", 3}}, 2, 2.5);
  failed_trial["replay"] = kReplay;
  failed_trial["details"] = {{{"kind", "torn"},
                              {"file", "records.jsonl"},
                              {"offset", 120},
                              {"line", 3},
                              {"task", 1},
                              {"seq", 2},
                              {"excerpt", "{\"task\":1,<&"}}};
  json bad = {{"name", "bad <&\"> one"},
              {"strategy", "naive"},
              {"fault_label", "sigkill@mid-record"},
              {"fault", {{"kind", "sigkill"}, {"target", "worker"}}},
              {"source", "scenarios/x.json"},
              {"workload", {{"tasks", 4}, {"records_per_task", 2}, {"record_bytes", 10}}},
              {"expect", {{"forbid", {"torn"}}}},
              {"summary",
               {{"expectation", "failed"},
                {"forbidden_seen", {{"torn", 1}}},
                {"anomalies", {{"torn", 2}, {"lost-unacked", 3}}}}},
              {"trials", {failed_trial, Trial(1, json::object(), 0)}}};
  json clean = {{"name", "naive/none"},
                {"strategy", "naive"},
                {"fault_label", "none"},
                {"fault", {{"kind", "none"}, {"target", "worker"}}},
                {"workers", 2},
                {"workload", {{"tasks", 4}, {"records_per_task", 2}, {"record_bytes", 10}}},
                {"expect", {{"forbid", json::array()}}},
                {"summary", {{"expectation", "held"}}},
                {"costs",
                 {{"records_per_s", 400.0},
                  {"bytes_per_s", 8000.0},
                  {"spread", {{"min", 200.0}, {"max", 800.0}}},
                  {"task_latency_ms", {{"p50", 1.5}, {"p95", 2.0}, {"p99", 3.0}}},
                  {"stages_ms",
                   {{"serialize", 1.0},
                    {"ipc", 0.5},
                    {"write", 2.0},
                    {"fsync", 0.0},
                    {"rename", 0.0},
                    {"lock_wait", 0.0}}},
                  {"serialization_share", 0.43},
                  {"limit", {{"name", "raw-write"}, {"records_per_s", 1000.0}}},
                  {"fraction_of_limit", 0.4},
                  {"repetitions", 3},
                  {"noisy", false}}},
                // 8 records each: 10, 20 and 40 ms are 1250, 2500 and 5000 us a record.
                {"trials",
                 {Trial(0, json::object(), 0, 10), Trial(1, json::object(), 0, 20),
                  Trial(2, json::object(), 0, 40)}}};
  json broken_trial = Trial(0, json::object(), 0);
  broken_trial["error"] = "worker vanished: <boom> & \"gone\"";
  json broken = {{"name", "locked/sigkill@random"},
                 {"strategy", "locked-append"},
                 {"fault_label", "sigkill@random"},
                 {"fault", {{"kind", "sigkill"}, {"target", "worker"}}},
                 {"expect", {{"forbid", {"torn"}}}},
                 {"summary", {{"expectation", "held"}, {"harness_errors", 1}}},
                 {"trials", {broken_trial}}};
  json never = {{"name", "never/none"},
                {"strategy", "queue-writer"},
                {"fault_label", "none"},
                {"fault", {{"kind", "none"}, {"target", "worker"}}},
                {"expect", {{"forbid", json::array()}}},
                {"summary", {{"expectation", "not-run"}}},
                {"trials", json::array()}};
  return {{"schema_version", 1},
          {"tool", {{"name", "crashbench"}, {"version", "0.1.0"}, {"git_sha", "abc123"}}},
          {"context",
           {{"date", "2026-11-22T08:00:00Z"},
            {"host_name", "vm"},
            {"num_cpus", 2},
            {"fs_type", "ext4"}}},
          {"interrupted", false},
          {"scenarios", {bad, clean, broken, never}}};
}

TEST(ReportSummary, IntegrityAndCostTablesAsMarkdown) {
  const std::string md = RenderSummaryMarkdown(Results());
  EXPECT_NE(
      md.find("## crashbench: 1 of 4 scenarios failed their expectation; no expectations given "
              "for 2 scenarios: 0/3 of their trials show violations; 1 with harness errors"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| scenario | sigkill@mid-record | none | sigkill@random |"), std::string::npos)
      << md;
  // The failed cell is bold, its row label escaped for Markdown and HTML.
  EXPECT_NE(md.find("| bad &lt;&amp;\"&gt; one | **1/2 torn !** |  |  |"), std::string::npos) << md;
  EXPECT_NE(md.find("| naive |  | 0/3 |  |"), std::string::npos) << md;
  EXPECT_NE(
      md.find(
          "| naive/none | 400 (200-800) | 0.0 | 1.50/2.00/3.00 | 43% | raw-write 1.0k/s | 0.40 |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("- trial 0: torn 2 (also lost-unacked 3)"), std::string::npos) << md;
  EXPECT_NE(md.find(kReplay), std::string::npos) << md;
  EXPECT_NE(md.find("harness error: worker vanished: &lt;boom&gt; &amp; \"gone\""),
            std::string::npos)
      << md;
}

TEST(ReportJunit, OneTestcasePerScenarioWithFailureErrorAndSkipped) {
  const std::string xml = RenderJunitXml(Results());
  XmlNode root;
  std::string error;
  ASSERT_TRUE(ParseXml(xml, &root, &error)) << error << "\n" << xml;
  ASSERT_EQ(root.name, "testsuites");
  EXPECT_EQ(root.attrs["tests"], "4");
  EXPECT_EQ(root.attrs["failures"], "1");
  EXPECT_EQ(root.attrs["errors"], "1");
  EXPECT_EQ(root.attrs["skipped"], "1");
  ASSERT_EQ(root.children.size(), 1u);
  const XmlNode& suite = root.children[0];
  EXPECT_EQ(suite.name, "testsuite");
  EXPECT_EQ(suite.attrs.at("timestamp"), "2026-11-22T08:00:00");  // the schemas want no zone
  for (const char* attr : {"name", "tests", "failures", "errors", "skipped", "time", "hostname"})
    EXPECT_TRUE(suite.attrs.count(attr)) << attr;
  std::vector<const XmlNode*> cases;
  for (const XmlNode& c : suite.children)
    if (c.name == "testcase") cases.push_back(&c);
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_EQ(cases[0]->attrs.at("classname"), "naive");
  EXPECT_EQ(cases[0]->attrs.at("name"), "bad <&\"> one [sigkill@mid-record]");
  EXPECT_EQ(cases[1]->attrs.at("name"), "naive/none");  // the name already says the fault
  ASSERT_EQ(cases[0]->children.size(), 1u);
  const XmlNode& failure = cases[0]->children[0];
  EXPECT_EQ(failure.name, "failure");
  EXPECT_NE(failure.attrs.at("message").find(kReplay), std::string::npos)
      << failure.attrs.at("message");
  EXPECT_NE(failure.attrs.at("message").find("torn in 1 of 2 trials"), std::string::npos);
  EXPECT_NE(failure.text.find("trial 0: torn 2 (also lost-unacked 3)"), std::string::npos)
      << failure.text;
  EXPECT_NE(failure.text.find(std::string("replay: ") + kReplay), std::string::npos)
      << failure.text;
  EXPECT_NE(failure.text.find("records.jsonl:3 @120 task 1 seq 2"), std::string::npos)
      << failure.text;
  EXPECT_NE(failure.text.find("{\"task\":1,<&"), std::string::npos) << failure.text;
  EXPECT_TRUE(cases[1]->children.empty());
  ASSERT_EQ(cases[2]->children.size(), 1u);
  EXPECT_EQ(cases[2]->children[0].name, "error");
  EXPECT_NE(cases[2]->children[0].text.find("worker vanished: <boom> & \"gone\""),
            std::string::npos);
  ASSERT_EQ(cases[3]->children.size(), 1u);
  EXPECT_EQ(cases[3]->children[0].name, "skipped");
}

TEST(ReportJunit, ControlCharactersNeverReachTheXml) {
  json r = Results();
  r["scenarios"][0]["trials"][0]["details"][0]["excerpt"] = std::string(
      "a\x01"
      "b\x1f",
      4);
  const std::string xml = RenderJunitXml(r);
  XmlNode root;
  std::string error;
  EXPECT_TRUE(ParseXml(xml, &root, &error)) << error;
  EXPECT_NE(xml.find("a\\x01b\\x1f"), std::string::npos);
}

TEST(ReportJunit, PythonReadsItWhenPythonIsHere) {
  if (::system("python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "skipped: no python3 with xml.etree to cross-check junit.xml (our own parser "
                    "checked it)";
  ScratchDir dir;
  dir.Write("junit.xml", RenderJunitXml(Results()));
  const std::string cmd = "python3 -c \"import xml.etree.ElementTree as E; r=E.parse('" +
                          dir.path() +
                          "/junit.xml').getroot(); print(len(r.findall('./testsuite/testcase')), "
                          "len(r.findall('.//failure')))\" > " +
                          dir.path() + "/out 2>&1";
  ASSERT_EQ(::system(cmd.c_str()), 0);
  Result<std::string> out = ReadFileToString(dir.path() + "/out");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "4 1\n");
}

TEST(ReportBench, GoogleBenchmarkJsonWithRepetitionsAndAggregates) {
  const json b = json::parse(RenderBenchmarkJson(Results()));
  ASSERT_TRUE(b.contains("context"));
  EXPECT_EQ(b["context"]["host_name"], "vm");
  EXPECT_EQ(b["context"]["num_cpus"], 2);
  const json& list = b["benchmarks"];
  ASSERT_EQ(list.size(), 6u);  // only the fault-free scenario: 3 repetitions, mean, median, stddev
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(list[i]["name"], "naive/none");
    EXPECT_EQ(list[i]["run_type"], "iteration");
    EXPECT_EQ(list[i]["repetition_index"], i);
    EXPECT_EQ(list[i]["repetitions"], 3);
    EXPECT_EQ(list[i]["iterations"], 8);
    EXPECT_EQ(list[i]["time_unit"], "us");
  }
  EXPECT_DOUBLE_EQ(list[0]["real_time"].get<double>(), 1250.0);
  EXPECT_DOUBLE_EQ(list[0]["cpu_time"].get<double>(), 1250.0);
  EXPECT_DOUBLE_EQ(list[0]["items_per_second"].get<double>(), 800.0);
  EXPECT_DOUBLE_EQ(list[0]["bytes_per_second"].get<double>(), 16000.0);  // 20 bytes a record
  EXPECT_DOUBLE_EQ(list[2]["real_time"].get<double>(), 5000.0);
  EXPECT_EQ(list[4]["name"], "naive/none_median");
  EXPECT_EQ(list[4]["run_type"], "aggregate");
  EXPECT_EQ(list[4]["aggregate_name"], "median");
  EXPECT_DOUBLE_EQ(list[4]["real_time"].get<double>(), 2500.0);
  EXPECT_EQ(list[5]["aggregate_name"], "stddev");
}

TEST(ReportHtml, HeatMapCostBarsStagesAndReplayInOneSelfContainedPage) {
  const std::string html = RenderReportHtml(Results());
  EXPECT_EQ(Count(html, "class=\"heat-cell\""), 4u);
  EXPECT_EQ(Count(html, "class=\"cost-bar\""), 1u);
  EXPECT_EQ(Count(html, "class=\"limit-line\""), 1u);
  EXPECT_EQ(Count(html, "class=\"stage-seg\""), 3u);  // fsync, rename, lock_wait took no time
  EXPECT_NE(html.find("data-rate=\"0.500\""), std::string::npos);
  EXPECT_NE(html.find("crashbench run scenarios/x.json --scenario &apos;bad &lt;&amp;&quot;&gt; "
                      "one&apos; --trial 0"),
            std::string::npos);
  EXPECT_NE(html.find("{&quot;task&quot;:1,&lt;&amp;"), std::string::npos);  // the excerpt
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("bad <&"), std::string::npos);  // never unescaped
  // The page scales wide drawings down (max-width): only a viewBox keeps their
  // far columns and last rows from being cut off.
  EXPECT_GE(Count(html, "<svg "), 3u);
  EXPECT_EQ(Count(html, "<svg "), Count(html, " viewBox=\"0 0 "));
}

TEST(ReportAnnotations, AtMostTenErrorsThenACount) {
  json r = Results();
  json many = json::array();
  for (int i = 0; i < 13; ++i) {
    json s = r["scenarios"][0];
    s["name"] = "s" + std::to_string(i);
    s["source"] = "dir,with:odd.json";
    s["trials"][0]["replay"] = "replay\n" + std::to_string(i) + " 100%";
    many.push_back(s);
  }
  r["scenarios"] = many;
  const std::string out = RenderGithubAnnotations(r);
  EXPECT_EQ(Count(out, "::error "), 10u) << out;
  EXPECT_NE(out.find("... and 3 more failing scenarios"), std::string::npos) << out;
  EXPECT_NE(
      out.find(
          "::error file=dir%2Cwith%3Aodd.json,title=crashbench%3A s0 failed its expectation::"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("Replay: replay%0A0 100%25"), std::string::npos) << out;
  EXPECT_NE(out.find("torn (forbidden) in 1 of 2 trials"), std::string::npos) << out;
  EXPECT_EQ(Count(out, "\n"), 11u);  // a newline in a message never starts a new line
}

TEST(ReportAnnotations, NoneWhenEveryExpectationHeld) {
  json r = Results();
  r["scenarios"] = json::array({r["scenarios"][1]});
  EXPECT_EQ(RenderGithubAnnotations(r), "");
}

TEST(StepSummary, AppendedNeverOverwritten) {
  ScratchDir dir;
  const std::string path = dir.path() + "/summary";
  dir.Write("summary", "earlier step");  // no final newline: ours must not join its line
  ASSERT_TRUE(AppendStepSummary(path, "ours\n", "full.md").ok());
  ASSERT_TRUE(AppendStepSummary(path, "again\n", "full.md").ok());
  EXPECT_EQ(*ReadFileToString(path), "earlier step\nours\nagain\n");
}

TEST(StepSummary, TruncatedUnderTheLimitWithANote) {
  ScratchDir dir;
  const std::string path = dir.path() + "/summary";
  const std::string earlier(kStepSummaryLimit - 3000, 'e');
  dir.Write("summary", earlier);
  std::string text = "```\n";
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(AppendStepSummary(path, text, "out/summary.md").ok());
  const std::string got = *ReadFileToString(path);
  EXPECT_LE(got.size(), kStepSummaryLimit);
  EXPECT_GT(got.size(), kStepSummaryLimit - 1000);  // it used the room there was
  EXPECT_EQ(got.compare(0, earlier.size(), earlier), 0);
  EXPECT_NE(got.find("line 0\n"), std::string::npos);
  EXPECT_EQ(got.find("line 999"), std::string::npos);
  EXPECT_NE(got.find("**Summary truncated**"), std::string::npos);
  EXPECT_NE(got.find("out/summary.md"), std::string::npos);
  EXPECT_EQ(Count(got, "```") % 2, 0u);  // the code block is closed before the note
}

TEST(StepSummary, AFullSummaryIsLeftAloneAndSaysSo) {
  ScratchDir dir;
  const std::string path = dir.path() + "/summary";
  dir.Write("summary", std::string(kStepSummaryLimit, 'x'));
  Status st = AppendStepSummary(path, "more\n", "out/summary.md");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("out/summary.md"), std::string::npos);
  EXPECT_EQ(ReadFileToString(path)->size(), kStepSummaryLimit);
}

TEST(WriteReports, FourFilesWholeAndTheGithubExtrasOnlyWhenAsked) {
  ScratchDir dir;
  std::ostringstream out;
  ASSERT_TRUE(WriteReports(Results(), dir.path(), ReportEnv{}, out).ok());
  for (const char* f : {"summary.md", "junit.xml", "report.html", "bench.json"})
    EXPECT_TRUE(ReadFileToString(dir.path() + "/" + f).ok()) << f;
  EXPECT_EQ(out.str(), "");
  dir.Write("step", "before\n");
  ASSERT_TRUE(WriteReports(Results(), dir.path(), ReportEnv{true, dir.path() + "/step"}, out).ok());
  EXPECT_EQ(Count(out.str(), "::error "), 2u)
      << out.str();  // the failed expectation, the harness error
  const std::string step = *ReadFileToString(dir.path() + "/step");
  EXPECT_EQ(step, "before\n" + *ReadFileToString(dir.path() + "/summary.md"));
}

TEST(LoadResultsForReport, BadFilesAreNamedAndTrialsTrimmed) {
  ScratchDir dir;
  dir.Write("bad.json", "{\"scenarios\": [");
  Result<json> bad = LoadResultsForReport(dir.path() + "/bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(dir.path() + "/bad.json:1:16: invalid JSON: syntax error"),
            std::string::npos)
      << bad.status().message();
  dir.Write("other.json", "{\"benchmarks\": []}");
  Result<json> other = LoadResultsForReport(dir.path() + "/other.json");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not a crashbench results file"), std::string::npos);
  json future = Results();
  future["schema_version"] = 2;
  dir.Write("future.json", future.dump());
  Result<json> f = LoadResultsForReport(dir.path() + "/future.json");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("schema_version 2 is not supported"), std::string::npos);
  EXPECT_FALSE(LoadResultsForReport(dir.path() + "/missing.json").ok());

  json r = Results();
  r["scenarios"][1]["trials"][0]["details"] = {{{"kind", "lost-unacked"}}};
  dir.Write("results.json", r.dump());
  Result<json> loaded = LoadResultsForReport(dir.path() + "/results.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const json& failed = (*loaded)["scenarios"][0]["trials"][0];
  EXPECT_FALSE(failed.contains("processes"));
  EXPECT_EQ(failed["details"].size(), 1u);                                   // kept: it failed
  EXPECT_FALSE((*loaded)["scenarios"][1]["trials"][0].contains("details"));  // dropped: clean
  EXPECT_EQ(RenderJunitXml(*loaded), RenderJunitXml(r));
}

}  // namespace
}  // namespace crashbench
