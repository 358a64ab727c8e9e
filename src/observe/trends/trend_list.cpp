#include "observe/trends/trend_list.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace kizuna::observe {

TimeRange LastCompleteDays(std::int64_t today_start_micros, std::int64_t days) {
    return {PacketTime{today_start_micros - days * kDayMicros}, PacketTime{today_start_micros}};
}

namespace {

core::Result<TrendAnalysis> Analyse(const ObservationQueries& queries, Protocol protocol, std::uint16_t port,
                                    std::int64_t today_start_micros, const std::vector<UniqueDay>* uniques) {
    KZ_ASSIGN(auto points, queries.PortDaily(protocol, port, LastCompleteDays(today_start_micros, kTrendWindowDays)));
    std::vector<TrendDay> days;
    days.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        TrendDay day{points[i].day_start_micros, points[i].per_sensor, std::nullopt, std::nullopt};
        if (uniques && i < uniques->size() && (*uniques)[i].day_start_micros == day.day_start_micros) {
            day.sources = static_cast<double>((*uniques)[i].sources);
            day.targets = static_cast<double>((*uniques)[i].targets);
        }
        days.push_back(day);
    }
    return AnalyseTrend(days);
}

}  // namespace

core::Result<TrendAnalysis> PortTrend(const ObservationQueries& queries, Protocol protocol, std::uint16_t port,
                                      std::int64_t today_start_micros, const DistinctCounts* distinct) {
    if (!distinct) return Analyse(queries, protocol, port, today_start_micros, nullptr);
    KZ_ASSIGN(auto uniques, distinct->PortDaily(protocol, port, LastCompleteDays(today_start_micros, kTrendWindowDays)));
    return Analyse(queries, protocol, port, today_start_micros, &uniques);
}

core::Result<std::vector<ListedTrend>> ListTrends(const ObservationQueries& queries, const std::vector<PortNote>& notes,
                                                  std::int64_t today_start_micros, const DistinctCounts* distinct) {
    std::set<std::pair<Protocol, std::uint16_t>> candidates;
    for (std::int64_t days : {14, 60}) {
        KZ_ASSIGN(auto top, queries.TopPorts({.range = LastCompleteDays(today_start_micros, days),
                                              .protocol = std::nullopt,
                                              .limit = 20}));
        for (const auto& row : top) candidates.insert({row.protocol, row.port});
    }
    std::map<std::pair<Protocol, std::uint16_t>, const PortNote*> noted;
    for (const PortNote& n : notes) {
        candidates.insert({n.protocol, n.port});
        noted[{n.protocol, n.port}] = &n;
    }
    std::map<PortKey, std::vector<UniqueDay>> uniques;
    if (distinct) {
        std::vector<PortKey> keys;
        for (const auto& [protocol, port] : candidates) keys.push_back({protocol, port});
        KZ_ASSIGN(uniques, distinct->Daily(keys, LastCompleteDays(today_start_micros, kTrendWindowDays)));
    }
    const std::int64_t recent = today_start_micros - kTrendRecentDays * kDayMicros;
    std::vector<ListedTrend> listed;
    for (const auto& [protocol, port] : candidates) {
        const auto u = uniques.find({protocol, port});
        KZ_ASSIGN(auto analysis,
                  Analyse(queries, protocol, port, today_start_micros, u == uniques.end() ? nullptr : &u->second));
        ListedTrend t{protocol, port, std::move(analysis), std::nullopt, std::nullopt};
        if (!t.analysis.episodes.empty()) {
            const TrendEpisode& last = t.analysis.episodes.back();
            if (!last.ended_micros || *last.ended_micros >= recent) t.episode = last;
        }
        if (auto it = noted.find({protocol, port}); it != noted.end()) t.note = *it->second;
        if (!t.episode && !t.note) continue;
        listed.push_back(std::move(t));
    }
    std::stable_sort(listed.begin(), listed.end(), [](const ListedTrend& a, const ListedTrend& b) {
        return (a.episode ? a.episode->onset_micros : 0) > (b.episode ? b.episode->onset_micros : 0);
    });
    return listed;
}

}  // namespace kizuna::observe
