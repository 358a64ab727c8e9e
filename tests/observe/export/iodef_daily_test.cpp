// The daily IODEF job driven by a manual clock: it is scheduled for the next 00:15 UTC, does nothing before
// then, exports the previous UTC day's scans per country and queues each partner CSIRT's mail once (stamped
// with the injected clock's time), schedules the next day's run in the same transaction, and stays idle when
// nothing is configured. Real parts throughout: SQLite with the real migrations, the real scheduler, an
// event store with the real country database.
#include "observe/export/iodef_daily.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/auth.hpp"
#include "mail/mail.hpp"
#include "observe/trends/detection.hpp"
#include "sched/sched.hpp"
#include "support/fail_closed.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"
#include "vuln/vuln.hpp"

namespace kizuna::observe {
namespace {

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr std::int64_t kMinute = 60'000'000;
constexpr CountryCode kJapan{'J', 'P'};

std::string GeoDatabase() {
    const std::string path = std::string(KIZUNA_SOURCE_DIR) +
                             "/third_party/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/"
                             "geo-whois-asn-country.mmdb";
    return std::filesystem::exists(path) ? path : "";
}

IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, a, b, c, d};
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

class IodefDailyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto db = store::OpenSqlite({.path = dir_.File("center.db")});
        ASSERT_TRUE(db.ok()) << db.error().ToString();
        db_ = std::move(db).value();
        std::vector<store::Migration> all;
        for (const auto& m : auth::Migrations()) all.push_back(m);
        for (const auto& m : vuln::Migrations()) all.push_back(m);  // mail_queue
        for (const auto& m : sched::Migrations()) all.push_back(m);
        for (const auto& m : mail::Migrations()) all.push_back(m);
        for (const auto& m : TrendMigrations()) all.push_back(m);
        auto migrated = store::Migrate(*db_, all);
        ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
        scheduler_ = std::make_unique<sched::Scheduler>(*db_, clock_, log_);

        StoreOptions options;
        options.geo_database = GeoDatabase();
        if (options.geo_database.empty()) KIZUNA_MISSING_TOOL("country database missing") << ": run scripts/setup.sh";
        auto opened = EventStore::Open(dir_.File("observe"), options);
        ASSERT_TRUE(opened.ok()) << opened.error().ToString();
        store_ = std::move(opened).value();
        // 2026-11-21: three scans from a JPNIC address, one from elsewhere; 2026-11-22: one more from Japan.
        std::vector<ScanEvent> events;
        for (std::int64_t t : {kDay0 - 20 * 60 * kMinute, kDay0 - 10 * 60 * kMinute, kDay0 - kMinute}) {
            events.push_back(Scan(t, V4(133, 1, 2, 3), 23));
        }
        events.push_back(Scan(kDay0 - 5 * 60 * kMinute, V4(8, 8, 8, 8), 445));
        events.push_back(Scan(kDay0 + 60 * kMinute, V4(133, 1, 2, 4), 22));
        std::sort(events.begin(), events.end(), [](const ScanEvent& a, const ScanEvent& b) { return a.time < b.time; });
        auto appended = store_->AppendBatch("s1", 1, events);
        ASSERT_TRUE(appended.ok()) << appended.error().ToString();
        queries_ = MakeStoreQueries(*store_);

