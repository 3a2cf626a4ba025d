// Must NOT compile with only the base layer's include root: base may not see
// the run layer. tests/layering/CMakeLists.txt expects this to fail.
#include "harness/run/runner.h"
