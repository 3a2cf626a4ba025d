#include "harness/contract/record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "harness/base/crc32c.h"

namespace crashbench {
namespace {

// Published CRC-32C check values (RFC 3720 appendix B.4 and the common "123456789").
TEST(Crc32c, CheckValue123456789) { EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u); }

TEST(Crc32c, Rfc3720ThirtyTwoZeros) {
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
}

TEST(Crc32c, Rfc3720ThirtyTwoOnes) {
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32c, Rfc3720Incrementing) {
  std::string inc;
  for (int i = 0; i < 32; ++i) inc += static_cast<char>(i);
  EXPECT_EQ(Crc32c(inc.data(), inc.size()), 0x46DD794Eu);
}

TEST(Crc32c, EmptyIsZero) { EXPECT_EQ(Crc32c("", 0), 0u); }

TEST(Crc32c, SoftwareAndHardwareAgreeOnOddLengths) {
  std::string data = MakePayload(7, 1, 2, 1000);
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 65u, 999u, 1000u}) {
    EXPECT_EQ(Crc32cExtendSoftware(0, data.data(), n), Crc32cExtendHardware(0, data.data(), n))
        << n;
  }
}

TEST(Crc32c, ExtendEqualsOneShot) {
  std::string a = "hello, ", b = "world";
  EXPECT_EQ(Crc32cExtend(Crc32c(a.data(), a.size()), b.data(), b.size()),
            Crc32c((a + b).data(), a.size() + b.size()));
}

TEST(Crc32c, HexIsEightLowercaseDigits) {
  EXPECT_EQ(Crc32cHex(0xE3069283u), "e3069283");
  EXPECT_EQ(Crc32cHex(0x1u), "00000001");
}

TEST(Payload, DeterministicFromSeedTaskSeq) {
  EXPECT_EQ(MakePayload(42, 3, 5, 256), MakePayload(42, 3, 5, 256));
  EXPECT_NE(MakePayload(42, 3, 5, 256), MakePayload(43, 3, 5, 256));
  EXPECT_NE(MakePayload(42, 3, 5, 256), MakePayload(42, 4, 5, 256));
  EXPECT_NE(MakePayload(42, 3, 5, 256), MakePayload(42, 3, 6, 256));
}

TEST(Payload, ExactSizeAndNeedsNoJsonEscaping) {
  for (size_t n : {1u, 9u, 10u, 11u, 256u, 4096u}) {
    std::string p = MakePayload(1, 2, 3, n);
    ASSERT_EQ(p.size(), n);
    for (char c : p) {
      ASSERT_TRUE(c >= 0x23 && c <= 0x63) << int(c);
      ASSERT_NE(c, '\\');
    }
  }
}

TEST(Payload, UsesAllSixtyFourSymbols) {
  std::string p = MakePayload(3, 1, 1, 4096);
  std::set<char> seen(p.begin(), p.end());
  EXPECT_EQ(seen.size(), 64u);
}

TEST(Record, EncodesTheContractExactly) {
  std::string payload = "abc";
  // crc over "12:3:16:abc"
  std::string crc = Crc32cHex(Crc32c("12:3:16:abc", 11));
  EXPECT_EQ(EncodeRecord(12, 3, 16, payload),
            "{\"task\":12,\"seq\":3,\"of\":16,\"payload\":\"abc\",\"crc\":\"" + crc + "\"}");
}

TEST(Record, GeneratedInPlaceEqualsEncodingAGeneratedPayload) {
  std::string out;
  for (size_t bytes : {1u, 7u, 8u, 9u, 256u, 4097u}) {
    EncodeGeneratedRecordTo(42, 3, 5, 16, bytes, &out);
    EXPECT_EQ(out, EncodeRecord(3, 5, 16, MakePayload(42, 3, 5, bytes))) << bytes;
  }
}

TEST(Record, RoundTrips) {
  Record r;
  std::string text = EncodeRecord(7, 2, 4, MakePayload(9, 7, 2, 100));
  ASSERT_EQ(ParseRecord(text, &r), ParseOutcome::kValid);
  EXPECT_EQ(r.task, 7);
  EXPECT_EQ(r.seq, 2);
  EXPECT_EQ(r.of, 4);
  EXPECT_EQ(r.payload, MakePayload(9, 7, 2, 100));
}

TEST(Record, BadCrcIsDetected) {
  Record r;
  std::string text = EncodeRecord(7, 2, 4, "zzzzz");
  text.replace(text.find("zzzzz"), 5, "zzzzy");  // one payload byte flipped
  EXPECT_EQ(ParseRecord(text, &r), ParseOutcome::kBadCrc);
}

TEST(Record, TruncatedIsBadJson) {
  Record r;
  std::string text = EncodeRecord(7, 2, 4, "payload");
  EXPECT_EQ(ParseRecord(text.substr(0, text.size() - 3), &r), ParseOutcome::kBadJson);
}

TEST(Record, MissingFieldIsBadFields) {
  Record r;
  EXPECT_EQ(ParseRecord(R"({"task":1,"seq":0,"payload":"x","crc":"00000000"})", &r),
            ParseOutcome::kBadFields);
  EXPECT_EQ(ParseRecord(R"({"task":1,"seq":5,"of":5,"payload":"x","crc":"00000000"})", &r),
            ParseOutcome::kBadFields);
}

}  // namespace
}  // namespace crashbench

namespace crashbench {
namespace {

// The canonical fast path and the full JSON parser must judge every text the
// same way: run both on many mutations of real records.
ParseOutcome FullParse(std::string_view text, Record* r) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return ParseOutcome::kBadJson;
  return RecordFromJson(&j, r);
}

TEST(Record, FastPathAgreesWithTheFullParserOnMutations) {
  uint64_t rng = 12345;
  auto next = [&] { return rng = rng * 6364136223846793005ull + 1442695040888963407ull; };
  const std::string alphabet = "{}\":,0123456789-\\ abcxyz\n\x01\xc3";
  for (int i = 0; i < 20000; ++i) {
    std::string text = EncodeRecord(next() % 20, next() % 5, 1 + next() % 6,
                                    MakePayload(next(), 1, 2, next() % 40));
    int edits = 1 + static_cast<int>(next() % 3);
    for (int e = 0; e < edits; ++e) {
      size_t at = next() % (text.size() + 1);
      switch (next() % 3) {
        case 0:
          if (at < text.size()) text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, alphabet[next() % alphabet.size()]);
          break;
        case 2:
          if (at < text.size()) text[at] = alphabet[next() % alphabet.size()];
          break;
      }
    }
    Record a, b;
    ParseOutcome fast = ParseRecord(text, &a), full = FullParse(text, &b);
    ASSERT_EQ(fast, full) << text;
    if (fast == ParseOutcome::kValid || fast == ParseOutcome::kBadCrc) {
      EXPECT_EQ(a.task, b.task);
      EXPECT_EQ(a.seq, b.seq);
      EXPECT_EQ(a.payload, b.payload);
    }
  }
}

}  // namespace
}  // namespace crashbench