        // The day being observed: 2026-11-21 10:00 UTC.
        clock_.Set(core::FromUnixMicros(kDay0 - 14 * 60 * kMinute));
    }

    static ScanEvent Scan(std::int64_t micros, IpAddress source, std::uint16_t port) {
        ScanEvent e;
        e.time = PacketTime{micros};
        e.source = source;
        e.destination = V4(192, 0, 2, 1);
        e.protocol = Protocol::kTcp;
        e.source_port = 50000;
        e.destination_port = port;
        return e;
    }

    IodefQueriesOpener Opener() {
        return [this]() -> core::Result<std::shared_ptr<const ObservationQueries>> {
            ++opened_;
            return std::shared_ptr<const ObservationQueries>(queries_.get(), [](const ObservationQueries*) {});
        };
    }

    IodefDailySettings FileExport() const { return {{"kizuna.example", "", ""}, dir_.File("iodef"), {kJapan}}; }

    std::vector<sched::Job> PendingDaily() {
        auto pending = scheduler_->Pending();
        EXPECT_TRUE(pending.ok());
        std::vector<sched::Job> out;
        for (const auto& job : pending.value_or(std::vector<sched::Job>{}))
            if (job.kind == kIodefDailyJob) out.push_back(job);
        return out;
    }

    std::int64_t Count(const std::string& sql) {
        auto lease = db_->Acquire();
        EXPECT_TRUE(lease.ok());
        auto row = (*lease.value()).QueryOne(sql);
        EXPECT_TRUE(row.ok() && row->has_value());
        return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
    }

    std::string Text(const std::string& sql) {
        auto lease = db_->Acquire();
        EXPECT_TRUE(lease.ok());
        auto row = (*lease.value()).QueryOne(sql);
        EXPECT_TRUE(row.ok() && row->has_value());
        return row.ok() && row->has_value() ? (*row)->Text(0) : "";
    }

    testing::TempDir dir_;
    testing::ManualClock clock_;
    core::Logger log_{clock_, core::LogLevel::kDebug, dir_.File("center.log")};
    auth::AuditLog audit_{clock_};
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<sched::Scheduler> scheduler_;
    std::unique_ptr<EventStore> store_;
    std::unique_ptr<ObservationQueries> queries_;
    int opened_ = 0;
};

TEST_F(IodefDailyTest, RunsAt0015ExportingThePreviousDayAndSchedulesTheNext) {
    const IodefDailyJob job(FileExport(), Opener(), clock_);
    std::vector<IodefDailyRun> runs;
    job.Register(*scheduler_, [&](const IodefDailyRun& run) { runs.push_back(run); });

    ASSERT_TRUE(EnsureIodefDailyScheduled(*scheduler_, *db_, clock_).ok());
    ASSERT_TRUE(EnsureIodefDailyScheduled(*scheduler_, *db_, clock_).ok());  // a pending run is enough
    auto pending = PendingDaily();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(core::ToUnixMicros(pending[0].run_at), kDay0 + 15 * kMinute);  // 2026-11-22T00:15Z
    EXPECT_EQ(pending[0].payload, "2026-11-21");

    // 00:14 on the 22nd: not yet.
    clock_.Set(core::FromUnixMicros(kDay0 + 14 * kMinute));
    auto ran = scheduler_->RunDue();
    ASSERT_TRUE(ran.ok()) << ran.error().ToString();
    EXPECT_EQ(*ran, 0);
    EXPECT_EQ(opened_, 0);
    EXPECT_FALSE(std::filesystem::exists(dir_.File("iodef/2026-11-21/JP.xml")));

    // 00:15: the 21st is exported — Japan's three scans, not the other country's, not the 22nd's.
    clock_.Advance(std::chrono::minutes(1));
    ran = scheduler_->RunDue();
    ASSERT_TRUE(ran.ok()) << ran.error().ToString();
    EXPECT_EQ(*ran, 1);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].day, "2026-11-21");
    ASSERT_EQ(runs[0].files.size(), 1u);
    EXPECT_EQ(runs[0].files[0].events, 3u);
    EXPECT_EQ(runs[0].mails_queued, 0u);  // no partner registered
    const std::string xml = ReadFile(dir_.File("iodef/2026-11-21/JP.xml"));
    EXPECT_NE(xml.find("133.1.2.3"), std::string::npos);
    EXPECT_EQ(xml.find("133.1.2.4"), std::string::npos);
    EXPECT_EQ(xml.find("8.8.8.8"), std::string::npos);

    // The next day's run was scheduled with it.
    pending = PendingDaily();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(core::ToUnixMicros(pending[0].run_at), kDay0 + kDayMicros + 15 * kMinute);
    EXPECT_EQ(pending[0].payload, "2026-11-22");
    EXPECT_EQ(core::ToUnixMicros(runs[0].next_run), kDay0 + kDayMicros + 15 * kMinute);

    // Two days of downtime: the missed run catches up (the 22nd), and schedules the 23rd's run.
    clock_.Advance(std::chrono::days(2));
    ran = scheduler_->RunDue();
    ASSERT_TRUE(ran.ok()) << ran.error().ToString();
    EXPECT_GE(*ran, 1);
    ASSERT_GE(runs.size(), 2u);
    EXPECT_EQ(runs[1].day, "2026-11-22");
    ASSERT_EQ(runs[1].files.size(), 1u);
    EXPECT_EQ(runs[1].files[0].events, 1u);
    EXPECT_TRUE(std::filesystem::exists(dir_.File("iodef/2026-11-22/JP.xml")));
}

