// Pieces every strategy shares, so that the fault points sit at the same
// places in all of them.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "harness/base/status.h"
#include "strategies/worker_context.h"

namespace crashbench {

// Writes one record's bytes in two halves with the `mid-record` point between
// them, `before-write` before and `after-write` after, and counts the record.
// write_bytes does the real I/O (fwrite, write(2), a pipe frame...).
Status WriteRecordInHalves(WorkerContext& ctx, std::string_view text,
                           const std::function<Status(const char*, size_t)>& write_bytes);

// Writes one record's bytes with one call: `before-write`, the write,
// `after-write`. There is no `mid-record` point: one write(2) of a regular
// file opened O_APPEND is not split by other appenders, and nothing runs
// between its halves.
Status WriteRecordWhole(WorkerContext& ctx, std::string_view text,
                        const std::function<Status(const char*, size_t)>& write_bytes);

// fwrite into a stdio stream, as a buffered program does: bytes may stay in
// the process's buffer until it fills, is flushed or the stream is closed.
Status StdioWrite(FILE* f, const char* p, size_t n, const std::string& what);

// write(2) of all n bytes to a file, as a raw-descriptor program does.
Status FileWrite(int fd, const char* p, size_t n, const std::string& what);

// fflush then fsync, with the `before-fsync` point and the fsync stage timed.
Status FlushAndSync(WorkerContext& ctx, FILE* f, const std::string& what);
// fsync of a raw descriptor, same point and timing.
Status SyncFd(WorkerContext& ctx, int fd, const std::string& what);

// fclose, whose error (the final flush failing) must not be ignored.
Status CloseStdio(FILE* f, const std::string& what);

}  // namespace crashbench
