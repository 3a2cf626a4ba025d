#include "harness/base/json_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_util.h"

namespace crashbench {
namespace {

using nlohmann::json;
using testing::ScratchDir;

std::string Error(std::string_view text, const JsonLimits& limits = {}) {
  Result<json> r = ParseJsonText(text, "x.json", limits);
  EXPECT_FALSE(r.ok()) << text.substr(0, 80);
  return r.ok() ? "" : r.status().message();
}

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ReadJsonFile, ReadsARegularFile) {
  ScratchDir d;
  d.Write("a.json", R"({"a": [1, 2, {"b": "c"}]})");
  Result<json> r = ReadJsonFile(d.path() + "/a.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["a"][2]["b"], "c");
}

TEST(ReadJsonFile, MissingFileIsNamed) {
  Result<json> r = ReadJsonFile("/nonexistent/x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot read /nonexistent/x.json: No such file or directory");
}

TEST(ReadJsonFile, RefusesADeviceAndADirectory) {
  Result<json> zero = ReadJsonFile("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(),
            "cannot read /dev/zero: a character device, not a regular file");
  ScratchDir d;
  Result<json> dir = ReadJsonFile(d.path());
  ASSERT_FALSE(dir.ok());
  EXPECT_TRUE(Has(dir.status().message(), "a directory, not a regular file"))
      << dir.status().message();
}

TEST(ReadJsonFile, AFifoWithoutAWriterIsRefusedAtOnce) {
  ScratchDir d;
  const std::string fifo = d.path() + "/fifo.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  Result<json> r = ReadJsonFile(fifo);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot read " + fifo + ": a FIFO, not a regular file");
  EXPECT_LT(took, std::chrono::seconds(1));
}

TEST(ReadJsonFile, OversizeByItsSize) {
  ScratchDir d;
  d.Write("big.json", "[" + std::string(2047, ' ') + "]");
  Result<json> r = ReadJsonFile(d.path() + "/big.json", {.max_bytes = 1024});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            d.path() + "/big.json: larger than the limit of 1 KiB (2049 bytes)");
  EXPECT_TRUE(ReadJsonFile(d.path() + "/big.json", {.max_bytes = 2049}).ok());
}

// Files in /proc claim size 0: the bound is on what is read, not on what fstat says.
TEST(ReadJsonFile, OversizeWhileReadingAFileThatClaimsToBeEmpty) {
  Result<json> r = ReadJsonFile("/proc/self/maps", {.max_bytes = 16});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "/proc/self/maps: larger than the limit of 16 bytes");
}

// The file is read in chunks; a document must read the same whatever the
// chunk size, and its errors name the same place (the fuzzer reads every
// input 7 bytes at a time and compares).
TEST(ReadJsonFile, ChunkEdgesChangeNothing) {
  ScratchDir d;
  const std::string good = "{\"a\": [1, \"two\\\"s\", {\"b\": null}],\n \"c\": 2.5}";
  const std::string bad = "{\"a\": 1,\n \"b\": [1, 2,, 3]}";
  const std::string dup = "{\"a\": 1,\n \"a\": 2}";
  d.Write("good.json", good);
  d.Write("bad.json", bad);
  d.Write("dup.json", dup);
  for (size_t chunk : {1, 2, 3, 7, 64}) {
    SCOPED_TRACE(chunk);
    const JsonLimits limits{.read_chunk = chunk};
    Result<json> r = ReadJsonFile(d.path() + "/good.json", limits);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(*r, json::parse(good));
    EXPECT_EQ(ReadJsonFile(d.path() + "/bad.json", limits).status().message(),
              d.path() + "/" + Error(bad).replace(0, 6, "bad.json"));
    EXPECT_EQ(ReadJsonFile(d.path() + "/dup.json", limits).status().message(),
              d.path() + "/" + Error(dup).replace(0, 6, "dup.json"));
  }
}

TEST(ParseJsonText, OversizeText) {
  EXPECT_EQ(Error("[1, 2, 3]", {.max_bytes = 4}),
            "x.json: larger than the limit of 4 bytes (9 bytes)");
}

TEST(ParseJsonText, DepthIsBoundedWithoutOverflowingTheStack) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(Error(deep), "x.json:1:65: nested deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  EXPECT_EQ(Error(objects), "x.json:1:321: nested deeper than 64 levels");
  EXPECT_TRUE(ParseJsonText(std::string(64, '[') + std::string(64, ']'), "x.json").ok());
  EXPECT_EQ(Error(std::string(4, '[') + std::string(4, ']'), {.max_depth = 3}),
            "x.json:1:4: nested deeper than 3 levels");
}

