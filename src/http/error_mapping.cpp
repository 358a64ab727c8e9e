#include "http/error_mapping.hpp"

#include <nlohmann/json.hpp>

namespace kizuna::http {
namespace {

constexpr std::string_view kHiddenMessage = "internal error; the server log has the details";

bool IsHidden(core::ErrorCode code) { return code == core::ErrorCode::kInternal || code == core::ErrorCode::kDataLoss; }

}  // namespace

int HttpStatusFor(core::ErrorCode code) {
    switch (code) {
        case core::ErrorCode::kInvalidArgument:
            return 400;
        case core::ErrorCode::kUnauthenticated:
            return 401;
        case core::ErrorCode::kPermissionDenied:
            return 403;
        case core::ErrorCode::kNotFound:
            return 404;
        case core::ErrorCode::kAlreadyExists:
            return 409;
        case core::ErrorCode::kFailedPrecondition:
            return 409;
        case core::ErrorCode::kResourceExhausted:
            return 429;
        case core::ErrorCode::kTooLarge:
            return 413;
        case core::ErrorCode::kUnavailable:
            return 503;
        case core::ErrorCode::kDataLoss:
            return 500;
        case core::ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field) {
    nlohmann::json error = {{"code", code}, {"message", message}};
    if (!field.empty()) error["field"] = field;
    return Response::Json(status, nlohmann::json{{"error", std::move(error)}});
}

Response ErrorResponse(const core::Error& error) {
    bool hidden = IsHidden(error.code());
    return ErrorResponse(HttpStatusFor(error.code()), core::ErrorCodeName(error.code()),
                         hidden ? kHiddenMessage : std::string_view(error.message()),
                         hidden ? std::string_view() : std::string_view(error.field()));
}

Response ErrorResponse(const core::Error& error, const Request& request, core::Logger& logger) {
    if (IsHidden(error.code())) {
        logger.Error("request failed",
                     {{"method", request.method}, {"path", request.path}, {"error", error.ToString()}});
    }
    return ErrorResponse(error);
}

}  // namespace kizuna::http
