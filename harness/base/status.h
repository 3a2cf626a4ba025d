// Status and Result: a cheap error value, so that errno becomes an error in
// exactly one place (ErrnoStatus) and failures travel as values, not exceptions.
//
//   Status s = WriteFull(fd, buf, n);
//   if (!s.ok()) return s.Annotate("writing records.jsonl");
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace crashbench {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message, int err = 0) { return Status(std::move(message), err); }

  bool ok() const { return !failed_; }
  // errno of the failing call, 0 when the error did not come from the OS.
  int err() const { return err_; }
  const std::string& message() const { return message_; }
  // Prefixes the message with where it happened ("open task-3.json: ...").
  Status Annotate(const std::string& context) const {
    if (ok()) return *this;
    return Status(context + ": " + message_, err_);
  }

 private:
  Status(std::string message, int err) : failed_(true), err_(err), message_(std::move(message)) {}
  bool failed_ = false;
  int err_ = 0;
  std::string message_;
};

#define RETURN_IF_ERROR(expr)          \
  do {                                 \
    ::crashbench::Status _st = (expr); \
    if (!_st.ok()) return _st;         \
  } while (0)

// The single place errno becomes an error value.
Status ErrnoStatus(const std::string& what, int err);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace crashbench