TEST(ReadJsonFile, DepthIsBoundedInAFile) {
  ScratchDir d;
  d.Write("deep.json", R"({"name": )" + std::string(100000, '[') + std::string(100000, ']') + "}");
  Result<json> r = ReadJsonFile(d.path() + "/deep.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), d.path() + "/deep.json:1:73: nested deeper than 64 levels");
}

TEST(ParseJsonText, DuplicateKeyNamesBothPositions) {
  EXPECT_EQ(Error("{\n  \"trials\": 1,\n  \"trials\": 2\n}"),
            "x.json:3:3: duplicate key \"trials\" (first at 2:3): a key may appear only once in "
            "an object");
  // Escaped quotes, commas and colons inside a key do not confuse the positions.
  EXPECT_TRUE(Has(Error(R"({"a\",:": 1, "a\",:": 2})"), "x.json:1:14: duplicate key"))
      << Error(R"({"a\",:": 1, "a\",:": 2})");
  EXPECT_TRUE(Has(Error(R"({"s": "\\", "o": {"k": 1, "k": 2}})"), "x.json:1:27:"))
      << Error(R"({"s": "\\", "o": {"k": 1, "k": 2}})");
}

TEST(ParseJsonText, SameKeyInDifferentObjectsIsFine) {
  Result<json> r =
      ParseJsonText(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}], "c": {"a": 3}})", "x.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["b"][1]["a"], 2);
}

TEST(ParseJsonText, SyntaxErrorNamesLineAndColumnWithoutTheLibraryPrefix) {
  const std::string e = Error("{\n  \"name\": \"a\",\n  \"strategy\": naive\n}");
  EXPECT_TRUE(Has(e, "x.json:3:")) << e;
  EXPECT_TRUE(Has(e, ": invalid JSON: syntax error")) << e;
  EXPECT_FALSE(Has(e, "json.exception")) << e;
  const std::string truncated = Error(R"({"schema_version": 1, )");
  EXPECT_TRUE(Has(truncated, "x.json:1:23: invalid JSON")) << truncated;  // just past the end
  EXPECT_FALSE(Has(truncated, "json.exception")) << truncated;
  const std::string overflow = Error(R"({"a": 1e999})");
  EXPECT_TRUE(Has(overflow, "x.json:1:")) << overflow;
  EXPECT_FALSE(Has(overflow, "json.exception")) << overflow;
}

TEST(ParseJsonText, RejectedValuesAreNeverEchoedWhole) {
  const std::string open_string = R"({"name": ")" + std::string(1 << 20, 'a');
  const std::string e = Error(open_string);
  EXPECT_TRUE(Has(e, "invalid JSON")) << e.substr(0, 400);
  EXPECT_LT(e.size(), 400u);
  const std::string big_key =
      "{\"" + std::string(1 << 20, 'k') + "\": 1, \"" + std::string(1 << 20, 'k') + "\": 2}";
  EXPECT_LT(Error(big_key).size(), 400u);
  const std::string long_string = R"({"name": ")" + std::string(1 << 20, 'a') + "\"}";
  const std::string s = Error(long_string, {.max_string_bytes = 200});
  EXPECT_TRUE(Has(s, "x.json:1:10: a string of 1048576 bytes, longer than the limit of 200"))
      << s.substr(0, 400);
  EXPECT_LT(s.size(), 400u);
}

TEST(ParseJsonText, HookSeesEveryObjectAndMayShrinkIt) {
  int objects = 0;
  Result<json> r =
      ParseJsonText(R"({"t": [{"keep": 1, "drop": 2}, {"drop": 3}]})", "x.json", {}, [&](json& o) {
        ++objects;
        o.erase("drop");
      });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(objects, 3);
  EXPECT_EQ(r->dump(), R"({"t":[{"keep":1},{}]})");
}

TEST(Excerpt, CutsAtACharacterAndEscapesControls) {
  EXPECT_EQ(Excerpt("short"), "short");
  EXPECT_EQ(Excerpt("a\nb\x01"), "a\\nb\\x01");
  EXPECT_EQ(Excerpt("abcdef", 3), "abc... (6 bytes)");
  EXPECT_EQ(Excerpt("ab\xc3\xa9xyz", 3), "ab... (7 bytes)");  // é is not split
}

TEST(JsonExcerpt, LargeContainersAreNamedNotDumped) {
  json big = json::array();
  for (int i = 0; i < 2000; ++i) big.push_back(i);
  EXPECT_EQ(JsonExcerpt(big), "an array of 2000 elements");
  EXPECT_EQ(JsonExcerpt(json::array({1, 2})), "[1,2]");
  EXPECT_EQ(JsonExcerpt(std::string(1000, 'x')).size(),
            80u + std::string("... (1002 bytes)").size());
}

}  // namespace
}  // namespace crashbench
