// The one error vocabulary of Kizuna: Error (a machine-readable code, a human message and, where it
// applies, the input field at fault) and Result<T>, shaped like std::expected. Expected failures travel
// as values across module boundaries; exceptions never do.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace kizuna::core {

// A small closed set. The HTTP edge maps each code to one status (http/error_mapping).
enum class ErrorCode {
    kInvalidArgument,     // the caller's input is wrong; `field` names the culprit when known
    kUnauthenticated,     // no valid credentials
    kPermissionDenied,    // credentials fine, action not allowed
    kNotFound,            // no such thing (or the caller may not know it exists)
    kAlreadyExists,       // unique key taken
    kFailedPrecondition,  // state does not allow the action now
    kResourceExhausted,   // throttled or over a limit
    kTooLarge,            // input over a size limit
    kUnavailable,         // transient: try again later
    kDataLoss,            // stored data is corrupt or tampered with
    kInternal,            // a bug or an unexpected library failure
};

// Stable lower_snake names used in logs and JSON ("invalid_argument", ...).
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Error {
  public:
    Error(ErrorCode code, std::string message, std::string field = {})
        : code_(code), message_(std::move(message)), field_(std::move(field)) {}

    ErrorCode code() const { return code_; }
    const std::string& message() const { return message_; }
    const std::string& field() const { return field_; }

    // "invalid_argument: name: must not be empty"
    std::string ToString() const;

    // Adds context in front of the message: "open db: unable to open database file".
    Error WithContext(std::string_view context) const&;

  private:
    ErrorCode code_;
    std::string message_;
    std::string field_;
};

inline Error InvalidArgument(std::string message, std::string field = {}) {
    return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}
inline Error NotFound(std::string message) { return Error(ErrorCode::kNotFound, std::move(message)); }
inline Error Internal(std::string message) { return Error(ErrorCode::kInternal, std::move(message)); }
inline Error PermissionDenied(std::string message) {
    return Error(ErrorCode::kPermissionDenied, std::move(message));
}
inline Error Unauthenticated(std::string message) {
    return Error(ErrorCode::kUnauthenticated, std::move(message));
}
inline Error AlreadyExists(std::string message, std::string field = {}) {
    return Error(ErrorCode::kAlreadyExists, std::move(message), std::move(field));
}
inline Error FailedPrecondition(std::string message) {
    return Error(ErrorCode::kFailedPrecondition, std::move(message));
}
inline Error ResourceExhausted(std::string message) {
    return Error(ErrorCode::kResourceExhausted, std::move(message));
}
inline Error DataLoss(std::string message) { return Error(ErrorCode::kDataLoss, std::move(message)); }

// Result<T>: either a T or an Error. Access to the wrong alternative is a programmer error (assert).
template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool ok() const { return data_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(data_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(data_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(data_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& {
        assert(!ok());
        return std::get<1>(data_);
    }
    Error&& error() && {
        assert(!ok());
        return std::get<1>(std::move(data_));
    }

    T value_or(T fallback) const& { return ok() ? std::get<0>(data_) : std::move(fallback); }

  private:
    std::variant<T, Error> data_;
};

// Status: success, or an Error.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), has_error_(true) {}  // NOLINT: implicit by design

    bool ok() const { return !has_error_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const& {
        assert(!ok());
        return error_;
    }
    Error&& error() && {
        assert(!ok());
        return std::move(error_);
    }

  private:
    Error error_{ErrorCode::kInternal, {}};
    bool has_error_ = false;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace kizuna::core

// Early-return helpers. KZ_TRY(expr) returns the error of a failed Status/Result from the enclosing
// function; KZ_ASSIGN(lhs, expr) unwraps a Result into `lhs` or returns its error.
#define KZ_CONCAT_INNER(a, b) a##b
#define KZ_CONCAT(a, b) KZ_CONCAT_INNER(a, b)
#define KZ_TRY(expr)                                          \
    do {                                                      \
        auto&& kz_try_result_ = (expr);                       \
        if (!kz_try_result_.ok()) return kz_try_result_.error(); \
    } while (0)
#define KZ_ASSIGN_IMPL(tmp, lhs, expr)          \
    auto tmp = (expr);                          \
    if (!tmp.ok()) return std::move(tmp).error(); \
    lhs = std::move(tmp).value()
#define KZ_ASSIGN(lhs, expr) KZ_ASSIGN_IMPL(KZ_CONCAT(kz_assign_tmp_, __LINE__), lhs, expr)
