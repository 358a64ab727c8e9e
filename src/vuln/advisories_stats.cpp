// V19 statistics: published advisories per quarter by source (domestic, via CERT/CC, via CPNI) with running
// totals, and registered vendors per quarter. Only published advisories count: the query joins the case's
// published flag, the same one that releases the advisory, so an embargoed advisory leaves no trace here.
#include <map>

#include "vuln/advisories.hpp"

namespace kizuna::vuln {
namespace {

// (year, quarter 1-4) of an instant in the center's zone.
std::pair<int, int> QuarterOf(core::WallTime t, std::chrono::minutes offset) {
    const auto day = std::chrono::floor<std::chrono::days>(t + offset);
    const std::chrono::year_month_day ymd{day};
    return {static_cast<int>(ymd.year()), (static_cast<int>(static_cast<unsigned>(ymd.month())) - 1) / 3 + 1};
}

std::string QuarterName(std::pair<int, int> q) { return std::to_string(q.first) + "Q" + std::to_string(q.second); }

std::pair<int, int> Next(std::pair<int, int> q) { return q.second == 4 ? std::pair{q.first + 1, 1} : std::pair{q.first, q.second + 1}; }

}  // namespace

core::Result<AdvisoryStatistics> AdvisoryService::Statistics() const {
    KZ_ASSIGN(auto lease, db_.Acquire());
    const auto current = QuarterOf(clock_.Now(), utc_offset_);
    AdvisoryStatistics out;

    KZ_ASSIGN(auto published, lease->Query("SELECT c.source, c.published_at FROM advisories a"
                                           " JOIN cases c ON c.id = a.case_id WHERE c.published = 1"));
    std::map<std::pair<int, int>, QuarterCount> by_quarter;
    for (const auto& r : published) {
        auto t = core::ParseRfc3339(r.Text(1));
        if (!t) continue;
        QuarterCount& q = by_quarter[QuarterOf(*t, utc_offset_)];
        switch (AdvisorySourceOf(ParseSource(r.Text(0)).value_or(Source::kOther))) {
            case formats::AdvisorySource::kDomestic: ++q.domestic; break;
            case formats::AdvisorySource::kCertCc: ++q.certcc; break;
            case formats::AdvisorySource::kCpni: ++q.cpni; break;
        }
    }
    if (!by_quarter.empty()) {
        QuarterCount running;
        for (auto q = by_quarter.begin()->first; q <= std::max(current, by_quarter.rbegin()->first); q = Next(q)) {
            QuarterCount row;
            if (auto it = by_quarter.find(q); it != by_quarter.end()) row = it->second;
            row.quarter = QuarterName(q);
            running.domestic += row.domestic;
            running.certcc += row.certcc;
            running.cpni += row.cpni;
            row.cumulative_domestic = running.domestic;
            row.cumulative_certcc = running.certcc;
            row.cumulative_cpni = running.cpni;
            out.advisories.push_back(row);
        }
    }

    KZ_ASSIGN(auto vendors, lease->Query("SELECT registered_at FROM vendors WHERE registration_state = 'registered'"
                                         " AND registered_at <> ''"));
    std::map<std::pair<int, int>, std::int64_t> registered;
    for (const auto& r : vendors)
        if (auto t = core::ParseRfc3339(r.Text(0))) ++registered[QuarterOf(*t, utc_offset_)];
    if (!registered.empty()) {
        std::int64_t running = 0;
        for (auto q = registered.begin()->first; q <= std::max(current, registered.rbegin()->first); q = Next(q)) {
            VendorQuarter row;
            row.quarter = QuarterName(q);
            if (auto it = registered.find(q); it != registered.end()) row.registered = it->second;
            running += row.registered;
            row.cumulative = running;
            out.vendors.push_back(row);
        }
    }
    return out;
}

std::string_view AdvisorySchema() {
    return R"sql(
CREATE TABLE advisories (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    advisory_id TEXT NOT NULL UNIQUE,     -- "JVNVU#12345678"; public iff the case is published
    slug        TEXT NOT NULL UNIQUE,     -- the id in URLs: "JVNVU12345678"
    revision    INTEGER NOT NULL,
    content     TEXT NOT NULL,            -- JSON, see AdvisoryContentJson
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE advisory_revisions (
    advisory          INTEGER NOT NULL REFERENCES advisories(id),
    revision          INTEGER NOT NULL,
    content           TEXT NOT NULL,
    at                TEXT NOT NULL,
    actor             TEXT NOT NULL,
    note_ja           TEXT NOT NULL DEFAULT '',
    note_en           TEXT NOT NULL DEFAULT '',
    after_publication INTEGER NOT NULL DEFAULT 0,   -- appears in the public update history (V15)
    PRIMARY KEY (advisory, revision)
);
)sql";
}

}  // namespace kizuna::vuln
