// Daily IODEF export per partner CSIRT (MISSION O5): one IODEF 2 document per configured country and UTC
// day, written to <dir>/<YYYY-MM-DD>/<CC>.xml. `kizuna observe iodef` and the export share BuildIodefReport,
// so a partner's file is byte-for-byte what the single-country command renders for the same generated_at.
// The scheduler job around it (kind kIodefDailyJob) is IodefDailyJob (iodef_daily.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "observe/export/iodef.hpp"
#include "observe/storage/queries.hpp"

namespace kizuna::observe {

inline constexpr std::string_view kIodefDailyJob = "observe.iodef_daily";
// The daily run starts this long after 00:00 UTC, so events of the previous day still in flight from
// sensors (spool, batching) have arrived.
inline constexpr std::int64_t kIodefDailyDelayMicros = 15LL * 60 * 1'000'000;

struct IodefIssuer {
    std::string issuer = "kizuna";
    std::string contact_name;
    std::string contact_email;
};

// "JP" / "jp" -> {'J','P'}; anything but two ASCII letters is an InvalidArgument naming `field`.
core::Result<CountryCode> ParseCountryCode(std::string_view text, std::string_view field);
// "JP, KR,TW" -> [JP, KR, TW] (order kept, duplicates dropped); "" -> []. Errors name `field`.
core::Result<std::vector<CountryCode>> ParseCountryList(std::string_view text, std::string_view field);

// The report of `country`'s events during the UTC day starting at day_start (shared by `observe iodef`
// and the export).
core::Result<IodefReport> BuildIodefReport(const ObservationQueries& queries, const IodefIssuer& issuer,
                                           CountryCode country, PacketTime day_start, std::string generated_at);

struct IodefExportFile {
    std::string path;
    CountryCode country = kUnknownCountry;
    std::size_t events = 0;
};

// Writes <dir>/<YYYY-MM-DD>/<CC>.xml for each country for the UTC day starting at day_start: temp file,
// fsync, rename, fsync of the directory. generated_at is the end of that day, so a rerun writes the same
// bytes (idempotent). A country without events gets a document without events.
core::Result<std::vector<IodefExportFile>> ExportIodefDay(const ObservationQueries& queries,
                                                           const IodefIssuer& issuer, const std::string& dir,
                                                           const std::vector<CountryCode>& countries,
                                                           PacketTime day_start);

// The first daily run time (00:15 UTC) strictly after `now`.
core::WallTime NextIodefDailyRun(core::WallTime now);
// The UTC day a run at `run_at` exports: the day before run_at's day (its start).
PacketTime IodefDayForRun(core::WallTime run_at);

}  // namespace kizuna::observe
