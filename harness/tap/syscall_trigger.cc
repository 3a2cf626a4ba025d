#include "harness/tap/syscall_trigger.h"

#include <algorithm>

#include "harness/tap/tap_calls.h"

namespace crashbench {
namespace {

bool Match(const char* g, const char* p) {
  for (; *g; ++g, ++p) {
    if (g[0] == '*' && g[1] == '*') {
      g += 2;
      if (*g == '/') ++g;  // "a/**/b" also matches "a/b"
      for (const char* q = p;; ++q) {
        if (Match(g, q)) return true;
        if (!*q) return false;
      }
    }
    if (*g == '*') {
      for (const char* q = p;; ++q) {
        if (Match(g + 1, q)) return true;
        if (!*q || *q == '/') return false;
      }
    }
    if (!*p || (*g == '?' ? *p == '/' : *g != *p)) return false;
  }
  return !*p;
}

}  // namespace

bool GlobMatches(const std::string& glob, const std::string& path) {
  return Match(glob.c_str(), path.c_str());
}

bool TriggerMatches(const SyscallTrigger& t, const TapEvent& e) {
  if (e.extra) return false;
  if (!t.ops.empty() && std::find(t.ops.begin(), t.ops.end(), e.call) == t.ops.end()) return false;
  if (!t.path_glob.empty() && !GlobMatches(t.path_glob, e.path) &&
      (e.path2.empty() || !GlobMatches(t.path_glob, e.path2)))
    return false;
  if (!t.contains.empty() && e.bytes.find(t.contains) == std::string::npos) return false;
  return t.point.empty() || SameEventPoint(SignatureWithoutProcess(EventSignature(e)), t.point);
}

const std::vector<std::string>& TappedCallNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const tap_internal::TappedCall& c : tap_internal::TappedCalls())
      names.emplace_back(c.name);
    return names;
  }();
  return kNames;
}

const std::vector<std::string>& WriteLikeCallNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const tap_internal::TappedCall& c : tap_internal::TappedCalls())
      if (c.write_like) names.emplace_back(c.name);
    return names;
  }();
  return kNames;
}

}  // namespace crashbench
