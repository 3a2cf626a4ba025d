// The default matrix's expectations: guarantees (forbid) apart from the races
// it demonstrates (show), so that a race a busy machine did not produce is
// never a failed run.
#include <gtest/gtest.h>

#include "scenarios/default_matrix.h"

namespace crashbench {
namespace {

const Scenario* Find(const std::vector<Scenario>& matrix, const std::string& name) {
  for (const Scenario& s : matrix)
    if (s.name == name) return &s;
  return nullptr;
}

TEST(DefaultMatrixExpect, RacesAreDemonstrationsNotGuarantees) {
  for (bool quick : {true, false}) {
    const std::vector<Scenario> matrix = DefaultMatrix(quick);
    for (const Scenario& s : matrix)
      for (AnomalyKind k : s.show)
        EXPECT_FALSE(s.forbid.count(k)) << s.name << ": " << AnomalyName(k) << " in both";
    for (const char* name :
         {"naive/none", "shared-handle/none", "locked-append open=inherited/none"}) {
      const Scenario* s = Find(matrix, name);
      ASSERT_NE(s, nullptr) << name;
      EXPECT_TRUE(s->show.count(AnomalyKind::kInterleaved)) << name;
    }
    const Scenario* join = Find(matrix, "queue-writer drain=after-join/none");
    ASSERT_NE(join, nullptr);
    EXPECT_TRUE(join->show.count(AnomalyKind::kHang));
    // A guarantee stays a guarantee.
    const Scenario* ar = Find(matrix, "atomic-rename/none");
    ASSERT_NE(ar, nullptr);
    EXPECT_TRUE(ar->forbid.count(AnomalyKind::kTorn));
    EXPECT_TRUE(ar->show.empty());
  }
}

}  // namespace
}  // namespace crashbench
