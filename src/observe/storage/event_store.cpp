#include "observe/storage/event_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "observe/storage/geo.hpp"
#include "observe/storage/internal/control_log.hpp"
#include "observe/storage/internal/import_progress_log.hpp"
#include "observe/storage/internal/imports_log.hpp"
#include "observe/storage/internal/record_io.hpp"
#include "observe/storage/internal/segment_scan.hpp"
#include "observe/storage/rollup.hpp"
#include "observe/storage/segment_format.hpp"
#include "observe/storage/segment_io.hpp"

namespace kizuna::observe {

namespace fs = std::filesystem;
using segment::Fd;

namespace detail {

core::Status ValidateSensor(std::string_view sensor) {
    if (sensor.empty() || sensor.size() > segment::kMaxSensorName) {
        return core::InvalidArgument("sensor name must be 1 to 64 characters", "sensor");
    }
    for (char c : sensor) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
        if (!ok) return core::InvalidArgument("sensor name may contain only letters, digits, '.', '_' and '-'", "sensor");
    }
    return core::Ok();
}

}  // namespace detail

namespace {

constexpr std::array<char, 8> kCheckpointMagic{'K', 'Z', 'C', 'K', 'P', 'v', '1', '\0'};
constexpr std::int64_t kMaxUptimeSpan = 400 * kDayMicros;
constexpr std::size_t kMaxOpenSegments = 32;
// What recovery decodes of a block: the columns the rollups are built from.
constexpr ColumnSet kRollupColumns = column::kTime | column::kProtocol | column::kDestinationPort | column::kIcmpType |
                                     column::kIcmpCode | column::kCountry | column::kPackets;

using ControlType = detail::ControlLog::Type;
using detail::Put;
using detail::Take;
using detail::ValidateSensor;

std::int64_t DayOf(std::int64_t micros) { return Rollups::FloorDiv(micros, kDayMicros); }


// "events/2026/11/22/000001.kzs" for the partition of day `day` (days since the epoch).
fs::path PartitionFile(const fs::path& dir, std::int64_t day) {
    std::string date = FormatDate(PacketTime{day * kDayMicros});  // YYYY-MM-DD
    return dir / "events" / date.substr(0, 4) / date.substr(5, 2) / date.substr(8, 2) / "000001.kzs";
}

}  // namespace

struct EventStore::Impl {
    struct Segment {
        fs::path path;
        std::uint64_t length = 0;  // committed bytes: file header + whole, committed blocks
        Fd writer;
    };

    fs::path dir;
    StoreOptions options;
    Fd lock_fd;

    // Serialises writers (AppendBatch, RecordUptime, Checkpoint); the slow part (encode, write, fsync)
    // happens under this lock only, so readers keep going.
    std::mutex append_mutex;
    // Guards everything below it for readers; writers take it exclusively only to publish a batch.
    mutable std::shared_mutex state_mutex;

    std::vector<std::string> sensor_names;
    std::unordered_map<std::string, std::uint32_t> sensor_ids;
    std::vector<std::uint64_t> watermarks;
    std::map<std::int64_t, Segment> segments;  // by day
    Rollups rollups;
    StoreStats stats;
    detail::ControlLog control;                   // written under append_mutex
    std::uint64_t checkpoint_control_length = 0;  // control.log's length when the checkpoint was written

    // Completed imports (imports.log). Written under append_mutex; published and read under state_mutex.
    detail::ImportsLog imports;

    // Unfinished imports (import_progress.log). Written under append_mutex; its map read under state_mutex.
    detail::ImportProgressLog progress_log;

    // Writer-only state (append_mutex).
    std::unique_ptr<GeoLookup> geo;
    std::unique_ptr<segment::BlockCodec> codec;
    std::vector<std::uint8_t> block_buffer;
    std::vector<CountryCode> countries;
    std::vector<ScanEvent> sorted_events;
    std::vector<CountryCode> sorted_countries;
    std::uint64_t bytes_since_checkpoint = 0;
    std::size_t open_writers = 0;
    bool broken = false;

    // ---- control log ----

    core::Status AppendControl(ControlType type, const std::vector<std::uint8_t>& payload) {
        return control.Append(type, payload, &broken);
    }

    // REQUIRES: append_mutex held (or single-threaded Open).
    core::Result<std::uint32_t> SensorId(std::string_view sensor) {
        if (auto it = sensor_ids.find(std::string(sensor)); it != sensor_ids.end()) return it->second;
        auto id = static_cast<std::uint32_t>(sensor_names.size());
        std::vector<std::uint8_t> payload;
        Put<std::uint32_t>(payload, id);
        payload.insert(payload.end(), sensor.begin(), sensor.end());
        KZ_TRY(AppendControl(ControlType::kSensor, payload));
        std::unique_lock state(state_mutex);
        RegisterSensor(std::string(sensor));
        return id;
    }

    std::uint32_t RegisterSensor(const std::string& name) {
        auto id = static_cast<std::uint32_t>(sensor_names.size());
        sensor_names.push_back(name);
        sensor_ids.emplace(name, id);
        watermarks.push_back(0);
        return id;
    }

    void MarkUptime(std::uint32_t sensor, std::int64_t from, std::int64_t to) {
        std::int64_t first = Rollups::FloorDiv(from, kBinMicros);
        std::int64_t last = Rollups::FloorDiv(to - 1, kBinMicros);
        for (std::int64_t hour = first; hour <= last; ++hour) rollups.MarkActive(hour, sensor);
    }

    // ---- imports.log (internal/imports_log.hpp) ----

    core::Status RecoverImports() {
        KZ_ASSIGN(std::uint64_t dropped, imports.Recover(dir, options.read_only));
        stats.recovered_bytes_dropped += dropped;
        return core::Ok();
    }

    // ---- segments ----

