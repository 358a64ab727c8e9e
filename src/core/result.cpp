#include "core/result.hpp"

namespace kizuna::core {

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument: return "invalid_argument";
        case ErrorCode::kUnauthenticated: return "unauthenticated";
        case ErrorCode::kPermissionDenied: return "permission_denied";
        case ErrorCode::kNotFound: return "not_found";
        case ErrorCode::kAlreadyExists: return "already_exists";
        case ErrorCode::kFailedPrecondition: return "failed_precondition";
        case ErrorCode::kResourceExhausted: return "resource_exhausted";
        case ErrorCode::kTooLarge: return "too_large";
        case ErrorCode::kUnavailable: return "unavailable";
        case ErrorCode::kDataLoss: return "data_loss";
        case ErrorCode::kInternal: return "internal";
    }
    return "internal";
}

std::string Error::ToString() const {
    std::string out(ErrorCodeName(code_));
    out += ": ";
    if (!field_.empty()) {
        out += field_;
        out += ": ";
    }
    out += message_;
    return out;
}

Error Error::WithContext(std::string_view context) const& {
    std::string message(context);
    message += ": ";
    message += message_;
    return Error(code_, std::move(message), field_);
}

}  // namespace kizuna::core
