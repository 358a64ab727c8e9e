#include "incident/incidents.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::incident {
namespace {

using namespace std::chrono;

class IncidentsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::move(store::OpenSqlite({.path = dir_.File("incident.db")})).value();
        auto migrated = store::Migrate(*db_, Migrations());
        ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
        // 2026-10-01 10:00 JST: the first day of 2026Q4 in the center's zone.
        clock_.Set(sys_days(2026y / October / 1) + hours(1));
        IncidentConfig config;
        config.response_hours[Category::kPhishing] = 4;
        service_ = std::make_unique<IncidentService>(*db_, clock_, config);
    }

    ReportReceipt Receive(std::string email, std::string subject, std::string body) {
        NewReport r;
        r.reporter_email = std::move(email);
        r.subject = std::move(subject);
        r.body = std::move(body);
        auto receipt = service_->Receive(r, "mail");
        EXPECT_TRUE(receipt.ok()) << receipt.error().ToString();
        return *receipt;
    }

    std::int64_t Int(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        return lease.value()->QueryInt(sql, params).value();
    }

    testing::TempDir dir_;
    std::unique_ptr<store::Database> db_;
    testing::ManualClock clock_;
    std::unique_ptr<IncidentService> service_;
};

TEST_F(IncidentsTest, AReportIsStoredWithItsIndicatorsTicketAndSuggestion) {
    auto receipt = Receive("soc@example.co.jp", "Scan from your network",
                           "Oct  1 09:00:01 gw kernel: SRC=198.51.100.7 DST=203.0.113.9 PROTO=TCP SPT=1 DPT=22\n"
                           "Oct  1 09:00:02 gw kernel: SRC=8.8.8.8 DST=203.0.113.9 PROTO=TCP SPT=1 DPT=23\n");
    EXPECT_EQ(receipt.ticket, "KZIR#2026-000001");
    EXPECT_EQ(receipt.suggestions.front().category(), Category::kScan);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM incident_indicators WHERE report_id = ? AND kind = 'ipv4'", {receipt.id.value()}), 3);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM incident_indicators WHERE kind = 'port'"), 2);
    EXPECT_EQ(Receive("a@example.com", "x", "y").ticket, "KZIR#2026-000002");
    NewReport empty;
    auto bad = service_->Receive(empty, "web");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field(), "body");
}

TEST_F(IncidentsTest, ReportsMergeIntoOneIncidentAndTheHistoryIsAppendOnly) {
    auto a = Receive("a@example.jp", "Phishing", "hxxps://bank-login[.]example[.]com/ please take down");
    auto b = Receive("b@example.com", "Same phishing", "https://bank-login.example.com/ again");
    auto incident = service_->FileAsIncident(a.id, Subcategory::kPhishingSite, std::nullopt, "coordinator");
    ASSERT_TRUE(incident.ok()) << incident.error().ToString();
    ASSERT_TRUE(service_->FileAsIncident(b.id, Subcategory::kPhishingSite, *incident, "coordinator").ok());
    EXPECT_EQ(Int("SELECT COUNT(*) FROM incident_reports WHERE incident_id = ?", {incident->value()}), 2);
    EXPECT_EQ(service_->FileAsIncident(a.id, Subcategory::kPhishingSite, std::nullopt, "coordinator").error().code(),
              core::ErrorCode::kFailedPrecondition);
    // SLA: the phishing category answers within 4 hours.
    auto lease = db_->Acquire();
    auto row = lease.value()->QueryOne("SELECT identifier, first_response_due, rsit FROM incidents WHERE id = ?",
                                         {incident->value()});
    ASSERT_TRUE(row.ok() && row->has_value());
    EXPECT_EQ((*row)->Text(0), "KZINC-2026-0001");
    EXPECT_EQ((*row)->Text(1), "2026-10-01T05:00:00Z");
    EXPECT_EQ((*row)->Text(2), "fraud/phishing");
    EXPECT_FALSE(lease.value()->Exec("UPDATE incident_history SET actor = 'someone else'").ok());
    EXPECT_FALSE(lease.value()->Exec("DELETE FROM incident_history").ok());
    ASSERT_FALSE(service_->SetState(*incident, IncidentState::kResolved, "", "coordinator").ok());
    ASSERT_TRUE(service_->SetState(*incident, IncidentState::kResolved, "site taken down", "coordinator").ok());
    EXPECT_EQ(Int("SELECT COUNT(*) FROM incident_history WHERE incident_id = ?", {incident->value()}), 3);
    auto c = Receive("c@example.jp", "late", "https://bank-login.example.com/");
    EXPECT_EQ(service_->FileAsIncident(c.id, Subcategory::kPhishingSite, *incident, "coordinator").error().code(),
              core::ErrorCode::kFailedPrecondition);
}