    // The writable segment of `day`, created (durably, with its directories) when new.
    core::Result<Segment*> WriterFor(std::int64_t day) {
        auto it = segments.find(day);
        if (it != segments.end() && it->second.writer.valid()) return &it->second;
        if (open_writers >= kMaxOpenSegments) {
            // Only segments that hold no unsynced block of the batch being written may close: AppendEvents
            // syncs each day's segment before it moves to the next day, and a batch visits its days in order,
            // so every open writer but the one being filled is synced (the current one is `day`'s, not open).
            for (auto& [d, s] : segments) s.writer = Fd();
            open_writers = 0;
        }
        if (it != segments.end()) {
            KZ_ASSIGN(it->second.writer, segment::OpenFile(it->second.path, O_RDWR));
            ++open_writers;
            return &it->second;
        }
        fs::path path = PartitionFile(dir, day);
        KZ_TRY(segment::CreateDirsDurably(path.parent_path()));
        KZ_ASSIGN(Fd fd, segment::OpenFile(path, O_RDWR | O_CREAT | O_TRUNC));
        auto header = segment::EncodeFileHeader({day * kDayMicros});
        KZ_TRY(segment::WriteAt(fd, header, 0, path));
        KZ_TRY(segment::SyncData(fd, path));
        KZ_TRY(segment::SyncDir(path.parent_path()));
        std::unique_lock state(state_mutex);
        Segment& s = segments[day];
        s.path = path;
        s.length = segment::kFileHeaderSize;
        s.writer = std::move(fd);
        ++open_writers;
        ++stats.partitions;
        stats.segment_bytes += segment::kFileHeaderSize;
        return &s;
    }

    // ---- recovery ----

    core::Status LoadCheckpoint(std::map<fs::path, std::uint64_t>& checkpointed_lengths) {
        fs::path path = dir / "checkpoint.bin";
        auto opened = segment::OpenFile(path, O_RDONLY);
        if (!opened.ok()) {
            if (opened.error().code() == core::ErrorCode::kNotFound) return core::Ok();
            return opened.error();
        }
        Fd fd = std::move(opened).value();
        KZ_ASSIGN(std::uint64_t size, segment::FileSize(fd, path));
        std::vector<std::uint8_t> bytes(size);
        KZ_TRY(segment::ReadAt(fd, bytes, 0, path));
        auto bad = [&](std::string_view why) { return core::DataLoss("checkpoint " + path.string() + ": " + std::string(why)); };
        if (bytes.size() < 16 || std::memcmp(bytes.data(), kCheckpointMagic.data(), 8) != 0) return bad("bad magic");
        std::uint32_t stored_crc = 0;
        std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
        if (stored_crc != segment::Crc32c(std::span(bytes).first(bytes.size() - 4))) return bad("checksum mismatch");
        std::span<const std::uint8_t> in(bytes.data() + 8, bytes.size() - 12);
        std::uint64_t sensor_count = 0, segment_count = 0;
        if (!Take(in, checkpoint_control_length) || !Take(in, sensor_count)) return bad("truncated");
        for (std::uint64_t i = 0; i < sensor_count; ++i) {
            std::uint8_t len = 0;
            std::uint64_t watermark = 0;
            if (!Take(in, len) || in.size() < len) return bad("truncated sensor");
            std::string name(reinterpret_cast<const char*>(in.data()), len);
            in = in.subspan(len);
            if (!Take(in, watermark)) return bad("truncated sensor");
            watermarks[RegisterSensor(name)] = watermark;
        }
        if (!Take(in, segment_count)) return bad("truncated");
        for (std::uint64_t i = 0; i < segment_count; ++i) {
            std::int64_t day = 0;
            std::uint64_t length = 0;
            if (!Take(in, day) || !Take(in, length)) return bad("truncated segment list");
            checkpointed_lengths[PartitionFile(dir, day)] = length;
        }
        if (!Take(in, stats.events) || !Take(in, stats.packets) || !Take(in, stats.batches) ||
            !Take(in, stats.blocks)) {
            return bad("truncated stats");
        }
        std::vector<std::uint8_t> rest(in.begin(), in.end());
        std::size_t pos = 0;
        if (!rollups.Deserialize(rest, pos) || pos != rest.size()) return bad("malformed rollups");
        return core::Ok();
    }

    // Replays control.log (internal/control_log.hpp) after the checkpoint: sensors, watermarks, uptime, and
    // the COMMIT records of batches spread over several partitions (collected in `commits`).
    core::Status RecoverControl(std::set<std::pair<std::uint32_t, std::uint64_t>>& commits) {
        const fs::path path = dir / "control.log";
        auto apply = [&](ControlType type, std::uint32_t sensor, std::span<const std::uint8_t> in) -> core::Result<bool> {
            if (type == ControlType::kSensor) {
                std::string name(reinterpret_cast<const char*>(in.data()), in.size());
                if (sensor != sensor_names.size() || !ValidateSensor(name).ok()) {
                    return core::DataLoss(path.string() + ": sensor record out of order");
                }
                RegisterSensor(name);
                return true;
            }
            if (sensor >= sensor_names.size()) return core::DataLoss(path.string() + ": unknown sensor id");
            if (type == ControlType::kWatermark) {
                std::uint64_t seq = 0;
                if (!Take(in, seq)) return false;
                watermarks[sensor] = std::max(watermarks[sensor], seq);
                ++stats.batches;
                return true;
            }
            if (type == ControlType::kUptime) {
                std::int64_t from = 0, to = 0;
                if (!Take(in, from) || !Take(in, to) || to <= from || to - from > kMaxUptimeSpan) return false;
                MarkUptime(sensor, from, to);
                return true;
            }
            if (type == ControlType::kCommit) {
                std::uint64_t seq = 0;
                if (!Take(in, seq)) return false;
                commits.emplace(sensor, seq);
                return true;
            }
            return false;
        };
        KZ_ASSIGN(std::uint64_t dropped, control.Recover(dir, options.read_only, checkpoint_control_length, apply));
        stats.recovered_bytes_dropped += dropped;
        return core::Ok();
    }

