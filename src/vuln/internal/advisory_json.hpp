// The JSON form of vuln::AdvisoryContent, shared by its parser and the service that stores it.
#pragma once

#include <nlohmann/json.hpp>

#include "vuln/advisories.hpp"

namespace kizuna::vuln::detail {

// Parses and validates (ValidateAdvisoryContent); errors name the field.
core::Result<AdvisoryContent> ContentFromJson(const nlohmann::json& body);
nlohmann::json ContentToJson(const AdvisoryContent& content);

}  // namespace kizuna::vuln::detail