TEST_F(IncidentsTest, BulkRejectIsAllOrNothing) {
    auto a = Receive("spam@spam.example", "buy", "cheap pills");
    auto b = Receive("spam@spam.example", "buy", "cheap pills");
    auto c = Receive("x@example.jp", "question", "what are your office hours?");
    ASSERT_TRUE(service_->FileAsCorrespondence(c.id, "coordinator").ok());
    const ReportId mixed[] = {a.id, c.id};
    EXPECT_FALSE(service_->Reject(mixed, "spam", "coordinator").ok());
    EXPECT_EQ(Int("SELECT COUNT(*) FROM incident_reports WHERE state = 'rejected'"), 0);
    const ReportId spam[] = {a.id, b.id};
    ASSERT_TRUE(service_->Reject(spam, "spam", "coordinator").ok());
    EXPECT_EQ(Int("SELECT COUNT(*) FROM incident_reports WHERE state = 'rejected'"), 2);
}

TEST_F(IncidentsTest, QuarterStatsCountAsTheQuarterlyReportDoes) {
    // 2026-09-30 23:30 JST is still Q3; 2026-10-01 00:30 JST is Q4.
    clock_.Set(sys_days(2026y / September / 30) + hours(14) + minutes(30));
    auto q3 = Receive("a@example.jp", "scan", "SRC=198.51.100.1 DPT=80 PROTO=TCP\n");
    clock_.Set(sys_days(2026y / September / 30) + hours(15) + minutes(30));
    auto scan1 = Receive("a@example.jp", "scan", "Oct  1 00:00:01 fw: SRC=133.1.1.1 DST=203.0.113.1 PROTO=TCP DPT=80\n");
    auto scan2 = Receive("b@example.com", "scan", "Oct  1 00:00:02 fw: SRC=133.1.1.2 DST=203.0.113.1 PROTO=TCP DPT=80\n"
                                                  "Oct  1 00:00:03 fw: SRC=133.1.1.2 DST=203.0.113.1 PROTO=TCP DPT=22\n");
    auto phish = Receive("c@example.org", "phishing", "https://bank.example.net/login");
    Receive("d@example.jp", "question", "hello");
    for (const auto& r : {q3, scan1, scan2})
        ASSERT_TRUE(service_->FileAsIncident(r.id, Subcategory::kScan, std::nullopt, "coordinator").ok());
    auto phishing = service_->FileAsIncident(phish.id, Subcategory::kPhishingSite, std::nullopt, "coordinator");
    ASSERT_TRUE(phishing.ok());
    {
        auto lease = db_->Acquire();
        auto& c = **lease;
        ASSERT_TRUE(c.Exec("INSERT INTO incident_takedowns (incident_id, url, state, requested_at, down_at) VALUES"
                           " (?, 'https://bank.example.net/login', 'down', '2026-10-02T00:00:00Z', '2026-10-02T06:00:00Z'),"
                           " (?, 'https://bank.example.net/2', 'down', '2026-10-03T00:00:00Z', '2026-10-03T10:00:00Z')",
                           {phishing->value(), phishing->value()})
                        .ok());
        ASSERT_TRUE(c.Exec("INSERT INTO incident_notifications (incident_id, party_key, recipients, source, state,"
                           " created_at, sent_at) VALUES (?, 'mail:abuse@isp.example', 'abuse@isp.example', 'whois',"
                           " 'sent', '2026-10-02T00:00:00Z', '2026-10-02T00:10:00Z')",
                           {phishing->value()})
                        .ok());
    }
    auto stats = service_->Stats(2026, 4);
    ASSERT_TRUE(stats.ok()) << stats.error().ToString();
    EXPECT_EQ(stats->reports, 4);
    EXPECT_EQ(stats->by_category.size(), 7u);
    EXPECT_EQ(stats->by_category.at("scan"), 2);
    EXPECT_EQ(stats->by_category.at("phishing"), 1);
    EXPECT_EQ(stats->by_category.at("dos"), 0);
    EXPECT_EQ(stats->reporter_tlds.at("jp"), 2);
    EXPECT_EQ(stats->reporter_tlds.at("com"), 1);
    EXPECT_EQ(stats->reporter_tlds.at("org"), 1);
    EXPECT_EQ(stats->scan_ports.at("80"), 2);
    EXPECT_EQ(stats->scan_ports.at("22"), 1);
    EXPECT_EQ(stats->incident_addresses, 2);  // public addresses only (203.0.113.1 is documentation)
    EXPECT_EQ(stats->notifications, 1);
    ASSERT_TRUE(stats->median_takedown_hours);
    EXPECT_DOUBLE_EQ(*stats->median_takedown_hours, 8.0);
    auto q3stats = service_->Stats(2026, 3);
    ASSERT_TRUE(q3stats.ok());
    EXPECT_EQ(q3stats->reports, 1);
    EXPECT_FALSE(q3stats->median_takedown_hours);
    EXPECT_EQ(service_->Stats(2026, 5).error().field(), "quarter");
}

}  // namespace
}  // namespace kizuna::incident
