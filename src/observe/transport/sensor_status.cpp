#include "observe/transport/sensor_status.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <nlohmann/json.hpp>

namespace kizuna::observe {
namespace {

using nlohmann::json;

json ToJson(const SensorStatus& s) {
    return json{{"sensor", s.sensor},
                {"source", s.source},
                {"last_batch_micros", s.last_batch_micros},
                {"last_sequence", s.last_sequence},
                {"batches", s.batches},
                {"events", s.events},
                {"lag_micros", s.lag_micros},
                {"last_heartbeat_micros", s.last_heartbeat_micros},
                {"up_from_micros", s.up_from_micros},
                {"packets_received", s.packets_received},
                {"packets_dropped", s.packets_dropped},
                {"interface_dropped", s.interface_dropped},
                {"lost", s.lost},
                {"anomalies", s.anomalies}};
}

SensorStatus FromJson(const json& j) {
    SensorStatus s;
    s.sensor = j.value("sensor", "");
    s.source = j.value("source", "");
    s.last_batch_micros = j.value("last_batch_micros", std::int64_t{0});
    s.last_sequence = j.value("last_sequence", std::uint64_t{0});
    s.batches = j.value("batches", std::uint64_t{0});
    s.events = j.value("events", std::uint64_t{0});
    s.lag_micros = j.value("lag_micros", std::int64_t{0});
    s.last_heartbeat_micros = j.value("last_heartbeat_micros", std::int64_t{0});
    s.up_from_micros = j.value("up_from_micros", std::int64_t{0});
    s.packets_received = j.value("packets_received", std::uint64_t{0});
    s.packets_dropped = j.value("packets_dropped", std::uint64_t{0});
    s.interface_dropped = j.value("interface_dropped", std::uint64_t{0});
    s.lost = j.value("lost", std::uint64_t{0});
    if (j.contains("anomalies") && j["anomalies"].is_object())
        for (const auto& [name, count] : j["anomalies"].items())
            if (count.is_number_unsigned()) s.anomalies[name] = count.get<std::uint64_t>();
    return s;
}

}  // namespace

SensorStatus& SensorStatusBoard::Entry(std::string_view sensor) {
    auto found = sensors_.find(sensor);
    if (found == sensors_.end()) {
        found = sensors_.emplace(std::string(sensor), SensorStatus{}).first;
        found->second.sensor = std::string(sensor);
    }
    return found->second;
}

void SensorStatusBoard::RecordBatch(std::string_view sensor, std::string_view source, std::uint64_t sequence,
                                    std::uint64_t stored_events, std::int64_t newest_event_micros) {
    {
        std::lock_guard lock(mutex_);
        auto& entry = Entry(sensor);
        const auto now = core::ToUnixMicros(clock_.Now());
        entry.source = std::string(source);
        entry.last_batch_micros = now;
        entry.last_sequence = std::max(entry.last_sequence, sequence);
        entry.batches += 1;
        entry.events += stored_events;
        if (newest_event_micros != 0) entry.lag_micros = std::max<std::int64_t>(0, now - newest_event_micros);
    }
    MaybeFlush(false);
}

void SensorStatusBoard::RecordHeartbeat(std::string_view sensor, std::int64_t up_from_micros, std::uint64_t received,
                                        std::uint64_t dropped, std::uint64_t interface_dropped,
                                        const std::vector<std::pair<std::string, std::uint64_t>>& anomalies) {
    {
        std::lock_guard lock(mutex_);
        auto& entry = Entry(sensor);
        entry.last_heartbeat_micros = core::ToUnixMicros(clock_.Now());
        entry.up_from_micros = up_from_micros;
        entry.packets_received = received;
        entry.packets_dropped = dropped;
        entry.interface_dropped = interface_dropped;
        entry.anomalies.clear();
        for (const auto& [name, count] : anomalies) entry.anomalies[name] = count;
    }
    MaybeFlush(true);
}

void SensorStatusBoard::RecordLoss(std::string_view sensor, std::uint64_t lost_records) {
    {
        std::lock_guard lock(mutex_);
        Entry(sensor).lost += lost_records;
    }
    MaybeFlush(false);
}

std::vector<SensorStatus> SensorStatusBoard::Snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<SensorStatus> out;
    for (const auto& [name, status] : sensors_) out.push_back(status);
    return out;
}

void SensorStatusBoard::MaybeFlush(bool force) {
    {
        std::lock_guard lock(mutex_);
        const auto now = clock_.Steady();
        if (!force && now - last_flush_ < std::chrono::seconds(1)) return;
        last_flush_ = now;
    }
    (void)Flush();  // advisory: an unwritable status file must not stop ingest
}

core::Status SensorStatusBoard::Flush() {
    if (path_.empty()) return core::Ok();
    json all = json::array();
    for (const auto& status : Snapshot()) all.push_back(ToJson(status));
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    // Unique temp name per writer thread so concurrent flushes never interleave in one file.
    const auto tmp = path_ + ".tmp" + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << all.dump(1) << '\n';
        if (!out) return core::Internal("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path_.c_str()) != 0) return core::Internal("cannot rename " + tmp + " to " + path_);
    return core::Ok();
}

std::string SensorStatusPath(const std::string& data_dir) { return data_dir + "/observe/sensor-status.json"; }

core::Result<std::vector<SensorStatus>> LoadSensorStatus(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::vector<SensorStatus>{};
    json all = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (all.is_discarded() || !all.is_array()) return core::DataLoss(path + ": not a sensor status list");
    std::vector<SensorStatus> out;
    for (const auto& j : all)
        if (j.is_object()) out.push_back(FromJson(j));
    return out;
}

}  // namespace kizuna::observe
