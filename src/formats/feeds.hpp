// News feeds of published advisories: RSS 2.0 (https://www.rssboard.org/rss-specification) and Atom
// (RFC 4287), in Japanese or English. Pure functions over AdvisoryDocs: no clock, no store.
//
// Updates (V15): Atom has one entry per advisory whose <updated> is the latest revision's date and whose
// content lists the update history, so readers show the advisory as updated. RSS has no "updated", so it has
// one item per revision: the first publication and every later update, each with its own guid
// ("<page URL>#revision-<n>", not a permalink) and pubDate, newest first.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "formats/advisory_doc.hpp"
#include "formats/xml.hpp"  // XmlEscape, used by the feeds and their tests

namespace kizuna::formats {

struct FeedOptions {
    std::string lang = "ja";       // "ja" or "en"
    std::string site_url;          // public origin, "https://jvn.example.jp" (no trailing '/')
    std::string self_url;          // the feed's own URL (Atom id and rel="self")
    std::string title;             // feed title in `lang`
    std::string publisher;         // Atom author name; named in the RSS channel description
    core::WallTime empty_updated{};  // <updated>/<lastBuildDate> of a feed without advisories
    std::size_t max_entries = 50;  // newest advisories (Atom) / revisions (RSS) kept
};

// `docs` in any order; only docs with published == true are included.
std::string RenderAtomFeed(const std::vector<AdvisoryDoc>& docs, const FeedOptions& options);
std::string RenderRssFeed(const std::vector<AdvisoryDoc>& docs, const FeedOptions& options);


// RFC 822 date as RSS wants it, in GMT: "Tue, 10 Mar 2026 02:00:00 GMT".
std::string Rfc822Date(core::WallTime t);

}  // namespace kizuna::formats
