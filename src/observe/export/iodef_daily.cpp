#include "observe/export/iodef_daily.hpp"

#include <chrono>

namespace kizuna::observe {

namespace {

core::Status ScheduleRun(store::Connection& c, core::WallTime run_at) {
    const std::string key(kIodefDailyJob);
    KZ_TRY(sched::Scheduler::Schedule(c, key, run_at, FormatDate(IodefDayForRun(run_at)), key));
    return core::Ok();
}

core::Result<bool> PartnersRegistered(store::Connection& c) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT count(*) FROM observe_partners"));
    return row && row->Int(0) > 0;
}

}  // namespace

core::Status EnsureIodefDailyScheduled(sched::Scheduler& scheduler, store::Database& db, const core::Clock& clock) {
    KZ_ASSIGN(auto pending, scheduler.Pending());
    for (const auto& job : pending)
        if (job.kind == kIodefDailyJob) return core::Ok();  // a run is pending (missed ones catch up at start)
    const core::WallTime next = NextIodefDailyRun(clock.Now());
    return db.InTransaction([&](store::Connection& c) -> core::Status { return ScheduleRun(c, next); });
}

core::Result<bool> IodefDailyWanted(store::Connection& c, const IodefDailySettings& settings) {
    if (!settings.export_dir.empty() && !settings.countries.empty()) return true;
    return PartnersRegistered(c);
}

core::Result<IodefDailyRun> IodefDailyJob::Run(store::Connection& c, const sched::Job& job) const {
    IodefDailyRun run;
    run.day = job.payload;
    const bool export_files = !settings_.export_dir.empty() && !settings_.countries.empty();
    KZ_ASSIGN(const bool mail, PartnersRegistered(c));
    if (!export_files && !mail) {
        run.idle = true;  // unconfigured: complete without scheduling another run
        return run;
    }
    KZ_ASSIGN(PacketTime day, ParseDateOrTime(job.payload, "payload"));
    KZ_ASSIGN(std::shared_ptr<const ObservationQueries> queries, open_queries_());
    if (queries) {
        if (export_files) {
            KZ_ASSIGN(run.files, ExportIodefDay(*queries, settings_.issuer, settings_.export_dir, settings_.countries, day));
        }
        // The partner CSIRTs' mail: queued in this job's transaction, once per (partner, day).
        if (mail) {
            KZ_ASSIGN(run.mailings, QueuePartnerIodef(c, *queries, settings_.issuer, day, clock_.Now()));
        }
    }
    for (const auto& m : run.mailings) run.mails_queued += m.already_queued ? 0 : 1;
    // The next day's run, committed together with this one's completion.
    run.next_run = job.run_at + std::chrono::days(1);
    KZ_TRY(ScheduleRun(c, run.next_run));
    return run;
}

void IodefDailyJob::Register(sched::Scheduler& scheduler, std::function<void(const IodefDailyRun&)> done) const {
    scheduler.Register(std::string(kIodefDailyJob),
                       [self = *this, done = std::move(done)](store::Connection& c, const sched::Job& job) -> core::Status {
                           KZ_ASSIGN(IodefDailyRun run, self.Run(c, job));
                           if (done && !run.idle) done(run);
                           return core::Ok();
                       });
}

}  // namespace kizuna::observe
