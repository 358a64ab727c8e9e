#include "observe/storage/clickhouse.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <variant>

#include "observe/storage/geo.hpp"

#include "observe/storage/internal/clickhouse.hpp"

namespace kizuna::observe {
namespace {

constexpr std::size_t kInsertChunkRows = 1'000'000;

void CurlGlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

struct CurlHandle {
    CURL* curl = curl_easy_init();
    curl_slist* headers = nullptr;
    ~CurlHandle() {
        if (headers) curl_slist_free_all(headers);
        if (curl) curl_easy_cleanup(curl);
    }
};

std::string UrlEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

core::Status Discard(const core::Result<std::string>& r) {
    if (!r.ok()) return r.error();
    return core::Ok();
}

bool ValidSensor(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

}  // namespace

namespace detail {

std::string SqlString(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string DateLiteral(std::int64_t micros) {
    return "toDate(" + SqlString(FormatDate(PacketTime{micros})) + ")";
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return -FloorDiv(-a, b); }

std::vector<std::vector<std::string_view>> ParseTsv(std::string_view body) {
    std::vector<std::vector<std::string_view>> rows;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) end = body.size();
        std::string_view line = body.substr(pos, end - pos);
        std::vector<std::string_view> fields;
        std::size_t f = 0;
        while (true) {
            std::size_t tab = line.find('\t', f);
            fields.push_back(line.substr(f, tab == std::string_view::npos ? std::string_view::npos : tab - f));
            if (tab == std::string_view::npos) break;
            f = tab + 1;
        }
        if (!line.empty()) rows.push_back(std::move(fields));
        pos = end + 1;
    }
    return rows;
}

void PutRowBinary(std::string& out, std::int64_t day, const ScanEvent& e, std::string_view sensor, std::uint64_t seq,
                  const CountryCode& country) {
    auto put = [&out](const auto& v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };  // little-endian host
    put(static_cast<std::uint16_t>(day));
    put(e.time.micros_since_epoch);
    out += static_cast<char>(sensor.size());  // varint length: sensor names are at most 64 bytes
    out.append(sensor);
    put(seq);
    put(static_cast<std::uint8_t>(e.protocol));
    out.append(reinterpret_cast<const char*>(e.source.data()), 16);
    out.append(reinterpret_cast<const char*>(e.destination.data()), 16);
    put(e.source_port);
    put(e.destination_port);
    put(e.ip_length);
    put(e.ip_version);
    put(e.tcp_flags);
    put(e.icmp_type);
    put(e.icmp_code);
    put(e.ttl);
    put(e.packets);
    out.append(country.data(), 2);
}

}  // namespace detail

core::Result<std::string> ClickHouseClient::Post(const std::string& url, std::string_view body) const {
    CurlGlobalInit();
    CurlHandle h;
    if (!h.curl) return core::Internal("curl_easy_init failed");
    std::string response;
    curl_easy_setopt(h.curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h.curl, CURLOPT_POST, 1L);
    curl_easy_setopt(h.curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h.curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(h.curl, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(h.curl, CURLOPT_NOSIGNAL, 1L);
    h.headers = curl_slist_append(h.headers, "Content-Type: application/octet-stream");
    h.headers = curl_slist_append(h.headers, "Expect:");  // no 100-continue round trip for large inserts
    curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.headers);
    const CURLcode rc = curl_easy_perform(h.curl);
    if (rc != CURLE_OK)
        return core::Error(core::ErrorCode::kUnavailable, "ClickHouse at " + options_.url + " unreachable: " + curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        if (response.size() > 500) response.resize(500);
        return core::Internal("ClickHouse answered " + std::to_string(status) + ": " + response);
    }
    return response;
}

core::Result<std::string> ClickHouseClient::Query(std::string_view sql) const {
    return Post(options_.url + "/", sql);
}

core::Result<std::string> ClickHouseClient::Insert(std::string_view insert, std::string_view data) const {
    return Post(options_.url + "/?query=" + UrlEncode(insert), data);
}

core::Result<std::unique_ptr<ClickHouseStore>> ClickHouseStore::Open(ClickHouseOptions options) {
    if (!options.url.starts_with("http://") && !options.url.starts_with("https://"))
        return core::InvalidArgument("ClickHouse URL must start with http:// or https://", "observe.clickhouse_url");
    while (options.url.ends_with("/")) options.url.pop_back();
    if (options.table_prefix.empty() ||
        !std::all_of(options.table_prefix.begin(), options.table_prefix.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
        return core::InvalidArgument("table prefix must be letters, digits and '_'", "table_prefix");
    std::unique_ptr<ClickHouseStore> store(new ClickHouseStore(std::move(options)));
    const auto& c = store->client_;
    KZ_TRY(c.Query("CREATE TABLE IF NOT EXISTS " + store->Table("events") +
                   " (day Date, time_us Int64, sensor String, seq UInt64, protocol UInt8,"
                   " src FixedString(16), dst FixedString(16), src_port UInt16, dst_port UInt16, ip_length UInt16,"
                   " ip_version UInt8, tcp_flags UInt8, icmp_type UInt8, icmp_code UInt8, ttl UInt8, packets UInt32,"
                   " country FixedString(2))"
                   " ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY (day, protocol, dst_port)"));
    KZ_TRY(c.Query("CREATE TABLE IF NOT EXISTS " + store->Table("uptime") +
                   " (hour Int64, sensor String) ENGINE = ReplacingMergeTree ORDER BY (hour, sensor)"));
    KZ_TRY(c.Query("CREATE TABLE IF NOT EXISTS " + store->Table("batches") +
                   " (sensor String, seq UInt64) ENGINE = MergeTree ORDER BY (sensor, seq)"));
    return store;
}

core::Status ClickHouseStore::DropTables() {
    for (const char* t : {"events", "uptime", "batches"}) KZ_TRY(client_.Query("DROP TABLE IF EXISTS " + Table(t)));
    return core::Ok();
}

core::Result<std::uint64_t> ClickHouseStore::LastSequence(std::string_view sensor) const {
    KZ_ASSIGN(std::string body, client_.Query("SELECT max(seq) FROM " + Table("batches") + " WHERE sensor = " +
                                              detail::SqlString(sensor) + " FORMAT TabSeparated"));
    return std::strtoull(body.c_str(), nullptr, 10);
}

core::Result<std::uint64_t> ClickHouseStore::EventCount() const {
    KZ_ASSIGN(std::string body, client_.Query("SELECT count() FROM " + Table("events") + " FORMAT TabSeparated"));
    return std::strtoull(body.c_str(), nullptr, 10);
}

core::Status ClickHouseStore::InsertEvents(std::string_view rows_binary) const {
    return Discard(client_.Insert("INSERT INTO " + Table("events") + " FORMAT RowBinary", rows_binary));
}

namespace {
core::Status InsertUptime(const ClickHouseClient& c, const std::string& table,
                          const std::set<std::pair<std::int64_t, std::string>>& hours) {
    if (hours.empty()) return core::Ok();
    std::string tsv;
    for (const auto& [hour, sensor] : hours) tsv += std::to_string(hour) + "\t" + sensor + "\n";
    return Discard(c.Insert("INSERT INTO " + table + " FORMAT TabSeparated", tsv));
}
}  // namespace

core::Result<AppendOutcome> ClickHouseStore::AppendBatch(std::string_view sensor, std::uint64_t seq,
                                                         std::span<const ScanEvent> events,
                                                         std::span<const CountryCode> countries) {
    if (!ValidSensor(sensor)) return core::InvalidArgument("sensor name must be 1..64 of [A-Za-z0-9._-]", "sensor");
    if (seq == 0) return core::InvalidArgument("sequence numbers start at 1", "seq");
    if (countries.size() != events.size()) return core::InvalidArgument("one country per event", "countries");
    KZ_ASSIGN(std::uint64_t last, LastSequence(sensor));
    if (seq <= last) return AppendOutcome::kDuplicate;
    KZ_TRY(InsertBatch(sensor, seq, events, countries));
    return AppendOutcome::kStored;
}

core::Status ClickHouseStore::InsertBatch(std::string_view sensor, std::uint64_t seq, std::span<const ScanEvent> events,
                                          std::span<const CountryCode> countries) {
    if (!ValidSensor(sensor)) return core::InvalidArgument("sensor name must be 1..64 of [A-Za-z0-9._-]", "sensor");
    if (countries.size() != events.size()) return core::InvalidArgument("one country per event", "countries");
    std::string rows;
    rows.reserve(events.size() * 96);
    std::set<std::pair<std::int64_t, std::string>> hours;
    std::int64_t last_hour = INT64_MIN;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const std::int64_t t = events[i].time.micros_since_epoch;
        detail::PutRowBinary(rows, detail::FloorDiv(t, kDayMicros), events[i], sensor, seq, countries[i]);
        const std::int64_t hour = detail::FloorDiv(t, kBinMicros);
        if (hour != last_hour) hours.insert({hour, std::string(sensor)});
        last_hour = hour;
    }
    // One insert per batch: ClickHouse writes it as one part, so the batch is there entirely or not at all
    // (the watermark rule in the header depends on it).
    if (!rows.empty()) KZ_TRY(InsertEvents(rows));
    KZ_TRY(InsertUptime(client_, Table("uptime"), hours));
    return Discard(client_.Insert("INSERT INTO " + Table("batches") + " FORMAT TabSeparated",
                                  std::string(sensor) + "\t" + std::to_string(seq) + "\n"));
}

core::Result<std::map<std::string, std::uint64_t, std::less<>>> ClickHouseStore::Watermarks() const {
    KZ_ASSIGN(std::string body, client_.Query("SELECT sensor, max(seq) FROM (SELECT sensor, seq FROM " + Table("events") +
                                              " UNION ALL SELECT sensor, seq FROM " + Table("batches") +
                                              ") GROUP BY sensor FORMAT TabSeparated"));
    std::map<std::string, std::uint64_t, std::less<>> marks;
    for (const auto& f : detail::ParseTsv(body))
        if (f.size() >= 2) marks[std::string(f[0])] = std::strtoull(std::string(f[1]).c_str(), nullptr, 10);
    return marks;
}

core::Result<std::uint64_t> ClickHouseStore::CatchUp(const EventStore& store, std::string_view sensor,
                                                     std::mutex* barrier, const std::function<void()>& at_barrier) {
    if (!ValidSensor(sensor)) return core::InvalidArgument("sensor name must be 1..64 of [A-Za-z0-9._-]", "sensor");
    // ClickHouse's rows of this sensor per day: a prefix of the store's rows of that day in append order.
    KZ_ASSIGN(std::string body, client_.Query("SELECT toUInt16(day), count() FROM " + Table("events") +
                                              " WHERE sensor = " + detail::SqlString(sensor) +
                                              " GROUP BY day FORMAT TabSeparated"));
    std::unordered_map<std::int64_t, std::uint64_t> skip;  // day -> rows ClickHouse already has
    for (const auto& f : detail::ParseTsv(body))
        if (f.size() >= 2)
            skip[std::strtoll(std::string(f[0]).c_str(), nullptr, 10)] = std::strtoull(std::string(f[1]).c_str(), nullptr, 10);

    std::unique_lock<std::mutex> held;
    if (barrier != nullptr) held = std::unique_lock(*barrier);
    const std::uint64_t watermark = store.LastSequence(sensor);
    if (at_barrier) at_barrier();
    std::string rows;
    std::uint64_t copied = 0, pending = 0;
    core::Status failed = core::Ok();
    ScanFilter filter;
    filter.sensor = std::string(sensor);
    auto scanned = store.Scan(filter, [&](const EventColumns& c) {
        if (held.owns_lock()) held.unlock();  // the snapshot is taken: later batches come through the queue
        if (c.sensor != sensor || c.size == 0) return true;
        auto& day_skip = skip[detail::FloorDiv(c.time_micros[0], kDayMicros)];
        for (std::size_t i = 0; i < c.size; ++i) {
            if (day_skip > 0) {
                --day_skip;
                continue;
            }
            const ScanEvent e = c.Row(i);
            detail::PutRowBinary(rows, detail::FloorDiv(e.time.micros_since_epoch, kDayMicros), e, sensor, 0,
                                 c.country[i]);
            ++pending;
        }
        if (pending >= kInsertChunkRows) {
            failed = InsertEvents(rows);  // in scan order, so what arrives is again a prefix per day
            rows.clear();
            if (!failed.ok()) return false;
            copied += pending;
            pending = 0;
        }
        return true;
    });
    if (held.owns_lock()) held.unlock();
    KZ_TRY(failed);
    if (!scanned.ok()) return scanned.error();
    if (pending > 0) {
        KZ_TRY(InsertEvents(rows));
        copied += pending;
    }
    std::set<std::pair<std::int64_t, std::string>> hours;
    const TimeRange all{PacketTime{INT64_MIN}, PacketTime{INT64_MAX}};
    const auto sensors = store.Sensors();
    for (const ActiveBin& b : store.ActiveBins(all))
        if (b.sensor < sensors.size() && sensors[b.sensor] == sensor) hours.insert({b.hour / kBinMicros, std::string(sensor)});
    KZ_TRY(InsertUptime(client_, Table("uptime"), hours));
    if (watermark > 0)
        KZ_TRY(Discard(client_.Insert("INSERT INTO " + Table("batches") + " FORMAT TabSeparated",
                                      std::string(sensor) + "\t" + std::to_string(watermark) + "\n")));
    return copied;
}

core::Status ClickHouseStore::RecordUptime(std::string_view sensor, PacketTime from, PacketTime to) {
    if (!ValidSensor(sensor)) return core::InvalidArgument("sensor name must be 1..64 of [A-Za-z0-9._-]", "sensor");
    if (to <= from) return core::Ok();
    std::set<std::pair<std::int64_t, std::string>> hours;
    for (std::int64_t h = detail::FloorDiv(from.micros_since_epoch, kBinMicros);
         h * kBinMicros < to.micros_since_epoch; ++h)
        hours.insert({h, std::string(sensor)});
    return InsertUptime(client_, Table("uptime"), hours);
}

core::Result<std::uint64_t> ClickHouseStore::CopyFrom(const EventStore& store, TimeRange range) {
    std::string rows;
    std::uint64_t copied = 0, pending = 0;
    core::Status failed = core::Ok();
    ScanFilter filter;
    filter.range = range;
    KZ_TRY(store.Scan(filter, [&](const EventColumns& c) {
        for (std::size_t i = 0; i < c.size; ++i) {
            if (!filter.Matches(c, i)) continue;
            const ScanEvent e = c.Row(i);
            detail::PutRowBinary(rows, detail::FloorDiv(e.time.micros_since_epoch, kDayMicros), e, c.sensor, 0,
                                 c.country[i]);
            ++pending;
        }
        if (pending >= kInsertChunkRows) {
            failed = InsertEvents(rows);
            rows.clear();
            copied += pending;
            pending = 0;
            if (!failed.ok()) return false;
        }
        return true;
    }));
    KZ_TRY(failed);
    if (pending > 0) {
        KZ_TRY(InsertEvents(rows));
        copied += pending;
    }
    std::set<std::pair<std::int64_t, std::string>> hours;
    for (const ActiveBin& b : store.ActiveBins(range)) hours.insert({b.hour / kBinMicros, store.SensorName(b.sensor)});
    KZ_TRY(InsertUptime(client_, Table("uptime"), hours));
    return copied;
}

// ---- ClickHouseForwarder ----

struct ClickHouseForwarder::Impl {
    struct BatchItem {
        std::string sensor;
        std::uint64_t sequence;
        std::vector<ScanEvent> events;
    };
    struct UptimeItem {
        std::string sensor;
        PacketTime from, to;
    };
    using Item = std::variant<BatchItem, UptimeItem>;

    const EventStore& store;
    ForwarderOptions options;
    core::Logger& log;
    std::unique_ptr<GeoLookup> geo;  // forwarder thread only

    std::mutex order;  // StoreSink holds it across the store write and the notification

    mutable std::mutex mutex;  // guards everything below
    std::condition_variable changed;
    std::deque<Item> queue;
    std::uint64_t queued_events = 0;
    std::set<std::string, std::less<>> behind;  // sensors to catch up from the store
    bool busy = false;                          // the thread is working on something taken from the above
    bool stopping = false;
    Counters counters;
    std::atomic<bool> healthy{false};  // the last step succeeded

    std::thread thread;
    // Forwarder thread only.
    std::unique_ptr<ClickHouseStore> ch;
    std::map<std::string, std::uint64_t, std::less<>> watermarks;
    bool connected = false;    // watermarks read since the last failure
    bool initialised = false;  // sensors known to the store at the first connection were checked
    std::vector<CountryCode> countries;

    Impl(const EventStore& s, ForwarderOptions o, core::Logger& l) : store(s), options(std::move(o)), log(l) {}

    void Run();
    core::Result<bool> Step();
    core::Status Connect();
};

core::Status ClickHouseForwarder::Impl::Connect() {
    if (!ch) {
        KZ_ASSIGN(ch, ClickHouseStore::Open(options.clickhouse));
    }
    // Re-read after every failure: an insert whose answer was lost may have arrived.
    KZ_ASSIGN(watermarks, ch->Watermarks());
    if (!initialised) {
        // Whatever ClickHouse lacks of what the store held before this forwarder saw it is caught up.
        std::lock_guard hold(order);
        std::set<std::string, std::less<>> lagging;
        for (const auto& sensor : store.Sensors()) {
            const auto found = watermarks.find(sensor);
            if ((found == watermarks.end() ? 0 : found->second) < store.LastSequence(sensor)) lagging.insert(sensor);
        }
        {
            std::lock_guard lock(mutex);
            behind.insert(lagging.begin(), lagging.end());
            initialised = true;
        }
        changed.notify_all();  // WaitCaughtUp
    }
    return core::Ok();
}

core::Result<bool> ClickHouseForwarder::Impl::Step() {
    if (!connected) {
        KZ_TRY(Connect());
        connected = true;
    }
    std::string catch_up;
    Item item;
    {
        std::lock_guard lock(mutex);
        if (!behind.empty()) {
            catch_up = *behind.begin();
        } else if (!queue.empty()) {
            item = queue.front();  // a copy: it stays queued until ClickHouse took it
        } else {
            return false;
        }
        busy = true;
    }
    struct NotBusy {
        Impl& d;
        ~NotBusy() {
            {
                std::lock_guard lock(d.mutex);
                d.busy = false;
            }
            d.changed.notify_all();
        }
    } not_busy{*this};

    if (!catch_up.empty()) {
        auto copied = ch->CatchUp(store, catch_up, &order, [&] {
            // Under the order mutex, before the snapshot: every queued batch of the sensor is in it.
            std::lock_guard lock(mutex);
            std::erase_if(queue, [&](const Item& queued) {
                const auto* batch = std::get_if<BatchItem>(&queued);
                if (batch == nullptr || batch->sensor != catch_up) return false;
                queued_events -= batch->events.size();
                return true;
            });
            behind.erase(catch_up);
        });
        if (!copied.ok()) {
            std::lock_guard lock(mutex);
            behind.insert(catch_up);  // the queue past the barrier must wait for a complete catch-up
            return copied.error();
        }
        KZ_ASSIGN(watermarks, ch->Watermarks());
        std::lock_guard lock(mutex);
        counters.events_caught_up += *copied;
        log.Info("ClickHouse caught up from the event store", {{"sensor", catch_up}, {"events", *copied}});
        return true;
    }

    bool skipped = false;
    std::size_t events = 0;
    if (auto* batch = std::get_if<BatchItem>(&item)) {
        auto& mark = watermarks[batch->sensor];
        if (batch->sequence <= mark) {
            skipped = true;
        } else {
            countries.resize(batch->events.size());
            for (std::size_t i = 0; i < batch->events.size(); ++i) countries[i] = geo->Lookup(batch->events[i].source);
            KZ_TRY(ch->InsertBatch(batch->sensor, batch->sequence, batch->events, countries));
            mark = batch->sequence;
            events = batch->events.size();
        }
    } else {
        const auto& uptime = std::get<UptimeItem>(item);
        KZ_TRY(ch->RecordUptime(uptime.sensor, uptime.from, uptime.to));
    }
    std::lock_guard lock(mutex);
    // The head is still the item taken (only this thread removes items, and a catch-up runs here too).
    if (!queue.empty()) {
        if (auto* batch = std::get_if<BatchItem>(&queue.front())) queued_events -= batch->events.size();
        queue.pop_front();
    }
    if (skipped) {
        counters.batches_skipped++;
    } else if (std::holds_alternative<BatchItem>(item)) {
        counters.batches_forwarded++;
        counters.events_forwarded += events;
    }
    return true;
}

void ClickHouseForwarder::Impl::Run() {
    auto backoff = options.retry_min;
    bool failing = false;
    for (;;) {
        {
            std::lock_guard lock(mutex);
            if (stopping) return;
        }
        auto step = Step();
        if (!step.ok()) {
            {
                std::lock_guard lock(mutex);
                counters.failures++;
            }
            if (!failing)
                log.Warn("ClickHouse sink cannot forward; batches wait and are retried (the event store has them)",
                         {{"url", options.clickhouse.url}, {"error", step.error().ToString()}});
            failing = true;
            healthy = false;
            connected = false;  // re-read the watermarks before the next insert
            std::unique_lock lock(mutex);
            changed.wait_for(lock, backoff, [&] { return stopping; });
            backoff = std::min(backoff * 2, options.retry_max);
            continue;
        }
        if (failing) log.Info("ClickHouse sink forwarding again", {{"url", options.clickhouse.url}});
        healthy = true;
        failing = false;
        backoff = options.retry_min;
        if (!*step) {
            std::unique_lock lock(mutex);
            changed.wait_for(lock, std::chrono::seconds(1),
                             [&] { return stopping || !queue.empty() || !behind.empty(); });
        }
    }
}

core::Result<std::unique_ptr<ClickHouseForwarder>> ClickHouseForwarder::Start(const EventStore& store,
                                                                              ForwarderOptions options,
                                                                              core::Logger& log) {
    if (!options.clickhouse.url.starts_with("http://") && !options.clickhouse.url.starts_with("https://"))
        return core::InvalidArgument("ClickHouse URL must start with http:// or https://", "observe.clickhouse_url");
    auto impl = std::make_unique<Impl>(store, std::move(options), log);
    KZ_ASSIGN(impl->geo, GeoLookup::Open(impl->options.geo_database));
    std::unique_ptr<ClickHouseForwarder> forwarder(new ClickHouseForwarder(std::move(impl)));
    auto& d = *forwarder->impl_;
    d.thread = std::thread([&d] { d.Run(); });
    return forwarder;
}

ClickHouseForwarder::ClickHouseForwarder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClickHouseForwarder::~ClickHouseForwarder() { Stop(); }

std::mutex& ClickHouseForwarder::order_mutex() { return impl_->order; }

void ClickHouseForwarder::BatchStored(std::string_view sensor, std::uint64_t sequence, std::span<const ScanEvent> events) {
    auto& d = *impl_;
    {
        std::lock_guard lock(d.mutex);
        if (d.behind.contains(sensor)) return;  // the catch-up will read it from the store
        if (d.queued_events + events.size() > d.options.max_queued_events) {
            // Full: this batch and the rest of the sensor's are left to a catch-up from the store.
            d.behind.insert(std::string(sensor));
        } else {
            d.queued_events += events.size();
            d.queue.emplace_back(Impl::BatchItem{std::string(sensor), sequence, {events.begin(), events.end()}});
        }
    }
    d.changed.notify_all();
}

void ClickHouseForwarder::UptimeStored(std::string_view sensor, PacketTime from, PacketTime to) {
    auto& d = *impl_;
    {
        std::lock_guard lock(d.mutex);
        d.queue.emplace_back(Impl::UptimeItem{std::string(sensor), from, to});
    }
    d.changed.notify_all();
}

bool ClickHouseForwarder::WaitCaughtUp(std::chrono::milliseconds timeout) {
    auto& d = *impl_;
    std::unique_lock lock(d.mutex);
    return d.changed.wait_for(lock, timeout,
                              [&] { return d.initialised && d.queue.empty() && d.behind.empty() && !d.busy; });
}

void ClickHouseForwarder::Stop() {
    auto& d = *impl_;
    // A reachable ClickHouse gets what is queued (briefly), so the next start need not catch up from the store.
    if (d.healthy.load()) (void)WaitCaughtUp(std::chrono::seconds(10));
    {
        std::lock_guard lock(d.mutex);
        d.stopping = true;
    }
    d.changed.notify_all();
    if (d.thread.joinable()) d.thread.join();
}

ClickHouseForwarder::Counters ClickHouseForwarder::counters() const {
    std::lock_guard lock(impl_->mutex);
    auto counters = impl_->counters;
    counters.queued_events = impl_->queued_events;
    return counters;
}

}  // namespace kizuna::observe
