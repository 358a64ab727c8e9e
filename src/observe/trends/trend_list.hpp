// The trends list (MISSION O4): which ports are in an onset, sustained or subsiding episode now, decided
// here for every front end (the /observe/trends page today, the CLI or alerts later), not in a page.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/distinct.hpp"
#include "observe/storage/queries.hpp"
#include "observe/trends/detection.hpp"

namespace kizuna::observe {

inline constexpr std::int64_t kTrendWindowDays = 120;  // history the detector sees (28-day baseline + episodes)
inline constexpr std::int64_t kTrendRecentDays = 60;   // episodes active or ended within this are listed

// The last `days` complete UTC days before `today_start_micros` (today's partial count would read as a
// drop, and as "subsiding" to the detector).
TimeRange LastCompleteDays(std::int64_t today_start_micros, std::int64_t days);

// One port's trend over the last kTrendWindowDays complete days, from its per-sensor daily level and, when
// `distinct` is given, its unique sources and targets per day (the rule then needs many sources for an onset,
// and DShield's score is computed).
core::Result<TrendAnalysis> PortTrend(const ObservationQueries& queries, Protocol protocol, std::uint16_t port,
                                      std::int64_t today_start_micros, const DistinctCounts* distinct = nullptr);

struct ListedTrend {
    Protocol protocol = Protocol::kTcp;
    std::uint16_t port = 0;
    TrendAnalysis analysis;
    std::optional<TrendEpisode> episode;  // the latest episode when active or ended within kTrendRecentDays
    std::optional<PortNote> note;
};

// Candidates are the 20 busiest ports of the last 14 and of the last 60 complete days (an onset quickly
// climbs into these) plus every noted port; a candidate is listed when it has a recent episode or a note.
// Newest onset first; noted ports without a recent episode last.
// With `distinct`, the unique counts of every candidate come from one pass per day (cached by the
// implementation), and each analysis carries sources, targets and the DShield score per day.
core::Result<std::vector<ListedTrend>> ListTrends(const ObservationQueries& queries, const std::vector<PortNote>& notes,
                                                  std::int64_t today_start_micros,
                                                  const DistinctCounts* distinct = nullptr);

}  // namespace kizuna::observe