    // True when the blocks from `pos` on are parts 0..part_count-1 of first's batch, each intact.
    static bool PartsFollow(const Fd& fd, const fs::path& path, std::uint64_t pos, std::uint64_t size,
                            const segment::BlockHeader& first) {
        std::vector<std::uint8_t> header_bytes(segment::kBlockHeaderSize), payload;
        for (std::uint16_t part = 0; part < first.part_count; ++part) {
            if (pos + segment::kBlockHeaderSize > size) return false;
            if (!segment::ReadAt(fd, header_bytes, pos, path).ok()) return false;
            auto h = segment::DecodeBlockHeader(header_bytes);
            if (!h.ok() || h->seq != first.seq || h->sensor != first.sensor || h->part_index != part ||
                h->part_count != first.part_count || pos + segment::kBlockHeaderSize + h->payload_len > size) {
                return false;
            }
            payload.resize(h->payload_len);
            if (!segment::ReadAt(fd, payload, pos + segment::kBlockHeaderSize, path).ok()) return false;
            if (!segment::BlockChecksumOk(header_bytes, payload)) return false;
            pos += segment::kBlockHeaderSize + h->payload_len;
        }
        return true;
    }

    core::Status RecoverSegments(const std::map<fs::path, std::uint64_t>& checkpointed_lengths,
                                 std::set<std::pair<std::uint32_t, std::uint64_t>>& commits) {
        std::vector<std::pair<std::int64_t, fs::path>> files;
        fs::path events_dir = dir / "events";
        std::error_code ec;
        if (fs::exists(events_dir, ec)) {
            for (auto it = fs::recursive_directory_iterator(events_dir, ec); !ec && it != fs::recursive_directory_iterator();
                 it.increment(ec)) {
                if (!it->is_regular_file() || it->path().extension() != ".kzs") continue;
                files.emplace_back(0, it->path());
            }
        }
        if (ec) return core::Internal("list " + events_dir.string() + ": " + ec.message());
        for (const auto& [path, length] : checkpointed_lengths) {
            bool found = std::any_of(files.begin(), files.end(), [&](const auto& f) { return f.second == path; });
            if (!found) return core::DataLoss("segment " + path.string() + " is missing");
        }
        segment::BlockCodec codec(options.compression_level);
        segment::DecodedBlock block;
        std::vector<std::uint8_t> header_bytes(segment::kBlockHeaderSize), payload;
        for (auto& [unused_day, path] : files) {
            int flags = options.read_only ? O_RDONLY : O_RDWR;
            KZ_ASSIGN(Fd fd, segment::OpenFile(path, flags));
            KZ_ASSIGN(std::uint64_t size, segment::FileSize(fd, path));
            auto known = checkpointed_lengths.find(path);
            std::uint64_t start = known == checkpointed_lengths.end() ? segment::kFileHeaderSize : known->second;
            std::array<std::uint8_t, segment::kFileHeaderSize> file_header{};
            auto header = size >= segment::kFileHeaderSize ? segment::ReadAt(fd, file_header, 0, path) : core::Status(core::DataLoss("short"));
            core::Result<segment::FileHeader> parsed =
                header.ok() ? segment::DecodeFileHeader(file_header) : core::Result<segment::FileHeader>(header.error());
            if (!parsed.ok()) {
                // A file created just before a crash, before its header was durable, holds nothing acknowledged.
                if (known == checkpointed_lengths.end() && size <= segment::kFileHeaderSize) {
                    if (!options.read_only) fs::remove(path, ec);
                    continue;
                }
                return parsed.error().WithContext(path.string());
            }
            std::int64_t day = DayOf(parsed->day_start_micros);
            if (PartitionFile(dir, day) != path) return core::DataLoss(path.string() + ": header day does not match path");
            if (size < start) return core::DataLoss(path.string() + " is shorter than the checkpoint says");
            std::uint64_t pos = start;
            while (pos + segment::kBlockHeaderSize <= size) {
                KZ_TRY(segment::ReadAt(fd, header_bytes, pos, path));
                auto h = segment::DecodeBlockHeader(header_bytes);
                if (!h.ok() || pos + segment::kBlockHeaderSize + h->payload_len > size) break;
                payload.resize(h->payload_len);
                KZ_TRY(segment::ReadAt(fd, payload, pos + segment::kBlockHeaderSize, path));
                if (!segment::BlockChecksumOk(header_bytes, payload)) break;
                if (!codec.Decode(*h, payload, block, kRollupColumns).ok()) break;
                auto sensor_it = sensor_ids.find(h->sensor);
                std::uint32_t sensor = sensor_it != sensor_ids.end() ? sensor_it->second : RegisterSensor(h->sensor);
                // A block of a multi-block batch counts only once the batch is known complete: its COMMIT record
                // is durable, or (one-segment batch) all its parts follow here in order.
                if (h->part_count > 1 && !commits.contains({sensor, h->seq})) {
                    if (h->part_index != 0 || !PartsFollow(fd, path, pos, size, *h)) break;
                    commits.emplace(sensor, h->seq);
                }
                if (DayOf(h->min_time) != day || DayOf(h->max_time) != day) break;  // not this partition's
                watermarks[sensor] = std::max(watermarks[sensor], h->seq);
                ApplyColumns(sensor, block.View());
                stats.events += h->event_count;
                stats.packets += h->packets;
                stats.blocks += 1;
                if (h->part_index == 0) stats.batches += 1;
                pos += segment::kBlockHeaderSize + h->payload_len;
            }
            if (pos < size) {
                stats.recovered_bytes_dropped += size - pos;
                if (!options.read_only) KZ_TRY(segment::Truncate(fd, pos, path));
            }
            Segment& s = segments[day];
            s.path = path;
            s.length = pos;
            stats.partitions += 1;
            stats.segment_bytes += pos;
        }
        return core::Ok();
    }

