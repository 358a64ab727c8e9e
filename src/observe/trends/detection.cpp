#include "observe/trends/detection.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace kizuna::observe {
namespace {

// Days of history before anything can be called an onset: with less, "first observed" only means
// "first day of the data".
constexpr std::size_t kMinHistoryDays = 7;
// DShield compares with the last 30 days.
constexpr std::size_t kDShieldWindowDays = 30;
// A level counts as "back near the baseline" within this many spreads.
constexpr double kNearBaselineSpreads = 2.0;
constexpr std::size_t kMaxNoteChars = 2000;
constexpr std::size_t kMaxCaseIds = 20;

double Median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    double m = *mid;
    if (values.size() % 2 == 0) m = (m + *std::max_element(values.begin(), mid)) / 2;
    return m;
}

struct Baseline {
    double median = 0;
    double spread = 1;
    bool all_zero = true;
};

Baseline BaselineOf(const std::vector<double>& window) {
    Baseline b;
    b.median = Median(window);
    std::vector<double> deviations;
    deviations.reserve(window.size());
    for (double v : window) {
        deviations.push_back(std::abs(v - b.median));
        if (v > 0) b.all_zero = false;
    }
    const double mad = Median(std::move(deviations));
    b.spread = std::max({1.4826 * mad, std::sqrt(b.median), 1.0});
    return b;
}

// Window [i - length, i) of one metric, clipped at the start.
template <typename Get>
std::vector<double> Window(const std::vector<TrendDay>& days, std::size_t i, std::size_t length, Get get) {
    std::vector<double> out;
    for (std::size_t j = i > length ? i - length : 0; j < i; ++j) out.push_back(get(days[j]));
    return out;
}

bool SharpRise(double x, const Baseline& b, const TrendOptions& o) {
    return (x + 1) / (b.median + 1) >= o.onset_ratio && (x - b.median) / b.spread >= o.onset_z;
}

std::size_t CodePoints(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string JoinIds(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
    return out;
}

std::vector<std::int64_t> SplitIds(std::string_view text) {
    std::vector<std::int64_t> ids;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos) comma = text.size();
        std::int64_t id = 0;
        const char* first = text.data() + pos;
        const char* last = text.data() + comma;
        if (std::from_chars(first, last, id).ptr == last && first != last) ids.push_back(id);
        pos = comma + 1;
    }
    return ids;
}

constexpr std::string_view kPortNotes = R"sql(
CREATE TABLE observe_port_notes (
    protocol    INTEGER NOT NULL,           -- IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6)
    port        INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    note        TEXT NOT NULL DEFAULT '',   -- product / vulnerability, shown publicly with the trend
    case_ids    TEXT NOT NULL DEFAULT '',   -- comma-separated vuln case ids; links filtered per viewer
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (protocol, port)
);
)sql";

// Partner CSIRTs and the daily IODEF mail (observe/partners.hpp): who gets which countries, and which
// (partner, day) has been queued — the key that makes the daily mail exactly-once.
constexpr std::string_view kPartners = R"sql(
CREATE TABLE observe_partners (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    countries   TEXT NOT NULL,              -- "JP,KR": ISO 3166-1 alpha-2, comma-separated
    fingerprint TEXT NOT NULL DEFAULT '',   -- key registered in mail_recipient_keys; '' = none
    key_info    TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE observe_partner_deliveries (
    partner_id  INTEGER NOT NULL,           -- observe_partners(id); kept after the partner is removed
    day         TEXT NOT NULL,              -- YYYY-MM-DD (UTC) of the scans
    mail_id     INTEGER NOT NULL,           -- mail_queue(id)
    events      INTEGER NOT NULL,
    queued_at   TEXT NOT NULL,
    PRIMARY KEY (partner_id, day)
);
)sql";

constexpr store::Migration kMigrations[] = {
    {550, "observe_port_notes", kPortNotes},
    {560, "observe_partners", kPartners},
};

}  // namespace

std::string_view TrendStateName(TrendState state) {
    switch (state) {
        case TrendState::kQuiet: return "quiet";
        case TrendState::kOnset: return "onset";
        case TrendState::kSustained: return "sustained";
        case TrendState::kSubsiding: return "subsiding";
    }
    return "quiet";
}

