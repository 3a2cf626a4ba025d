// Reading a results file back: one schema check (results/SCHEMA.md) shared by
// every command that reads one (report, gate, compare, merge, replay, shrink),
// so that no command takes a malformed file for an empty or a clean one.
//
//   Result<nlohmann::json> doc = LoadResultsFile("out/results.json");
//   if (!doc.ok()) { print "crashbench: " + doc.status().message(); exit 2; }
//
// Errors name the file and the field path:
//   out/results.json: scenarios[3].trials[0].anomalies.torn: must be a
//   non-negative integer, got "many"
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/base/json_file.h"
#include "harness/base/status.h"

namespace crashbench {

// The checks on a parsed document: schema_version, the scenarios array, per
// scenario its name and trials array, per trial the fields a reader counts
// (index, anomalies, violations, ...). Fields a reader may drop while parsing
// (details, processes) are checked only when present.
Status ValidateResultsDocument(const nlohmann::json& doc, const std::string& path);

// ReadJsonFile (with an optional per-object hook that may trim the document
// as it is parsed), then ValidateResultsDocument.
Result<nlohmann::json> LoadResultsFile(const std::string& path,
                                       const JsonObjectHook& hook = nullptr);

}  // namespace crashbench