    void ApplyColumns(std::uint32_t sensor, const EventColumns& c) {
        for (std::size_t i = 0; i < c.size; ++i) {
            rollups.AddEvent(c.time_micros[i], sensor, c.protocol[i], c.destination_port[i], c.icmp_type[i],
                             c.icmp_code[i], c.country[i], c.packets[i]);
        }
    }

    // REQUIRES: append_mutex held.
    core::Status WriteCheckpoint() {
        std::vector<std::uint8_t> out(kCheckpointMagic.begin(), kCheckpointMagic.end());
        {
            std::shared_lock state(state_mutex);
            Put<std::uint64_t>(out, control.length());
            Put<std::uint64_t>(out, sensor_names.size());
            for (std::size_t i = 0; i < sensor_names.size(); ++i) {
                out.push_back(static_cast<std::uint8_t>(sensor_names[i].size()));
                out.insert(out.end(), sensor_names[i].begin(), sensor_names[i].end());
                Put<std::uint64_t>(out, watermarks[i]);
            }
            Put<std::uint64_t>(out, segments.size());
            for (const auto& [day, s] : segments) {
                Put<std::int64_t>(out, day);
                Put<std::uint64_t>(out, s.length);
            }
            Put<std::uint64_t>(out, stats.events);
            Put<std::uint64_t>(out, stats.packets);
            Put<std::uint64_t>(out, stats.batches);
            Put<std::uint64_t>(out, stats.blocks);
            rollups.Serialize(out);
        }
        Put<std::uint32_t>(out, segment::Crc32c(out));
        fs::path tmp = dir / "checkpoint.tmp";
        fs::path final_path = dir / "checkpoint.bin";
        {
            KZ_ASSIGN(Fd fd, segment::OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC));
            KZ_TRY(segment::WriteAt(fd, out, 0, tmp));
            if (::fsync(fd.get()) != 0) return segment::FromErrno("fsync", tmp, errno);
        }
        if (::rename(tmp.c_str(), final_path.c_str()) != 0) return segment::FromErrno("rename", tmp, errno);
        KZ_TRY(segment::SyncDir(dir));
        bytes_since_checkpoint = 0;
        return core::Ok();
    }
};

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventStore::~EventStore() {
    if (impl_ && !impl_->options.read_only && !impl_->broken && impl_->bytes_since_checkpoint > 0) {
        std::lock_guard append(impl_->append_mutex);
        (void)impl_->WriteCheckpoint();
    }
}

