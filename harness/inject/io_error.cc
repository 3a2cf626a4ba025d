#include "harness/inject/io_error.h"

namespace crashbench {
namespace {
int g_err = 0;
bool g_persistent = false;
}  // namespace

void InjectIoError(int err, bool persistent) {
  g_err = err;
  g_persistent = persistent;
}

int TakeInjectedIoError() {
  const int err = g_err;
  if (!g_persistent) g_err = 0;
  return err;
}

bool PersistentIoErrorInForce() { return g_persistent && g_err != 0; }

}  // namespace crashbench
