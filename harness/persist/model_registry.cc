// The persistence models by name: one line each.
#include <utility>

#include "harness/persist/model.h"

namespace crashbench {
namespace {

using Factory = Result<std::unique_ptr<PersistenceModel>> (*)(const ModelOptions&);

const std::vector<std::pair<std::string, Factory>>& Registry() {
  static const std::vector<std::pair<std::string, Factory>> kModels = {
      {"prefix", MakePrefixModel},
      {"lazyfs", MakeLazyfsModel},
      {"posix-weak", MakePosixWeakModel},
      {"ext4-ordered", MakeExt4OrderedModel},
  };
  return kModels;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> PersistenceModelNames() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

Result<std::unique_ptr<PersistenceModel>> MakePersistenceModel(const std::string& name,
                                                               const ModelOptions& options) {
  for (const auto& [n, factory] : Registry())
    if (n == name) return factory(options);
  return Status::Error("unknown persistence model \"" + name +
                       "\"; valid: " + Join(PersistenceModelNames()));
}

Status CheckModelOptions(std::string_view model, const ModelOptions& options,
                         const std::map<std::string, std::vector<std::string>>& known) {
  for (const auto& [key, value] : options) {
    auto it = known.find(key);
    if (it == known.end()) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : known) keys.push_back(k);
      return Status::Error("persistence model " + std::string(model) + " has no option \"" + key +
                           "\"; valid: " + (keys.empty() ? std::string("none") : Join(keys)));
    }
    bool ok = false;
    for (const std::string& v : it->second) ok = ok || v == value;
    if (!ok)
      return Status::Error("persistence model " + std::string(model) + ": option " + key +
                           " is \"" + value + "\"; valid: " + Join(it->second));
  }
  return Status::Ok();
}

}  // namespace crashbench
