#include "web/site.hpp"

#include "web/internal/handlers.hpp"

namespace kizuna::web {
namespace detail {
void AddObservePages(http::Router& router, SiteServices& services);  // pages_observe.cpp
void AddReportPages(http::Router& router, SiteServices& services);   // pages_report.cpp (issue 13)
}

struct Site::Impl {
    explicit Impl(SiteServices s) : services(std::move(s)) {
        detail::AddPages(router, services);
        detail::AddApi(router, services);
        detail::AddCaseApi(router, services);
        detail::AddVendorApi(router, services);
        detail::AddCasePages(router, services);
        detail::AddReportPages(router, services);  // pages_report.cpp
        detail::AddMailPages(router, services);
        detail::AddScheduleApi(router, services);
        detail::AddEarlyNoticeApi(router, services);
        detail::AddSecondaryRoutes(router, services);
        detail::AddInternationalRoutes(router, services);
        detail::AddAdvisoryPages(router, services);
        detail::AddAdvisoryApi(router, services);
        detail::AddStatsPages(router, services);
        detail::AddCsafProviderRoutes(router, services);
        detail::AddFeedRoutes(router, services);
        detail::AddAuditPages(router, services);
        detail::AddTokenRoutes(router, services);
        detail::AddMailTemplatePages(router, services);
        detail::AddObservePages(router, services);
        detail::AddQueuePages(router, services);
        detail::AddUserPages(router, services);
        detail::AddVendorPages(router, services);
    }

    http::Response Handle(http::Request& req) {
        const bool api = req.path.starts_with("/api/") || req.path == "/metrics";
        // /healthz and static files need no caller: skip the session lookup on the hottest paths.
        if (req.path != "/healthz" && !req.path.starts_with("/static/")) {
            auto admitted = detail::Admit(req, services);
            if (!admitted.ok()) {
                auto r = http::ErrorResponse(admitted.error(), req, services.log);
                if (admitted.error().code() == core::ErrorCode::kUnauthenticated)
                    r.SetHeader("WWW-Authenticate", "Bearer realm=\"kizuna\", error=\"invalid_token\"");
                return r;
            }
        }
        http::Response r = router.Dispatch(req);
        // Pages get the site's own error pages instead of the router's plain text.
        if (!api && (r.status == 404 || r.status == 403) && r.Header("Content-Type").starts_with("text/plain")) {
            http::Response page = detail::ErrorPage(req, services, r.status);
            for (const auto& [k, v] : r.headers)
                if (k == "Allow") page.SetHeader(k, v);
            return page;
        }
        return r;
    }

    SiteServices services;
    http::Router router;
};

Site::Site(SiteServices services) : impl_(std::make_unique<Impl>(std::move(services))) {}
Site::~Site() = default;

http::Handler Site::Handler() {
    return [impl = impl_.get()](http::Request& req) { return impl->Handle(req); };
}

}  // namespace kizuna::web
