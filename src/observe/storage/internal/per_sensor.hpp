// The per-sensor average rule (MISSION O3, seeds 004 §3), shared by every ObservationQueries backend so the
// embedded store and ClickHouse rank and divide exactly alike: packets ÷ effective sensors, where effective
// sensors = active sensor-hours ÷ hours with any sensor up (a sensor down half the period counts as half).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/queries.hpp"

namespace kizuna::observe::detail {

inline core::Status CheckRange(TimeRange range) {
    if (range.to <= range.from) return core::InvalidArgument("the end of the period must be after its start", "to");
    return core::Ok();
}

inline double EffectiveSensors(std::uint64_t sensor_hours, std::uint64_t covered_hours) {
    return covered_hours == 0 ? 0.0 : static_cast<double>(sensor_hours) / static_cast<double>(covered_hours);
}

inline double PerSensor(std::uint64_t packets, double effective) {
    return effective > 0 ? static_cast<double>(packets) / effective : 0.0;
}

// Highest per-sensor average first; ties by packets, then by `key` ascending; at most `limit` rows (0: all).
template <typename Row, typename Key>
void RankAndCut(std::vector<Row>& rows, std::size_t limit, Key key) {
    std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        if (a.per_sensor != b.per_sensor) return a.per_sensor > b.per_sensor;
        if (a.packets != b.packets) return a.packets > b.packets;
        return key(a) < key(b);
    });
    if (limit != 0 && rows.size() > limit) rows.resize(limit);
}

}  // namespace kizuna::observe::detail
