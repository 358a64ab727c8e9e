#include "formats/feeds.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

namespace kizuna::formats {
namespace {


std::string Rfc3339(core::WallTime t) { return core::FormatRfc3339(t); }

std::string PageUrl(const AdvisoryDoc& doc, const FeedOptions& options) {
    std::string url = options.site_url + "/advisories/" + AdvisoryUrlSegment(doc.id);
    if (options.lang == "en") url += "?lang=en";
    return url;
}

std::string EntryTitle(const AdvisoryDoc& doc, std::string_view lang) {
    const std::string& title = doc.title.In(lang);
    return title.empty() ? doc.id : doc.id + ": " + title;
}

std::vector<const AdvisoryDoc*> Published(const std::vector<AdvisoryDoc>& docs) {
    std::vector<const AdvisoryDoc*> out;
    for (const AdvisoryDoc& doc : docs) {
        if (doc.published) out.push_back(&doc);
    }
    std::stable_sort(out.begin(), out.end(), [](const AdvisoryDoc* a, const AdvisoryDoc* b) {
        if (a->last_updated != b->last_updated) return a->last_updated > b->last_updated;
        return a->id > b->id;
    });
    return out;
}

// The update history as plain text, newest last: "2026-03-10T02:00:00Z Published".
std::string History(const AdvisoryDoc& doc, std::string_view lang) {
    std::string text;
    for (const AdvisoryRevision& revision : doc.revisions) {
        if (!text.empty()) text += "\n";
        text += Rfc3339(revision.date) + " " + revision.summary.In(lang);
    }
    return text;
}

}  // namespace


std::string Rfc822Date(core::WallTime t) {
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto days = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{days};
    const std::chrono::weekday weekday{days};
    const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - days)};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02ld:%02ld:%02ld GMT", kDays[weekday.c_encoding()],
                  static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                  static_cast<int>(ymd.year()), static_cast<long>(hms.hours().count()),
                  static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()));
    return buf;
}

std::string RenderAtomFeed(const std::vector<AdvisoryDoc>& docs, const FeedOptions& options) {
    const std::string_view lang = options.lang;
    std::vector<const AdvisoryDoc*> entries = Published(docs);
    if (entries.size() > options.max_entries) entries.resize(options.max_entries);
    const core::WallTime updated = entries.empty() ? options.empty_updated : entries.front()->last_updated;

    std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    xml += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"" + XmlEscape(lang) + "\">\n";
    xml += "  <id>" + XmlEscape(options.self_url) + "</id>\n";
    xml += "  <title>" + XmlEscape(options.title) + "</title>\n";
    xml += "  <updated>" + Rfc3339(updated) + "</updated>\n";
    xml += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + XmlEscape(options.self_url) + "\"/>\n";
    xml += "  <link rel=\"alternate\" type=\"text/html\" href=\"" +
           XmlEscape(options.site_url + "/advisories/" + (lang == "en" ? "?lang=en" : "")) + "\"/>\n";
    xml += "  <author><name>" + XmlEscape(options.publisher) + "</name></author>\n";
    xml += "  <generator>Kizuna</generator>\n";
    for (const AdvisoryDoc* doc : entries) {
        const std::string url = PageUrl(*doc, options);
        xml += "  <entry>\n";
        // The page URL without language: the same advisory has the same id in both feeds.
        xml += "    <id>" + XmlEscape(options.site_url + "/advisories/" + AdvisoryUrlSegment(doc->id)) + "</id>\n";
        xml += "    <title>" + XmlEscape(EntryTitle(*doc, lang)) + "</title>\n";
        xml += "    <link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(url) + "\"/>\n";
        xml += "    <published>" + Rfc3339(doc->first_published) + "</published>\n";
        xml += "    <updated>" + Rfc3339(doc->last_updated) + "</updated>\n";
        for (const std::string& cve : doc->cve_ids) xml += "    <category term=\"" + XmlEscape(cve) + "\"/>\n";
        const std::string& overview = doc->overview.In(lang);
        if (!overview.empty()) xml += "    <summary type=\"text\">" + XmlEscape(overview) + "</summary>\n";
        xml += "    <content type=\"text\">" + XmlEscape(History(*doc, lang)) + "</content>\n";
        xml += "  </entry>\n";
    }
    xml += "</feed>\n";
    return xml;
}

std::string RenderRssFeed(const std::vector<AdvisoryDoc>& docs, const FeedOptions& options) {
    const std::string_view lang = options.lang;
    const std::vector<const AdvisoryDoc*> published = Published(docs);

    struct Item {
        const AdvisoryDoc* doc;
        std::size_t revision;  // index into doc->revisions
    };
    std::vector<Item> items;
    for (const AdvisoryDoc* doc : published) {
        for (std::size_t r = 0; r < doc->revisions.size(); ++r) items.push_back({doc, r});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        const core::WallTime ta = a.doc->revisions[a.revision].date, tb = b.doc->revisions[b.revision].date;
        if (ta != tb) return ta > tb;
        if (a.doc->id != b.doc->id) return a.doc->id > b.doc->id;
        return a.revision > b.revision;
    });
    if (items.size() > options.max_entries) items.resize(options.max_entries);
    const core::WallTime built =
        items.empty() ? options.empty_updated : items.front().doc->revisions[items.front().revision].date;

    std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    xml += "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n";
    xml += "  <title>" + XmlEscape(options.title) + "</title>\n";
    xml += "  <link>" + XmlEscape(options.site_url + "/advisories/" + (lang == "en" ? "?lang=en" : "")) + "</link>\n";
    xml += "  <description>" + XmlEscape(options.title + " - " + options.publisher) + "</description>\n";
    xml += "  <language>" + XmlEscape(lang) + "</language>\n";
    xml += "  <lastBuildDate>" + Rfc822Date(built) + "</lastBuildDate>\n";
    xml += "  <generator>Kizuna</generator>\n";
    xml += "  <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"" + XmlEscape(options.self_url) + "\"/>\n";
    for (const Item& item : items) {
        const AdvisoryDoc& doc = *item.doc;
        const AdvisoryRevision& revision = doc.revisions[item.revision];
        const std::string url = PageUrl(doc, options);
        std::string title = EntryTitle(doc, lang);
        if (item.revision > 0) {
            title += lang == "en" ? " (updated: " : "（更新: ";
            title += revision.summary.In(lang);
            title += lang == "en" ? ")" : "）";
        }
        std::string description = item.revision == 0 ? doc.overview.In(lang) : revision.summary.In(lang);
        if (description.empty()) description = EntryTitle(doc, lang);
        xml += "  <item>\n";
        xml += "    <title>" + XmlEscape(title) + "</title>\n";
        xml += "    <link>" + XmlEscape(url) + "</link>\n";
        xml += "    <guid isPermaLink=\"false\">" +
               XmlEscape(options.site_url + "/advisories/" + AdvisoryUrlSegment(doc.id) + "#revision-" +
                         std::to_string(item.revision + 1)) +
               "</guid>\n";
        xml += "    <pubDate>" + Rfc822Date(revision.date) + "</pubDate>\n";
        for (const std::string& cve : doc.cve_ids) xml += "    <category>" + XmlEscape(cve) + "</category>\n";
        xml += "    <description>" + XmlEscape(description) + "</description>\n";
        xml += "  </item>\n";
    }
    xml += "</channel>\n</rss>\n";
    return xml;
}

}  // namespace kizuna::formats
