#include "scenarios/subject_spec.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "harness/base/json_file.h"
#include "scenarios/scenario.h"

namespace crashbench {
namespace {

using nlohmann::json;

struct Where {
  const std::string& prefix;
  Status Error(const std::string& path, const std::string& what) const {
    return Status::Error(prefix + (path.empty() ? "" : ": " + path) + ": " + what);
  }
};

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// A list of strings; `required` refuses an empty one.
Status GetArgv(const json& obj, const char* key, bool required, const std::string& scenario_dir,
               std::vector<std::string>* out, const Where& w) {
  const std::string path = std::string("subject.") + key;
  auto it = obj.find(key);
  if (it == obj.end())
    return required ? w.Error("subject", std::string("missing required key '") + key +
                                             "' (the program and its arguments, e.g. "
                                             "[\"python3\", \"{scenario_dir}/job.py\", \"{out}\"])")
                    : Status::Ok();
  if (!it->is_array() || it->empty())
    return w.Error(path, "must be a non-empty array of strings (argv), got " + JsonExcerpt(*it));
  for (size_t i = 0; i < it->size(); ++i) {
    const json& a = (*it)[i];
    if (!a.is_string())
      return w.Error(path + "[" + std::to_string(i) + "]",
                     "must be a string, got " + JsonExcerpt(a));
    out->push_back(Replace(a.get<std::string>(), "{scenario_dir}", scenario_dir));
  }
  if (out->front().empty()) return w.Error(path + "[0]", "the program name is empty");
  return Status::Ok();
}

Status GetEnv(const json& subject, const std::string& scenario_dir,
              std::map<std::string, std::string>* env, const Where& w) {
  auto it = subject.find("env");
  if (it == subject.end()) return Status::Ok();
  if (!it->is_object()) return w.Error("subject.env", "must be a JSON object of strings");
  for (auto e = it->begin(); e != it->end(); ++e) {
    const std::string path = "subject.env." + Excerpt(e.key());
    if (e.key().empty() || e.key().find('=') != std::string::npos)
      return w.Error(path, "not a variable name (empty, or holds '=')");
    if (e.key().rfind("CRASHBENCH_", 0) == 0)
      return w.Error(path,
                     "CRASHBENCH_* variables are set by crashbench itself (CRASHBENCH_OUT_DIR, "
                     "CRASHBENCH_TASKS, CRASHBENCH_RECORDS_PER_TASK, CRASHBENCH_RECORD_BYTES, "
                     "CRASHBENCH_WORKERS, CRASHBENCH_SEED, CRASHBENCH_ACK_FILE)");
    if (!e->is_string()) return w.Error(path, "must be a string, got " + JsonExcerpt(*e));
    (*env)[e.key()] = Replace(e->get<std::string>(), "{scenario_dir}", scenario_dir);
  }
  return Status::Ok();
}

Status GetAcks(const json& acks, std::string* regex_text, const Where& w) {
  if (!acks.is_object() || acks.size() != 1 || !acks.contains("stdout"))
    return w.Error("acks",
                   "must be {\"stdout\": \"REGEX with one group\"} (valid keys: stdout); a "
                   "program acknowledges through $CRASHBENCH_ACK_FILE without it");
  const json& r = acks["stdout"];
  if (!r.is_string() || r.get<std::string>().empty())
    return w.Error("acks.stdout", "must be a non-empty regular expression, got " + JsonExcerpt(r));
  *regex_text = r.get<std::string>();
  try {
    std::regex re(*regex_text);
    if (re.mark_count() != 1)
      return w.Error("acks.stdout", "'" + Excerpt(*regex_text) + "' has " +
                                        std::to_string(re.mark_count()) +
                                        " groups: it needs exactly one, the task id (\\d+)");
  } catch (const std::regex_error& e) {
    return w.Error("acks.stdout",
                   "'" + Excerpt(*regex_text) +
                       "' is not a valid regular expression (ECMAScript): " + e.what());
  }
  return Status::Ok();
}

// A built-in strategy's keys, and why a command has no use for them.
Status RefuseStrategyKeys(const json& j, const Where& w) {
  static const std::pair<const char*, const char*> kWhy[] = {
      {"strategy",
       "a scenario names exactly one of 'strategy' (a built-in) and 'subject' (a "
       "command)"},
      {"options",
       "strategy options configure a built-in strategy; a command takes its own "
       "arguments in subject.command"},
      {"start_method", "the command starts its own processes, the way its own code says"},
      {"on_worker_death", "what a dead worker means is up to the command's own code"},
      {"resume",
       "a command is restarted with \"restart\": true (it runs again on the same "
       "directory and decides itself what to skip)"},
  };
  for (const auto& [key, why] : kWhy)
    if (j.contains(key)) return w.Error(key, std::string("not for a command subject: ") + why);
  return Status::Ok();
}

Result<SubjectSpec> ParseSubject(const json& j, const std::string& scenario_dir, const Where& w) {
  RETURN_IF_ERROR(RefuseStrategyKeys(j, w));
  SubjectSpec spec;
  const json& subject = j["subject"];
  if (!subject.is_object())
    return w.Error("subject",
                   "must be a JSON object {\"command\": [ARGV...], \"setup\": [ARGV...], "
                   "\"env\": {...}}, got " +
                       JsonExcerpt(subject));
  for (auto it = subject.begin(); it != subject.end(); ++it)
    if (it.key() != "command" && it.key() != "setup" && it.key() != "env")
      return w.Error("subject",
                     "unknown key '" + Excerpt(it.key()) + "' (valid keys: command, setup, env)");
  RETURN_IF_ERROR(GetArgv(subject, "command", true, scenario_dir, &spec.command, w));
  RETURN_IF_ERROR(GetArgv(subject, "setup", false, scenario_dir, &spec.setup, w));
  RETURN_IF_ERROR(GetEnv(subject, scenario_dir, &spec.env, w));
  if (j.contains("acks")) RETURN_IF_ERROR(GetAcks(j["acks"], &spec.ack_stdout_regex, w));
  if (j.contains("restart")) {
    if (!j["restart"].is_boolean())
      return w.Error("restart", "must be true or false, got " + JsonExcerpt(j["restart"]));
    spec.restart = j["restart"].get<bool>();
  }
  // A command's output has no layout crashbench knows: the scenario says how
  // it is judged. No default, so that nobody's output is judged as contract
  // records by accident.
  if (!j.contains("verify"))
    return w.Error("",
                   "missing required key 'verify' for a command subject: how its output is "
                   "judged (valid oracles: " +
                       std::string(kOracleNames) + ")");
  json verify = j["verify"];
  if (verify.is_object() && verify.contains("command") && verify["command"].is_array())
    for (json& a : verify["command"])
      if (a.is_string()) a = Replace(a.get<std::string>(), "{scenario_dir}", scenario_dir);
  Result<OracleSpec> oracle = ParseOracleSpec(verify, w.prefix + ": verify");
  if (!oracle.ok()) return oracle.status();
  spec.verify = std::move(*oracle);
  return spec;
}

}  // namespace

Result<std::optional<SubjectSpec>> ParseSubjectKeys(const json& j, const std::string& where,
                                                    const std::string& scenario_dir) {
  Where w{where};
  if (j.contains("subject")) {
    Result<SubjectSpec> spec = ParseSubject(j, scenario_dir, w);
    if (!spec.ok()) return spec.status();
    return std::optional<SubjectSpec>(std::move(*spec));
  }
  for (const char* key : {"acks", "restart", "verify"})
    if (j.contains(key))
      return w.Error(key,
                     "only for a command subject (\"subject\": {\"command\": [...]}); a "
                     "built-in strategy is judged by the record verifier and restarted with "
                     "\"resume\"");
  return std::optional<SubjectSpec>();
}

std::string ScenarioDirOf(const std::string& source) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(source.empty() ? "." : source, ec);
  if (ec) return ".";
  p = p.lexically_normal();
  return source.empty() ? p.string() : p.parent_path().string();
}