TEST_F(IodefDailyTest, QueuesEachPartnersMailOncePerDayAtTheInjectedClocksTime) {
    PartnerRegistry partners(*db_, clock_, audit_);
    auto added = partners.Add({"JPCERT/CC", "iodef@partner.example", "JP", ""}, "coord");
    ASSERT_TRUE(added.ok()) << added.error().ToString();
    // No file export configured: the partner alone makes the job run.
    const IodefDailySettings settings{{"kizuna.example", "", ""}, "", {}};
    {
        auto lease = db_->Acquire();
        ASSERT_TRUE(lease.ok());
        auto wanted = IodefDailyWanted(*lease.value(), settings);
        ASSERT_TRUE(wanted.ok());
        EXPECT_TRUE(*wanted);
    }
    const IodefDailyJob job(settings, Opener(), clock_);
    std::vector<IodefDailyRun> runs;
    job.Register(*scheduler_, [&](const IodefDailyRun& run) { runs.push_back(run); });
    ASSERT_TRUE(EnsureIodefDailyScheduled(*scheduler_, *db_, clock_).ok());

    clock_.Set(core::FromUnixMicros(kDay0 + 15 * kMinute + 7'000'000));  // 00:15:07
    auto ran = scheduler_->RunDue();
    ASSERT_TRUE(ran.ok()) << ran.error().ToString();
    ASSERT_EQ(runs.size(), 1u) << (PendingDaily().empty() ? "" : PendingDaily()[0].last_error);
    EXPECT_TRUE(runs[0].files.empty());
    ASSERT_EQ(runs[0].mailings.size(), 1u);
    EXPECT_EQ(runs[0].mails_queued, 1u);
    EXPECT_EQ(runs[0].mailings[0].events, 3u);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE to_address = 'iodef@partner.example'"), 1);
    EXPECT_EQ(Text("SELECT created_at FROM mail_queue"), "2026-11-22T00:15:07Z");
    EXPECT_EQ(Text("SELECT queued_at FROM observe_partner_deliveries WHERE day = '2026-11-21'"), "2026-11-22T00:15:07Z");
    EXPECT_EQ(Text("SELECT filename FROM mail_queue_attachments"), "JP-2026-11-21.xml");

    // A rerun of the same day (a catch-up, a second runner) mails nobody twice.
    auto rerun = db_->InTransaction<IodefDailyRun>([&](store::Connection& c) {
        sched::Job same;
        same.kind = std::string(kIodefDailyJob);
        same.payload = "2026-11-21";
        same.run_at = core::FromUnixMicros(kDay0 + 15 * kMinute);
        return job.Run(c, same);
    });
    ASSERT_TRUE(rerun.ok()) << rerun.error().ToString();
    ASSERT_EQ(rerun->mailings.size(), 1u);
    EXPECT_TRUE(rerun->mailings[0].already_queued);
    EXPECT_EQ(rerun->mails_queued, 0u);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue"), 1);
}

TEST_F(IodefDailyTest, IdleWhenNothingIsConfigured) {
    const IodefDailySettings none{{"kizuna.example", "", ""}, "", {}};
    {
        auto lease = db_->Acquire();
        ASSERT_TRUE(lease.ok());
        auto wanted = IodefDailyWanted(*lease.value(), none);
        ASSERT_TRUE(wanted.ok());
        EXPECT_FALSE(*wanted);
    }
    // A run left pending from an earlier configuration completes as a no-op and schedules nothing.
    const IodefDailyJob job(none, Opener(), clock_);
    std::vector<IodefDailyRun> runs;
    job.Register(*scheduler_, [&](const IodefDailyRun& run) { runs.push_back(run); });
    ASSERT_TRUE(EnsureIodefDailyScheduled(*scheduler_, *db_, clock_).ok());
    clock_.Set(core::FromUnixMicros(kDay0 + kDayMicros));
    auto ran = scheduler_->RunDue();
    ASSERT_TRUE(ran.ok()) << ran.error().ToString();
    EXPECT_EQ(*ran, 1);
    EXPECT_TRUE(runs.empty());
    EXPECT_EQ(opened_, 0);
    EXPECT_TRUE(PendingDaily().empty());
    EXPECT_FALSE(std::filesystem::exists(dir_.File("iodef")));
}

}  // namespace
}  // namespace kizuna::observe
