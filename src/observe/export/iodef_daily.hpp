// The daily IODEF job (MISSION O5): at 00:15 UTC each day the scheduler runs job kind kIodefDailyJob, which
// exports the previous UTC day's scans (payload "YYYY-MM-DD") as one IODEF 2 file per configured country
// (ExportIodefDay, observe.iodef_export_dir / observe.iodef_partners) and queues the day's signed and
// encrypted mail to every partner CSIRT (QueuePartnerIodef, exactly once per partner and day), then schedules
// the next day's run — all inside the job's own transaction, so a crash, a rerun or a catch-up after downtime
// never mails a partner twice and never skips a day.
//
// Time comes from the injected clock only (when the first run is, when a mail was queued), so a test walks
// the job through days with a manual clock.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "observe/export/iodef_export.hpp"
#include "observe/export/partners.hpp"
#include "observe/storage/queries.hpp"
#include "sched/scheduler.hpp"
#include "store/store.hpp"

namespace kizuna::observe {

struct IodefDailySettings {
    IodefIssuer issuer;                  // IncidentID name of every document
    std::string export_dir;              // observe.iodef_export_dir; "" = no files
    std::vector<CountryCode> countries;  // observe.iodef_partners: one file per country; empty = no files
};

// Opens the observations a run reads (the ClickHouse backend, or a fresh read-only snapshot of the event
// store so a long-running server sees today's events). nullptr when nothing has been observed yet: the run
// then exports and mails nothing.
using IodefQueriesOpener = std::function<core::Result<std::shared_ptr<const ObservationQueries>>()>;

// What one run did, for the log.
struct IodefDailyRun {
    // Nothing configured and no partner registered: no files, no mail, and no next run (it is scheduled again
    // when the export is configured or a partner added).
    bool idle = false;
    std::string day;  // the exported UTC day, "YYYY-MM-DD"
    std::vector<IodefExportFile> files;
    std::vector<PartnerMailing> mailings;
    std::size_t mails_queued = 0;  // mailings new in this run (not already queued by an earlier one)
    core::WallTime next_run;       // the next day's run, scheduled in the same transaction
};

// Schedules the next run (the first 00:15 UTC after clock.Now(), exporting the day before) unless one is
// pending. Called at server start when the export is configured, and when a partner is added.
core::Status EnsureIodefDailyScheduled(sched::Scheduler& scheduler, store::Database& db, const core::Clock& clock);

// Whether a run has anything to do: the file export is configured or a partner CSIRT is registered.
core::Result<bool> IodefDailyWanted(store::Connection& c, const IodefDailySettings& settings);

class IodefDailyJob {
  public:
    // `clock` must outlive the job; `open_queries` is called once per run that has something to do.
    IodefDailyJob(IodefDailySettings settings, IodefQueriesOpener open_queries, const core::Clock& clock)
        : settings_(std::move(settings)), open_queries_(std::move(open_queries)), clock_(clock) {}

    // The scheduler handler's body: runs job.payload's day on `c` (REQUIRES: inside the job's write
    // transaction) and, unless idle, schedules the next day's run at job.run_at + 1 day.
    core::Result<IodefDailyRun> Run(store::Connection& c, const sched::Job& job) const;

    // Registers Run as the handler of kIodefDailyJob; `done` (may be empty) hears of every run that was not
    // idle (before its transaction commits). Registered even when nothing is configured, so a pending run left
    // from an earlier configuration completes as a no-op instead of waiting for ever. The handler holds a
    // copy of the job; the clock and whatever open_queries refers to must outlive the scheduler's thread.
    void Register(sched::Scheduler& scheduler, std::function<void(const IodefDailyRun&)> done) const;

    const IodefDailySettings& settings() const { return settings_; }

  private:
    IodefDailySettings settings_;
    IodefQueriesOpener open_queries_;
    const core::Clock& clock_;
};

}  // namespace kizuna::observe