std::optional<double> DShieldTrendScore(double sources, double mean_sources, double targets, double mean_targets) {
    if (mean_sources <= 0 || mean_targets <= 0) return std::nullopt;
    return std::sqrt((sources - mean_sources) * (sources - mean_sources) / mean_sources +
                     (targets - mean_targets) * (targets - mean_targets) / mean_targets);
}

TrendAnalysis AnalyseTrend(const std::vector<TrendDay>& days, const TrendOptions& o) {
    TrendAnalysis out;
    out.days.reserve(days.size());
    const auto window_days = static_cast<std::size_t>(std::max(o.baseline_days, 1));
    TrendState state = TrendState::kQuiet;
    TrendEpisode episode;
    double episode_spread = 1;
    double episode_source_spread = 1;
    int near_baseline_days = 0;
    for (std::size_t i = 0; i < days.size(); ++i) {
        const TrendDay& day = days[i];
        const double x = day.level;
        const Baseline level_base = BaselineOf(Window(days, i, window_days, [](const TrendDay& d) { return d.level; }));
        TrendPoint point;
        point.day_start_micros = day.day_start_micros;
        point.baseline = level_base.median;
        point.ratio = (x + 1) / (level_base.median + 1);
        point.z = (x - level_base.median) / level_base.spread;
        point.sources = day.sources;
        point.targets = day.targets;

        const bool have_unique = day.sources && day.targets;
        if (have_unique && i > 0) {
            auto src = Window(days, i, kDShieldWindowDays, [](const TrendDay& d) { return d.sources.value_or(0); });
            auto dst = Window(days, i, kDShieldWindowDays, [](const TrendDay& d) { return d.targets.value_or(0); });
            const double s = std::accumulate(src.begin(), src.end(), 0.0) / static_cast<double>(src.size());
            const double t = std::accumulate(dst.begin(), dst.end(), 0.0) / static_cast<double>(dst.size());
            point.dshield_score = DShieldTrendScore(*day.sources, s, *day.targets, t);
        }

        if (state == TrendState::kQuiet) {
            if (i < kMinHistoryDays) {
                out.days.push_back(point);
                continue;
            }
            Baseline source_base;
            if (day.sources)
                source_base = BaselineOf(Window(days, i, window_days, [](const TrendDay& d) { return d.sources.value_or(0); }));
            const bool first_observed =
                level_base.all_zero && x >= o.min_level && (!day.sources || *day.sources >= o.min_sources);
            bool rise = SharpRise(x, level_base, o);
            // A surge in packets from the same few sources is one noisy scanner, not a new campaign.
            if (rise && day.sources) rise = SharpRise(*day.sources, source_base, o);
            if (first_observed || rise) {
                state = TrendState::kOnset;
                episode = TrendEpisode{};
                episode.onset_micros = day.day_start_micros;
                episode.first_observed = first_observed;
                episode.baseline = level_base.median;
                episode.peak_level = x;
                if (day.sources) {
                    episode.source_baseline = source_base.median;
                    episode.peak_sources = *day.sources;
                    episode_source_spread = source_base.spread;
                }
                episode_spread = level_base.spread;
                near_baseline_days = 0;
            }
        } else {
            // 3-day means of the level and, when known, of the unique sources.
            double sum = 0, source_sum = 0;
            std::size_t n = 0;
            bool sources_known = episode.source_baseline.has_value();
            for (std::size_t j = i >= 2 ? i - 2 : 0; j <= i; ++j, ++n) {
                sum += days[j].level;
                if (days[j].sources) source_sum += *days[j].sources;
                else sources_known = false;
            }
            const double mean3 = sum / static_cast<double>(n);
            episode.peak_level = std::max(episode.peak_level, mean3);
            const double floor = std::max(o.sustain_ratio * episode.baseline, o.min_level);
            bool holds = mean3 >= floor && mean3 >= o.subside_fraction * episode.peak_level;
            bool near_baseline = x <= episode.baseline + kNearBaselineSpreads * episode_spread;
            if (sources_known) {
                const double source_mean3 = source_sum / static_cast<double>(n);
                episode.peak_sources = std::max(episode.peak_sources.value_or(0), source_mean3);
                const double source_floor = std::max(o.sustain_ratio * *episode.source_baseline, o.min_sources);
                holds = holds || (source_mean3 >= source_floor && source_mean3 >= o.subside_fraction * *episode.peak_sources);
                near_baseline = near_baseline &&
                                *day.sources <= *episode.source_baseline + kNearBaselineSpreads * episode_source_spread;
            }
            if (holds) {
                state = TrendState::kSustained;
                episode.subsiding_micros.reset();
                near_baseline_days = 0;
            } else {
                if (!episode.subsiding_micros) episode.subsiding_micros = day.day_start_micros;
                state = TrendState::kSubsiding;
                near_baseline_days = near_baseline ? near_baseline_days + 1 : 0;
                if (near_baseline_days >= o.quiet_days) {
                    episode.ended_micros = day.day_start_micros;
                    out.episodes.push_back(episode);
                    state = TrendState::kQuiet;
                }
            }
        }
        point.state = state;
        out.days.push_back(point);
    }
    if (state != TrendState::kQuiet) out.episodes.push_back(episode);
    out.current = state;
    return out;
}

