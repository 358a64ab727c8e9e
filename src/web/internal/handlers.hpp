// Route tables of web/ and the page renderer they share.
#pragma once

#include <string_view>

#include "http/http.hpp"
#include "web/internal/gate.hpp"
#include "web/internal/view.hpp"
#include "web/site.hpp"

namespace kizuna::web::detail {

void AddPages(http::Router& router, SiteServices& services);
void AddApi(http::Router& router, SiteServices& services);
void AddCaseApi(http::Router& router, SiteServices& services);
void AddVendorApi(http::Router& router, SiteServices& services);
void AddCasePages(http::Router& router, SiteServices& services);
void AddScheduleApi(http::Router& router, SiteServices& services);
void AddEarlyNoticeApi(http::Router& router, SiteServices& services);
void AddSecondaryRoutes(http::Router& router, SiteServices& services);
void AddInternationalRoutes(http::Router& router, SiteServices& services);
void AddMailPages(http::Router& router, SiteServices& services);
void AddAdvisoryPages(http::Router& router, SiteServices& services);
void AddAdvisoryApi(http::Router& router, SiteServices& services);
void AddStatsPages(http::Router& router, SiteServices& services);
void AddCsafProviderRoutes(http::Router& router, SiteServices& services);
void AddFeedRoutes(http::Router& router, SiteServices& services);
void AddAuditPages(http::Router& router, SiteServices& services);  // pages_audit.cpp
void AddTokenRoutes(http::Router& router, SiteServices& services);  // api_tokens.cpp (API and account page)
void AddMailTemplatePages(http::Router& router, SiteServices& services);  // pages_templates.cpp (issue 13)
void AddQueuePages(http::Router& router, SiteServices& services);   // pages_queue.cpp (dashboard, case list)
void AddUserPages(http::Router& router, SiteServices& services);    // pages_users.cpp (users admin)
void AddVendorPages(http::Router& router, SiteServices& services);  // pages_vendors.cpp (vendor registry)

// The words for an audit action ("case.disclose" → "Disclosure"); never the code itself.
std::string AuditActionLabel(Lang lang, std::string_view action);
// The object of an audit entry in words ("case:12" → "案件 JVNVU#12345678"; pages_audit.cpp).
std::string AuditObjectLabel(store::Connection& connection, Lang lang, const std::string& object);

// The public origin published documents link to ("https://jvn.example.jp"): server.public_url, else the
// request's Host (development only).
std::string PublicOriginFor(http::Request& request, SiteServices& services);

// An API error response (logged when internal) — the one way API handlers answer a failed Result.
http::Response ApiError(const core::Error& error, http::Request& request, SiteServices& services);
// For unsafe API calls: 401 without a caller; with a browser session, 403 unless X-CSRF-Token matches
// (token-authenticated calls need none). nullopt when the call may proceed.
std::optional<http::Response> RequireApiWrite(http::Request& request);
// Anonymous forms (report, related-organisation claim) use the double-submit token of the login form;
// a logged-in session uses its own token.
bool FormCsrfValid(http::Request& request);

// The caller as the vuln/ services see it: the principal and, for vendor accounts, their vendor.
vuln::Caller CallerFor(http::Request& request, SiteServices& services);
// Path parameter {id}: a numeric case id, or an identifier/receipt id (URL-encoded '#').
core::Result<vuln::CaseId> CaseIdParam(http::Request& request, SiteServices& services);

// Renders templates/<name> inside the layout (navigation for the caller's role, language switch,
// logout form with the session's CSRF token).
http::Response RenderPage(http::Request& request, SiteServices& services, std::string_view name,
                          std::string_view title_key, View view, int status = 200);
// The two halves of RenderPage: the HTML of a page in the layout, and the response around it
// (Content-Language, the remembered language switch).
std::string RenderHtml(http::Request& request, std::string_view name, std::string_view title_key, View view);
http::Response FinishPage(http::Request& request, std::string html, int status);
http::Response ErrorPage(http::Request& request, SiteServices& services, int status);

std::string RoleLabel(Lang lang, auth::Role role);

}  // namespace kizuna::web::detail