void SubjectKeysToJson(const SubjectSpec& spec, json* j) {
  json subject = {{"command", spec.command}};
  if (!spec.setup.empty()) subject["setup"] = spec.setup;
  if (!spec.env.empty()) subject["env"] = spec.env;
  (*j)["subject"] = subject;
  if (!spec.ack_stdout_regex.empty()) (*j)["acks"] = {{"stdout", spec.ack_stdout_regex}};
  (*j)["restart"] = spec.restart;
  (*j)["verify"] = OracleSpecToJson(spec.verify);
}

Status ValidateSubjectScenario(const Scenario& s, const Fault& fault) {
  // Set in code or by a command-line override: what only the pool has.
  if (!s.strategy.empty() || !s.options.empty())
    return Status::Error("a scenario has either a strategy or a subject, not both");
  if (s.start_method != StartMethod::kFork || s.on_worker_death != WorkerDeathPolicy::kFailPool ||
      s.resume != Resume::kNone)
    return Status::Error(
        "start_method, on_worker_death and resume are the built-in pool's: a command subject "
        "has its own (use \"restart\": true to run it again after the fault)");
  if (s.fault.kind != "none" && fault.whole_run()) {
    if (s.subject->verify.kind != OracleKind::kRecords)
      return Status::Error("fault '" + s.fault.kind +
                           "' judges each crash state with the record verifier: it needs "
                           "\"verify\": {\"oracle\": \"records\"} (the oracle here is '" +
                           std::string(OracleName(s.subject->verify.kind)) + "')");
    if (s.subject->restart)
      return Status::Error("fault '" + s.fault.kind +
                           "' judges the crash states of one recorded run: it takes no "
                           "\"restart\"");
    return CheckFaultHostable(fault, s.fault.method, s.fault.trigger.type, kCommandSubjectHost);
  }
  if (s.fault.kind != "none") {
    const std::string target(FaultTargetName(s.fault.target));
    if (!IsCommandTarget(s.fault.target))
      return Status::Error("fault target '" + target +
                           "' is the built-in pool's (valid targets for a command subject: " +
                           std::string(kCommandTargetNames) + ")");
    if (s.fault.target == FaultTarget::kCaller && s.fault.trigger.type != TriggerType::kSyscall)
      return Status::Error(
          "fault target 'caller' is the process making a stopped system call: it needs a "
          "syscall trigger (at a moment, aim at 'root' or 'tree')");
  }
  RETURN_IF_ERROR(
      CheckFaultHostable(fault, s.fault.method, s.fault.trigger.type, kCommandSubjectHost));
  if (s.fault.kind != "none" && !fault.at_syscall())
    return Status::Error("fault '" + s.fault.kind +
                         "' has no action on a command's processes (no action at a system call)");
  return Status::Ok();
}

std::string ReplaceOut(std::string text, const std::string& out_dir, const std::string& work_dir) {
  text = Replace(std::move(text), "{out}", out_dir);
  return work_dir.empty() ? text : Replace(std::move(text), "{work}", work_dir);
}

}  // namespace crashbench