std::span<const store::Migration> TrendMigrations() { return kMigrations; }

core::Status PortNotes::Save(Protocol protocol, std::uint16_t port, std::string_view note,
                             const std::vector<std::int64_t>& case_ids, std::string_view actor,
                             std::string_view remote_ip) {
    if (CodePoints(note) > kMaxNoteChars)
        return core::InvalidArgument("note is longer than 2000 characters", "note");
    if (case_ids.size() > kMaxCaseIds) return core::InvalidArgument("at most 20 related cases", "case_ids");
    for (auto id : case_ids)
        if (id <= 0) return core::InvalidArgument("case id must be a positive number", "case_ids");
    std::vector<std::int64_t> ids = case_ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const auto proto = static_cast<std::int64_t>(protocol);
    const std::string object = std::string(ProtocolName(protocol)) + "/" + std::to_string(port);
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        const std::string detail = note.empty() && ids.empty() ? "deleted" : "cases: " + JoinIds(ids);
        KZ_TRY(audit_.Append(c, {std::string(actor), "observe.port_note", object, detail, std::string(remote_ip)}));
        if (note.empty() && ids.empty())
            return c.Exec("DELETE FROM observe_port_notes WHERE protocol = ? AND port = ?",
                          {proto, static_cast<std::int64_t>(port)});
        return c.Exec(
            "INSERT INTO observe_port_notes (protocol, port, note, case_ids, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (protocol, port) DO UPDATE SET note = excluded.note, "
            "case_ids = excluded.case_ids, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            {proto, static_cast<std::int64_t>(port), std::string(note), JoinIds(ids), std::string(actor),
             core::FormatRfc3339(clock_.Now())});
    });
}

namespace {
PortNote NoteFromRow(const store::Row& r) {
    PortNote n;
    n.protocol = static_cast<Protocol>(r.Int(0));
    n.port = static_cast<std::uint16_t>(r.Int(1));
    n.note = r.Text(2);
    n.case_ids = SplitIds(r.Text(3));
    n.updated_by = r.Text(4);
    n.updated_at = r.Text(5);
    return n;
}
constexpr std::string_view kSelectNotes =
    "SELECT protocol, port, note, case_ids, updated_by, updated_at FROM observe_port_notes";
}  // namespace

core::Result<std::optional<PortNote>> PortNotes::Get(Protocol protocol, std::uint16_t port) const {
    KZ_ASSIGN(store::Lease lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne(std::string(kSelectNotes) + " WHERE protocol = ? AND port = ?",
                                        {static_cast<std::int64_t>(protocol), static_cast<std::int64_t>(port)}));
    if (!row) return std::optional<PortNote>{};
    return std::optional<PortNote>{NoteFromRow(*row)};
}

core::Result<std::vector<PortNote>> PortNotes::All() const {
    KZ_ASSIGN(store::Lease lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query(std::string(kSelectNotes) + " ORDER BY protocol, port"));
    std::vector<PortNote> out;
    for (const auto& r : rows) out.push_back(NoteFromRow(r));
    return out;
}

}  // namespace kizuna::observe
