// junit.xml: one <testsuite> of one <testcase> per scenario, in the shape the
// common JUnit schemas (Ant's and Jenkins') accept: counts and time on the
// suite and on <testsuites>, <properties> first, <system-out>/<system-err>
// last, at most one <failure>, <error> or <skipped> in each testcase.
#include <sstream>

#include "results/report.h"

namespace crashbench {
namespace {

using nlohmann::json;

std::string Attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + XmlEscape(value, true) + "\"";
}

std::string TestcaseName(const ScenarioView& s) {
  const std::string& n = s.name;
  const std::string& f = s.fault_label;
  if (n.size() >= f.size() && n.compare(n.size() - f.size(), f.size(), f) == 0) return n;
  return n + " [" + f + "]";
}

// The body of a <failure> or <error>: the counts, then each failing trial with
// its replay command and where the damage is.
std::string FailureText(const ScenarioView& s) {
  std::ostringstream out;
  if (!s.error.empty()) out << "scenario error: " << s.error << "\n";
  std::string seen;
  for (const auto& [kind, n] : s.forbidden_seen)
    (seen += seen.empty() ? "" : ", ") +=
        kind + " in " + std::to_string(n) + " of " + std::to_string(s.trials) + " trials";
  if (!seen.empty()) out << "forbidden anomalies seen: " << seen << "\n";
  std::string totals;
  for (const auto& [kind, n] : s.anomalies)
    (totals += totals.empty() ? "" : ", ") += kind + " " + std::to_string(n);
  if (!totals.empty()) out << "anomaly counts over all trials: " << totals << "\n";
  for (const FailingTrial& f : s.failing) {
    out << "trial " << f.index << ": "
        << (f.error.empty() ? f.forbidden : "harness error: " + f.error)
        << (f.others.empty() ? "" : " (also " + f.others + ")") << "\n  replay: " << f.replay
        << "\n";
    size_t shown = 0;
    for (const json& d : f.details) {
      if (!d.is_object() || ++shown > 5) continue;
      out << DetailLine(d, "    ");
    }
  }
  if (s.failing_total > static_cast<long long>(s.failing.size()))
    out << "(" << s.failing_total - static_cast<long long>(s.failing.size())
        << " more failing trials in results.json)\n";
  return out.str();
}

std::string FailureMessage(const ScenarioView& s) {
  std::string m;
  if (!s.error.empty()) m = "scenario error: " + s.error;
  for (const auto& [kind, n] : s.forbidden_seen)
    (m += m.empty() ? "forbidden " : ", ") +=
        kind + " in " + std::to_string(n) + " of " + std::to_string(s.trials) + " trials";
  if (s.harness_errors)
    (m += m.empty() ? "" : "; ") +=
        std::to_string(s.harness_errors) + " trials with harness errors";
  if (!s.failing.empty()) {
    const FailingTrial& f = s.failing.front();
    m += "; trial " + std::to_string(f.index) + ": " + (f.error.empty() ? f.forbidden : f.error) +
         "; replay: " + f.replay;
  }
  return m;
}

}  // namespace

std::string RenderJunitXml(const json& results) {
  const ReportModel m = BuildReportModel(results);
  long long failures = 0, errors = 0, skipped = 0;
  double time_s = 0;
  std::ostringstream cases;
  for (const ScenarioView& s : m.scenarios) {
    time_s += s.duration_s;
    cases << "    <testcase" << Attr("classname", s.strategy) << Attr("name", TestcaseName(s))
          << Attr("time", Fixed(s.duration_s, 3));
    if (s.failed()) {
      ++failures;
      cases << ">\n      <failure" << Attr("message", FailureMessage(s))
            << Attr("type", "expectation-failed") << ">" << XmlEscape(FailureText(s), false)
            << "</failure>\n    </testcase>\n";
    } else if (s.has_harness_error()) {
      ++errors;
      cases << ">\n      <error" << Attr("message", FailureMessage(s))
            << Attr("type", "harness-error") << ">" << XmlEscape(FailureText(s), false)
            << "</error>\n    </testcase>\n";
    } else if (s.expectation == "not-run") {
      ++skipped;
      cases << ">\n      <skipped"
            << Attr("message", m.interrupted ? "not run: the run was interrupted" : "not run")
            << "/>\n    </testcase>\n";
    } else {
      cases << "/>\n";
    }
  }
  const std::string counts =
      Attr("tests", std::to_string(m.scenarios.size())) +
      Attr("failures", std::to_string(failures)) + Attr("errors", std::to_string(errors)) +
      Attr("skipped", std::to_string(skipped)) + Attr("time", Fixed(time_s, 3));
  std::string timestamp = m.context.value("date", std::string("1970-01-01T00:00:00"));
  if (!timestamp.empty() && timestamp.back() == 'Z')
    timestamp.pop_back();  // the schemas want no zone
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" << Attr("name", "crashbench")
      << counts << ">\n"
      << "  <testsuite" << Attr("name", "crashbench") << counts << Attr("timestamp", timestamp)
      << Attr("hostname", m.context.value("host_name", std::string("localhost")))
      << ">\n    <properties>\n";
  for (const auto& [key, value] : m.tool.items())
    out << "      <property" << Attr("name", "tool." + key)
        << Attr("value", value.is_string() ? value.get<std::string>() : value.dump()) << "/>\n";
  for (const char* key : {"kernel", "fs_type", "num_cpus", "cpu"})
    if (m.context.contains(key))
      out << "      <property" << Attr("name", std::string("context.") + key)
          << Attr("value", m.context[key].is_string() ? m.context[key].get<std::string>()
                                                      : m.context[key].dump())
          << "/>\n";
  out << "      <property" << Attr("name", "interrupted")
      << Attr("value", m.interrupted ? "true" : "false") << "/>\n";
  out << "    </properties>\n"
      << cases.str() << "    <system-out/>\n    <system-err/>\n  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace crashbench
