// Human words for the codes the domain stores. A page never shows a stored code ("received",
// "request_details", "not_reproduced", "telecom"…) to a person: it asks for the label of the code in the
// viewer's language. Labels live in i18n/{ja,en}/labels.json under "<kind>.<code>", e.g.
// "case_state.received" → 受付 / Received.
#pragma once

#include <string>
#include <string_view>

#include "web/i18n.hpp"

namespace kizuna::web::detail {

// The label of `code` of the given kind. A code without a label comes back as the catalog key
// "<kind>.<code>", so a missing translation is visible in tests (the raw-code scan) instead of hidden.
std::string CodeLabel(Lang lang, std::string_view kind, std::string_view code);

// True when the catalog has a label for this code (for tests and for choosing a fallback).
bool HasCodeLabel(Lang lang, std::string_view kind, std::string_view code);

}  // namespace kizuna::web::detail
