#include "observe/clickhouse.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>

#include "observe/clickhouse_internal.hpp"

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
    std::string rows;
    rows.reserve(events.size() * 96);
    std::set<std::pair<std::int64_t, std::string>> hours;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const std::int64_t t = events[i].time.micros_since_epoch;
        detail::PutRowBinary(rows, detail::FloorDiv(t, kDayMicros), events[i], sensor, seq, countries[i]);
        hours.insert({detail::FloorDiv(t, kBinMicros), std::string(sensor)});
    }
    if (!rows.empty()) KZ_TRY(InsertEvents(rows));
    KZ_TRY(InsertUptime(client_, Table("uptime"), hours));
    KZ_TRY(client_.Insert("INSERT INTO " + Table("batches") + " FORMAT TabSeparated",
                          std::string(sensor) + "\t" + std::to_string(seq) + "\n"));
    return AppendOutcome::kStored;
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

}  // namespace kizuna::observe