core::Result<std::unique_ptr<EventStore>> EventStore::Open(const fs::path& dir, StoreOptions options) {
    if (options.compression_level < 1 || options.compression_level > 19) {
        return core::InvalidArgument("compression level must be 1 to 19", "compression_level");
    }
    if (options.max_block_events == 0 || options.max_block_events > segment::kMaxBlockEvents) {
        return core::InvalidArgument("max_block_events must be 1 to 1048576", "max_block_events");
    }
    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    impl->options = options;
    if (!options.read_only) {
        KZ_TRY(segment::CreateDirsDurably(dir));
        KZ_ASSIGN(impl->lock_fd, segment::OpenFile(dir / "LOCK", O_RDWR | O_CREAT));
        if (::flock(impl->lock_fd.get(), LOCK_EX | LOCK_NB) != 0) {
            return core::Error(core::ErrorCode::kUnavailable,
                               "event store " + dir.string() + " is in use by another process");
        }
    } else if (!fs::exists(dir)) {
        return core::NotFound("event store " + dir.string() + " does not exist");
    }
    KZ_ASSIGN(impl->geo, GeoLookup::Open(options.geo_database));
    impl->codec = std::make_unique<segment::BlockCodec>(options.compression_level);
    std::map<fs::path, std::uint64_t> checkpointed_lengths;
    std::set<std::pair<std::uint32_t, std::uint64_t>> commits;
    KZ_TRY(impl->LoadCheckpoint(checkpointed_lengths));
    const std::uint64_t control_start = impl->checkpoint_control_length;
    KZ_TRY(impl->RecoverControl(commits));
    KZ_TRY(impl->RecoverSegments(checkpointed_lengths, commits));
    KZ_TRY(impl->RecoverImports());
    KZ_TRY(impl->progress_log.Recover(dir, options.read_only, [&](std::string_view sensor) -> std::uint64_t {
        auto it = impl->sensor_ids.find(std::string(sensor));
        return it == impl->sensor_ids.end() ? 0 : impl->watermarks[it->second];
    }));
    if (!options.read_only && impl->control.length() > control_start) impl->bytes_since_checkpoint = 1;
    if (!options.read_only) {
        std::uint64_t replayed = 0;
        for (const auto& [day, s] : impl->segments) {
            auto it = checkpointed_lengths.find(s.path);
            replayed += s.length - (it == checkpointed_lengths.end() ? 0 : it->second);
        }
        if (replayed > 0 || impl->bytes_since_checkpoint > 0) KZ_TRY(impl->WriteCheckpoint());
    }
    return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

const StoreOptions& EventStore::options() const { return impl_->options; }

core::Result<AppendOutcome> EventStore::AppendBatch(std::string_view sensor, std::uint64_t seq,
                                                    std::span<const ScanEvent> events) {
    return AppendEvents(sensor, seq, events, {}, false);
}

core::Result<AppendOutcome> EventStore::AppendBatch(std::string_view sensor, std::uint64_t seq,
                                                    std::span<const ScanEvent> events,
                                                    std::span<const CountryCode> countries) {
    if (countries.size() != events.size()) return core::InvalidArgument("one country per event is needed", "countries");
    return AppendEvents(sensor, seq, events, countries, true);
}

core::Result<AppendOutcome> EventStore::AppendEvents(std::string_view sensor, std::uint64_t seq,
                                               std::span<const ScanEvent> events,
                                               std::span<const CountryCode> given_countries, bool countries_given) {
    KZ_TRY(ValidateSensor(sensor));
    if (seq == 0) return core::InvalidArgument("sequence numbers start at 1", "seq");
    Impl& s = *impl_;
    if (s.options.read_only) return core::FailedPrecondition("event store is open read-only");
    std::lock_guard append(s.append_mutex);
    return AppendLocked(sensor, seq, events, given_countries, countries_given);
}

core::Result<AppendOutcome> EventStore::AppendImportBatch(std::span<const ScanEvent> events,
                                                          std::span<const CountryCode> countries,
                                                          const ImportProgress& progress) {
    KZ_TRY(ValidateSensor(progress.sensor));
    if (countries.size() != events.size()) return core::InvalidArgument("one country per event is needed", "countries");
    Impl& s = *impl_;
    if (s.options.read_only) return core::FailedPrecondition("event store is open read-only");
    std::lock_guard append(s.append_mutex);
    if (s.broken) return core::Internal("event store is unusable after a failed rollback; reopen it");
    KZ_ASSIGN(std::uint32_t sensor_id, s.SensorId(progress.sensor));
    std::uint64_t seq = s.watermarks[sensor_id] + 1;
    KZ_TRY(s.progress_log.AppendIntent(seq, progress));
    auto stored = AppendLocked(progress.sensor, seq, events, countries, true);
    if (!stored.ok()) {
        // The batch is not stored (rolled back): say so, or the next intent would imply it was. If even that
        // fails, only reopening may continue, and Open() decides from the watermark.
        if (!s.progress_log.AppendAbort(progress.sensor, seq).ok()) s.broken = true;
        return stored;
    }
    std::unique_lock state(s.state_mutex);
    s.progress_log.Commit();
    return stored;
}

std::optional<ImportProgress> EventStore::FindImportProgress(std::string_view sensor, const ProbeDigest& probe) const {
    std::shared_lock state(impl_->state_mutex);
    return impl_->progress_log.Find(sensor, probe);
}

core::Result<AppendOutcome> EventStore::AppendLocked(std::string_view sensor, std::uint64_t seq,
                                                     std::span<const ScanEvent> events,
                                                     std::span<const CountryCode> given_countries,
                                                     bool countries_given) {
    Impl& s = *impl_;
    if (s.broken) return core::Internal("event store is unusable after a failed rollback; reopen it");
    KZ_ASSIGN(std::uint32_t sensor_id, s.SensorId(sensor));
    if (seq <= s.watermarks[sensor_id]) return AppendOutcome::kDuplicate;

    if (events.empty()) {
        std::vector<std::uint8_t> payload;
        Put<std::uint32_t>(payload, sensor_id);
        Put<std::uint64_t>(payload, seq);
        KZ_TRY(s.AppendControl(ControlType::kWatermark, payload));
        std::unique_lock state(s.state_mutex);
        s.watermarks[sensor_id] = seq;
        s.stats.batches += 1;
        s.bytes_since_checkpoint += 1;
        return AppendOutcome::kStored;
    }

    // Countries first (unless the caller looked them up): they are stored with the events and feed the rollups.
    std::span<const CountryCode> countries = given_countries;
    if (!countries_given) {
        s.countries.resize(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) s.countries[i] = s.geo->Lookup(events[i].source);
        countries = s.countries;
    }

    // Split into parts: one run per UTC day, each cut into blocks of at most max_block_events. A batch whose
    // days never go back (a capture in time order, over one day or many) is encoded in place without copying;
    // only a batch that returns to an earlier day is reordered, by day, keeping the order within each day.
    std::span<const ScanEvent> ordered = events;
    std::span<const CountryCode> ordered_countries = countries;
    bool days_in_order = true;
    {
        // A subtraction per event while it stays in the current day, a division only when it leaves it
        // (unsigned: no overflow at the extremes).
        std::int64_t day = DayOf(events.front().time.micros_since_epoch);
        auto day_begin = static_cast<std::uint64_t>(day * kDayMicros);
        for (std::size_t i = 1; i < events.size(); ++i) {
            const std::int64_t micros = events[i].time.micros_since_epoch;
            if (static_cast<std::uint64_t>(micros) - day_begin < static_cast<std::uint64_t>(kDayMicros)) continue;
            const std::int64_t next_day = DayOf(micros);
            if (next_day < day) {
                days_in_order = false;
                break;
            }
            day = next_day;
            day_begin = static_cast<std::uint64_t>(day * kDayMicros);
        }
    }
    if (!days_in_order) {
        // Each event's day computed once, then a stable sort of (day, index) pairs.
        std::vector<std::pair<std::int64_t, std::uint32_t>> order(events.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = {DayOf(events[i].time.micros_since_epoch), static_cast<std::uint32_t>(i)};
        }
        std::stable_sort(order.begin(), order.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        s.sorted_events.resize(order.size());
        s.sorted_countries.resize(order.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            s.sorted_events[i] = events[order[i].second];
            s.sorted_countries[i] = countries[order[i].second];
        }
        ordered = s.sorted_events;
        ordered_countries = s.sorted_countries;
    }
    struct Part {
        std::int64_t day;
        std::size_t begin, end;
    };
    std::vector<Part> parts;
    for (std::size_t begin = 0; begin < ordered.size();) {
        std::int64_t day = DayOf(ordered[begin].time.micros_since_epoch);
        const auto day_begin = static_cast<std::uint64_t>(day * kDayMicros);
        std::size_t end = begin;
        while (end < ordered.size() && end - begin < s.options.max_block_events &&
               static_cast<std::uint64_t>(ordered[end].time.micros_since_epoch) - day_begin <
                   static_cast<std::uint64_t>(kDayMicros)) {
            ++end;
        }
        parts.push_back({day, begin, end});
        begin = end;
    }
    if (parts.size() > 0xFFFF) return core::InvalidArgument("batch too large: more than 65535 blocks", "events");

    // Write every block, sync every touched segment, then (for a multi-block batch) the COMMIT record.
    struct Touched {
        Impl::Segment* segment;
        std::uint64_t old_length;
        std::uint64_t new_length;
    };
    std::vector<Touched> touched;
    auto rollback = [&](const core::Error& error) -> core::Error {
        for (const Touched& t : touched) {
            // A segment this batch wrote and synced earlier may have been closed since (more days than open
            // writers): reopen it to cut the batch's blocks off.
            if (!t.segment->writer.valid()) {
                auto reopened = segment::OpenFile(t.segment->path, O_RDWR);
                if (!reopened.ok()) {
                    s.broken = true;
                    continue;
                }
                t.segment->writer = std::move(reopened).value();
                ++s.open_writers;
            }
            if (!segment::Truncate(t.segment->writer, t.old_length, t.segment->path).ok()) s.broken = true;
        }
        return error;
    };
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const Part& part = parts[p];
        auto writer = s.WriterFor(part.day);
        if (!writer.ok()) return rollback(writer.error());
        Impl::Segment* seg = *writer;
        auto it = std::find_if(touched.begin(), touched.end(), [&](const Touched& t) { return t.segment == seg; });
        if (it == touched.end()) {
            touched.push_back({seg, seg->length, seg->length});
            it = touched.end() - 1;
        }
        auto encoded = s.codec->Encode(sensor, seq, static_cast<std::uint16_t>(p), static_cast<std::uint16_t>(parts.size()),
                                       ordered.subspan(part.begin, part.end - part.begin),
                                       ordered_countries.subspan(part.begin, part.end - part.begin), s.block_buffer);
        if (!encoded.ok()) return rollback(encoded.error());
        auto written = segment::WriteAt(seg->writer, s.block_buffer, it->new_length, seg->path);
        if (!written.ok()) return rollback(written.error());
        it->new_length += s.block_buffer.size();
        // The parts are ordered by day, so this day's segment is complete when the next part is another day's:
        // sync it now, before opening later days may close its writer (at most kMaxOpenSegments stay open; a
        // batch may span any number of days).
        if (p + 1 == parts.size() || parts[p + 1].day != part.day) {
            auto synced = segment::SyncData(seg->writer, seg->path);
            if (!synced.ok()) return rollback(synced.error());
        }
    }
    // Blocks of a batch that all went to one segment commit themselves (recovery accepts them only when every
    // part follows in order); a batch spread over several partitions needs the COMMIT record.
    if (touched.size() > 1) {
        std::vector<std::uint8_t> payload;
        Put<std::uint32_t>(payload, sensor_id);
        Put<std::uint64_t>(payload, seq);
        Put<std::uint16_t>(payload, static_cast<std::uint16_t>(parts.size()));
        auto committed = s.AppendControl(ControlType::kCommit, payload);
        if (!committed.ok()) return rollback(committed.error());
    }

    // Durable: publish to readers.
    {
        std::unique_lock state(s.state_mutex);
        for (const Touched& t : touched) {
            s.stats.segment_bytes += t.new_length - t.segment->length;
            s.bytes_since_checkpoint += t.new_length - t.segment->length;
            t.segment->length = t.new_length;
        }
        s.watermarks[sensor_id] = seq;
        s.stats.packets += s.rollups.AddEvents(sensor_id, ordered, ordered_countries);
        s.stats.events += ordered.size();
        s.stats.blocks += parts.size();
        s.stats.batches += 1;
    }
    if (s.bytes_since_checkpoint >= s.options.checkpoint_bytes) {
        // A failed checkpoint costs only replay time at the next Open(); the batch is durable already.
        (void)s.WriteCheckpoint();
    }
    return AppendOutcome::kStored;
}

std::optional<ImportRecord> EventStore::FindImport(std::string_view sensor, const ContentDigest& digest) const {
    std::shared_lock state(impl_->state_mutex);
    return impl_->imports.Find(sensor, digest);
}

std::vector<ImportRecord> EventStore::FindImportsByProbe(std::string_view sensor, const ProbeDigest& probe) const {
    std::shared_lock state(impl_->state_mutex);
    return impl_->imports.FindByProbe(sensor, probe);
}

core::Result<void> EventStore::RecordImport(const ImportRecord& record) {
    KZ_TRY(ValidateSensor(record.sensor));
    Impl& s = *impl_;
    if (s.options.read_only) return core::FailedPrecondition("event store is open read-only");
    std::lock_guard append(s.append_mutex);
    if (s.broken) return core::Internal("event store is unusable after a failed rollback; reopen it");
    KZ_TRY(s.imports.Write(record, &s.broken));
    {
        std::unique_lock state(s.state_mutex);
        s.imports.Commit(record);
    }
    // Completed: a later import of the same file is a duplicate, not a resumption. A crash before this record
    // leaves the progress, which only matters if a different file with the same probe is imported next.
    if (s.progress_log.Find(record.sensor, record.probe)) {
        KZ_TRY(s.progress_log.AppendDone(record.sensor, record.probe));
        std::unique_lock state(s.state_mutex);
        s.progress_log.Forget(record.sensor, record.probe);
    }
    return {};
}

core::Result<void> EventStore::RecordUptime(std::string_view sensor, PacketTime from, PacketTime to) {
    KZ_TRY(ValidateSensor(sensor));
    if (to <= from) return core::InvalidArgument("uptime interval is empty or reversed", "to");
    if (to.micros_since_epoch - from.micros_since_epoch > kMaxUptimeSpan) {
        return core::InvalidArgument("uptime interval longer than 400 days", "to");
    }
    Impl& s = *impl_;
    if (s.options.read_only) return core::FailedPrecondition("event store is open read-only");
    std::lock_guard append(s.append_mutex);
    if (s.broken) return core::Internal("event store is unusable after a failed rollback; reopen it");
    KZ_ASSIGN(std::uint32_t sensor_id, s.SensorId(sensor));
    std::vector<std::uint8_t> payload;
    Put<std::uint32_t>(payload, sensor_id);
    Put<std::int64_t>(payload, from.micros_since_epoch);
    Put<std::int64_t>(payload, to.micros_since_epoch);
    KZ_TRY(s.AppendControl(ControlType::kUptime, payload));
    std::unique_lock state(s.state_mutex);
    s.MarkUptime(sensor_id, from.micros_since_epoch, to.micros_since_epoch);
    s.bytes_since_checkpoint += 1;
    return {};
}

std::uint64_t EventStore::LastSequence(std::string_view sensor) const {
    std::shared_lock state(impl_->state_mutex);
    auto it = impl_->sensor_ids.find(std::string(sensor));
    return it == impl_->sensor_ids.end() ? 0 : impl_->watermarks[it->second];
}

std::uint64_t EventStore::EventCount() const {
    std::shared_lock state(impl_->state_mutex);
    return impl_->stats.events;
}

StoreStats EventStore::Stats() const {
    std::shared_lock state(impl_->state_mutex);
    return impl_->stats;
}

std::vector<std::string> EventStore::Sensors() const {
    std::shared_lock state(impl_->state_mutex);
    return impl_->sensor_names;
}

std::string EventStore::SensorName(std::uint32_t id) const {
    std::shared_lock state(impl_->state_mutex);
    return id < impl_->sensor_names.size() ? impl_->sensor_names[id] : std::string();
}

namespace {
std::int64_t FirstHour(TimeRange range) {
    return range.from.micros_since_epoch == INT64_MIN ? INT64_MIN
                                                      : Rollups::FloorDiv(range.from.micros_since_epoch - 1, kBinMicros) + 1;
}
// Hours whose start lies in [from, to): hour h with from <= h * kBinMicros < to.
template <typename F>
void ForHours(const std::map<std::int64_t, HourRollup>& hours, TimeRange range, F&& f) {
    std::int64_t first = FirstHour(range);
    for (auto it = hours.lower_bound(first); it != hours.end(); ++it) {
        if (range.to.micros_since_epoch != INT64_MAX && it->first * kBinMicros >= range.to.micros_since_epoch) break;
        f(it->first, it->second);
    }
}
}  // namespace

void EventStore::VisitPortRollup(TimeRange range, std::optional<Protocol> protocol,
                                 const std::function<void(const PortRollupRow&)>& visitor) const {
    std::shared_lock state(impl_->state_mutex);
    ForHours(impl_->rollups.hours(), range, [&](std::int64_t hour, const HourRollup& h) {
        h.ports.ForEach([&](std::uint64_t key, std::uint64_t packets) {
            Protocol proto = ProtocolFromIndex(static_cast<unsigned>(key >> 16 & 3));
            if (protocol && *protocol != proto) return;
            visitor({hour * kBinMicros, static_cast<std::uint32_t>(key >> 18), proto,
                     static_cast<std::uint16_t>(key & 0xFFFF), packets});
        });
    });
}

void EventStore::VisitCountryRollup(TimeRange range, const std::function<void(const CountryRollupRow&)>& visitor) const {
    std::shared_lock state(impl_->state_mutex);
    ForHours(impl_->rollups.hours(), range, [&](std::int64_t hour, const HourRollup& h) {
        h.countries.ForEach([&](std::uint64_t key, std::uint64_t packets) {
            CountryCode country{static_cast<char>(key >> 8 & 0xFF), static_cast<char>(key & 0xFF)};
            visitor({hour * kBinMicros, static_cast<std::uint32_t>(key >> 16), country, packets});
        });
    });
}

void EventStore::VisitPortSeries(Protocol protocol, std::uint16_t port, TimeRange range,
                                 const std::function<void(const PortRollupRow&)>& visitor) const {
    std::shared_lock state(impl_->state_mutex);
    std::uint64_t proto_bits = static_cast<std::uint64_t>(ProtocolIndex(static_cast<std::uint8_t>(protocol))) << 16;
    ForHours(impl_->rollups.hours(), range, [&](std::int64_t hour, const HourRollup& h) {
        for (std::size_t w = 0; w < h.active.size(); ++w) {
            for (std::uint64_t bits = h.active[w]; bits != 0; bits &= bits - 1) {
                auto sensor = static_cast<std::uint32_t>(w * 64 + std::countr_zero(bits));
                std::uint64_t packets = h.ports.Get(static_cast<std::uint64_t>(sensor) << 18 | proto_bits | port);
                if (packets > 0) visitor({hour * kBinMicros, sensor, protocol, port, packets});
            }
        }
    });
}

void EventStore::SumPorts(TimeRange range, std::vector<std::uint64_t>& totals) const {
    totals.resize(4u << 16, 0);
    std::shared_lock state(impl_->state_mutex);
    const auto& hours = impl_->rollups.hours();
    const auto& days = impl_->rollups.day_ports();
    auto add_hours = [&](TimeRange part) {
        ForHours(hours, part, [&](std::int64_t, const HourRollup& h) {
            h.ports.ForEach([&](std::uint64_t key, std::uint64_t packets) { totals[key & 0x3FFFF] += packets; });
        });
    };
    std::int64_t from = range.from.micros_since_epoch;
    std::int64_t to = range.to.micros_since_epoch;
    if (to <= from) return;
    // Whole days [first_full, end_full) from the day tables; the partial days at either end hour by hour.
    std::int64_t first_full = from == INT64_MIN ? (days.empty() ? 0 : days.begin()->first)
                                                : Rollups::FloorDiv(from - 1, kDayMicros) + 1;
    std::int64_t end_full = to == INT64_MAX ? (days.empty() ? 0 : days.rbegin()->first + 1)
                                            : Rollups::FloorDiv(to, kDayMicros);
    if (first_full >= end_full) {
        add_hours(range);
        return;
    }
    add_hours({range.from, PacketTime{first_full * kDayMicros}});
    for (auto it = days.lower_bound(first_full); it != days.end() && it->first < end_full; ++it) {
        it->second.ForEach([&](std::uint64_t key, std::uint64_t packets) { totals[key & 0x3FFFF] += packets; });
    }
    add_hours({PacketTime{end_full * kDayMicros}, range.to});
}

std::vector<DayPortRow> EventStore::PortDays(Protocol protocol, std::uint16_t port, TimeRange range) const {
    std::vector<DayPortRow> rows;
    if (range.to <= range.from) return rows;
    const std::int64_t from = range.from.micros_since_epoch;
    const std::int64_t to = range.to.micros_since_epoch;
    const std::int64_t first = from == INT64_MIN ? INT64_MIN : Rollups::FloorDiv(from - 1, kDayMicros) + 1;
    auto in_range = [&](std::int64_t day) { return to == INT64_MAX || day * kDayMicros < to; };
    const std::uint64_t key = static_cast<std::uint64_t>(ProtocolIndex(static_cast<std::uint8_t>(protocol))) << 16 | port;
    std::shared_lock state(impl_->state_mutex);
    const auto& days = impl_->rollups.day_ports();
    const auto& activity = impl_->rollups.day_activity();
    auto d = days.lower_bound(first);
    auto a = activity.lower_bound(first);
    // Merge the two day-ordered maps.
    while ((d != days.end() && in_range(d->first)) || (a != activity.end() && in_range(a->first))) {
        bool d_ok = d != days.end() && in_range(d->first);
        bool a_ok = a != activity.end() && in_range(a->first);
        std::int64_t day = d_ok && a_ok ? std::min(d->first, a->first) : d_ok ? d->first : a->first;
        DayPortRow row{day * kDayMicros, 0, 0, 0};
        if (d_ok && d->first == day) {
            row.packets = d->second.Get(key);
            ++d;
        }
        if (a_ok && a->first == day) {
            row.sensor_hours = a->second.sensor_hours;
            row.covered_hours = a->second.covered_hours;
            ++a;
        }
        if (row.packets > 0 || row.sensor_hours > 0) rows.push_back(row);
    }
    return rows;
}

std::vector<PortRollupRow> EventStore::PortRollup(TimeRange range, std::optional<Protocol> protocol) const {
    std::vector<PortRollupRow> rows;
    VisitPortRollup(range, protocol, [&](const PortRollupRow& row) { rows.push_back(row); });
    return rows;
}

std::vector<CountryRollupRow> EventStore::CountryRollup(TimeRange range) const {
    std::vector<CountryRollupRow> rows;
    VisitCountryRollup(range, [&](const CountryRollupRow& row) { rows.push_back(row); });
    return rows;
}

std::vector<IcmpRollupRow> EventStore::IcmpRollup(TimeRange range) const {
    std::vector<IcmpRollupRow> rows;
    for (Protocol proto : {Protocol::kIcmp, Protocol::kIcmpv6}) {
        for (const PortRollupRow& r : PortRollup(range, proto)) {
            rows.push_back({r.hour, r.sensor, r.protocol, static_cast<std::uint8_t>(r.port >> 8),
                            static_cast<std::uint8_t>(r.port & 0xFF), r.packets});
        }
    }
    return rows;
}

std::vector<ActiveBin> EventStore::ActiveBins(TimeRange range) const {
    std::shared_lock state(impl_->state_mutex);
    std::vector<ActiveBin> rows;
    ForHours(impl_->rollups.hours(), range, [&](std::int64_t hour, const HourRollup& h) {
        for (std::size_t w = 0; w < h.active.size(); ++w) {
            for (std::uint64_t bits = h.active[w]; bits != 0; bits &= bits - 1) {
                rows.push_back({hour * kBinMicros, static_cast<std::uint32_t>(w * 64 + std::countr_zero(bits))});
            }
        }
    });
    return rows;
}

core::Result<ScanStats> EventStore::ParallelScan(
    const ScanFilter& filter, unsigned threads,
    const std::function<bool(unsigned worker, const EventColumns&)>& callback) const {
    std::vector<detail::ScanTarget> targets;
    ScanStats scan_stats;
    {
        // The partitions the range touches, with their committed lengths: a consistent cut while writers go on.
        std::shared_lock state(impl_->state_mutex);
        for (const auto& [day, seg] : impl_->segments) {
            ++scan_stats.partitions_total;
            std::int64_t start = day * kDayMicros;
            if (start + kDayMicros <= filter.range.from.micros_since_epoch || start >= filter.range.to.micros_since_epoch) {
                ++scan_stats.partitions_pruned;
                continue;
            }
            targets.push_back({seg.path, seg.length});
        }
    }
    KZ_TRY(detail::ScanSegments(targets, filter, threads, callback, scan_stats));
    return scan_stats;
}

core::Result<void> EventStore::Checkpoint() {
    if (impl_->options.read_only) return core::FailedPrecondition("event store is open read-only");
    std::lock_guard append(impl_->append_mutex);
    return impl_->WriteCheckpoint();
}

}  // namespace kizuna::observe
