#include "observe/export/iodef_export.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <span>

#include "observe/storage/segment_io.hpp"

namespace kizuna::observe {

namespace {

std::int64_t FloorDay(std::int64_t micros) {
    std::int64_t q = micros / kDayMicros;
    if (micros % kDayMicros < 0) --q;
    return q * kDayMicros;
}

core::Status WriteAtomically(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::path temp = path;
    temp += ".tmp";
    {
        KZ_ASSIGN(segment::Fd fd, segment::OpenFile(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC));
        auto data = std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        KZ_TRY(segment::WriteAt(fd, data, 0, temp));
        KZ_TRY(segment::SyncData(fd, temp));
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) return segment::FromErrno("rename", path, ec.value());
    KZ_TRY(segment::SyncDir(path.parent_path()));
    return core::Ok();
}

}  // namespace

core::Result<CountryCode> ParseCountryCode(std::string_view text, std::string_view field) {
    if (text.size() != 2 || !std::isalpha(static_cast<unsigned char>(text[0])) ||
        !std::isalpha(static_cast<unsigned char>(text[1]))) {
        return core::InvalidArgument("expected a two-letter country code such as JP, got '" +
                                         std::string(text.substr(0, 10)) + "'",
                                     std::string(field));
    }
    return CountryCode{static_cast<char>(std::toupper(static_cast<unsigned char>(text[0]))),
                       static_cast<char>(std::toupper(static_cast<unsigned char>(text[1])))};
}

core::Result<std::vector<CountryCode>> ParseCountryList(std::string_view text, std::string_view field) {
    std::vector<CountryCode> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
        if (item.empty()) continue;
        KZ_ASSIGN(CountryCode cc, ParseCountryCode(item, field));
        if (std::find(out.begin(), out.end(), cc) == out.end()) out.push_back(cc);
    }
    return out;
}

core::Result<IodefReport> BuildIodefReport(const ObservationQueries& queries, const IodefIssuer& issuer,
                                           CountryCode country, PacketTime day_start, std::string generated_at) {
    KZ_ASSIGN(auto events, queries.EventsFromCountry(country, day_start, 0));
    IodefReport report;
    report.issuer = issuer.issuer.empty() ? "kizuna" : issuer.issuer;
    report.contact_name = issuer.contact_name;
    report.contact_email = issuer.contact_email;
    report.country = country;
    report.day = day_start;
    report.generated_at = std::move(generated_at);
    report.events = std::move(events);
    return report;
}

core::Result<std::vector<IodefExportFile>> ExportIodefDay(const ObservationQueries& queries,
                                                           const IodefIssuer& issuer, const std::string& dir,
                                                           const std::vector<CountryCode>& countries,
                                                           PacketTime day_start) {
    if (dir.empty()) return core::InvalidArgument("no export directory", "observe.iodef_export_dir");
    day_start.micros_since_epoch = FloorDay(day_start.micros_since_epoch);
    const std::filesystem::path day_dir = std::filesystem::path(dir) / FormatDate(day_start);
    KZ_TRY(segment::CreateDirsDurably(day_dir));
    // The end of the day: the same for every rerun, so the bytes are too.
    const std::string generated_at =
        FormatTimestamp(PacketTime{day_start.micros_since_epoch + kDayMicros}).substr(0, 19) + "Z";
    std::vector<IodefExportFile> files;
    for (CountryCode cc : countries) {
        KZ_ASSIGN(IodefReport report, BuildIodefReport(queries, issuer, cc, day_start, generated_at));
        const std::filesystem::path path = day_dir / (std::string(cc.data(), 2) + ".xml");
        KZ_TRY(WriteAtomically(path, RenderIodef(report)));
        files.push_back({path.string(), cc, report.events.size()});
    }
    return files;
}

core::WallTime NextIodefDailyRun(core::WallTime now) {
    std::int64_t us = core::ToUnixMicros(now);
    std::int64_t run = FloorDay(us) + kIodefDailyDelayMicros;
    if (run <= us) run += kDayMicros;
    return core::FromUnixMicros(run);
}

PacketTime IodefDayForRun(core::WallTime run_at) {
    return PacketTime{FloorDay(core::ToUnixMicros(run_at)) - kDayMicros};
}

}  // namespace kizuna::observe
