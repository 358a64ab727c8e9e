// RSS 2.0 and Atom feeds of the published advisories (/advisories/feed/rss.xml, /advisories/feed/atom.xml;
// ?lang=en for English, else the site's default language). Anonymous; rendered from
// AdvisoryService::PublishedDocuments(), so an embargoed advisory appears exactly when it is released.
// Updates after publication (V15) appear as Atom <updated> and as RSS items per revision (formats/feeds.hpp).
#include "formats/feeds.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

std::string FeedLang(http::Request& req, SiteServices& s) {
    const auto lang = req.Query("lang");
    if (lang && (*lang == "en" || *lang == "ja")) return *lang;
    return s.config.web.default_lang;
}

http::Response Feed(http::Request& req, SiteServices& s, bool atom) {
    auto docs = s.advisories.PublishedDocuments();
    if (!docs.ok()) {
        s.log.Error("feed failed", {{"error", docs.error().ToString()}, {"path", req.path}});
        return ErrorPage(req, s, 500);
    }
    const std::string lang = FeedLang(req, s);
    const std::string origin = PublicOriginFor(req, s);
    formats::FeedOptions options;
    options.lang = lang;
    options.site_url = origin;
    options.self_url = origin + (atom ? "/advisories/feed/atom.xml" : "/advisories/feed/rss.xml") +
                       (lang == "en" ? "?lang=en" : "?lang=ja");
    options.publisher = s.config.publication.publisher_name;
    options.title = options.publisher + (lang == "en" ? " - Vulnerability advisories" : " - 脆弱性情報");
    options.empty_updated = core::WallTime{};  // 1970: nothing published yet
    http::Response r = http::Response::Text(200, atom ? formats::RenderAtomFeed(*docs, options)
                                                      : formats::RenderRssFeed(*docs, options));
    r.SetHeader("Content-Type", atom ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8");
    return r;
}

}  // namespace

void AddFeedRoutes(http::Router& router, SiteServices& s) {
    router.Add("GET", "/advisories/feed/rss.xml", [&s](http::Request& req) { return Feed(req, s, false); });
    router.Add("GET", "/advisories/feed/atom.xml", [&s](http::Request& req) { return Feed(req, s, true); });
}

}  // namespace kizuna::web::detail
