// The case page (/cases/{id}) for coordinators, vendors and reporters: sections for the report, the
// vendors, the schedule, the messages, the advisory and the timeline, each with only the actions the
// viewer's role and the case's state allow. A form that failed is shown again with what was typed and the
// error beside its field.
#pragma once

#include <string>

#include "http/http.hpp"
#include "vuln/types.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {

struct CaseFormFailure {
    std::string form;     // which form: the action's form name (see CaseFormOf)
    std::string field;    // the input the error belongs to ('' or unknown: the whole form)
    std::string message;  // in the viewer's language
    std::string row;      // per-row forms: the id of the row (vendor, notice, related organisation...)
};

// The form an action is posted from ("propose" and "decide" share the schedule form).
std::string CaseFormOf(std::string_view action);

// The page; with `failed`, the failing form keeps the values of `request`'s form body.
http::Response RenderCasePage(http::Request& request, SiteServices& services, vuln::CaseId id,
                              const CaseFormFailure* failed = nullptr, int status = 200);

}  // namespace kizuna::web::detail
