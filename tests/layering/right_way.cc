// Must compile with the verify layer's include roots: verify uses contract,
// which uses base. The control for wrong_way.cc (the test is not vacuous).
#include "harness/base/status.h"
#include "harness/contract/record.h"
#include "harness/verify/verifier.h"
