// The observation pages through the whole site: public graphs (ja/en, escaped, cached), one port's graph,
// trends with coordinators' notes whose case links follow the access policy, and the coordinators-only
// sensor status page (404 for everyone else).
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

using observe::Protocol;

constexpr std::int64_t kDay = observe::kDayMicros;

std::size_t Count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

// A small in-memory answer set standing in for a store: twelve TCP/UDP ports with fixed daily levels,
// one of which (TCP 37215) starts 20 days before "today"; countries including a hostile code; ICMP echo.
class FixedQueries : public observe::ObservationQueries {
  public:
    explicit FixedQueries(std::int64_t today) : today_(today) {}

    mutable int port_daily_calls = 0;

    double Level(Protocol p, std::uint16_t port, std::int64_t day) const {
        if (p == Protocol::kTcp && port == 37215) return day >= today_ - 20 * kDay ? 900 : 0;  // today excluded
        if (p == Protocol::kIcmp) return 50;
        auto it = levels_.find(port);
        return it == levels_.end() ? 0 : it->second;
    }

    core::Result<std::vector<observe::PortRow>> TopPorts(const observe::TopPortsQuery& q) const override {
        std::vector<observe::PortRow> rows;
        for (const auto& [port, level] : levels_)
            rows.push_back({port == 1434 ? Protocol::kUdp : Protocol::kTcp, port, static_cast<std::uint64_t>(level * 3), level});
        rows.push_back({Protocol::kTcp, 37215, 9000, 300});
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.per_sensor > b.per_sensor; });
        if (q.limit && rows.size() > q.limit) rows.resize(q.limit);
        return rows;
    }
    core::Result<std::vector<observe::DailyPoint>> PortDaily(Protocol p, std::uint16_t port,
                                                             observe::TimeRange range) const override {
        ++port_daily_calls;
        std::vector<observe::DailyPoint> out;
        for (std::int64_t d = range.from.micros_since_epoch; d < range.to.micros_since_epoch; d += kDay) {
            const double level = Level(p, port, d);
            out.push_back({d, static_cast<std::uint64_t>(level * 3), 3, level});
        }
        return out;
    }
    core::Result<std::vector<observe::CountryRow>> Countries(observe::TimeRange, std::size_t) const override {
        return std::vector<observe::CountryRow>{{{'J', 'P'}, 5000, 1666.7}, {{'<', '>'}, 10, 3.3}, {{'Z', 'Z'}, 3, 1}};
    }
    core::Result<std::vector<observe::IcmpRow>> Icmp(observe::TimeRange, std::size_t) const override {
        return std::vector<observe::IcmpRow>{{Protocol::kIcmp, 8, 0, 4500, 1500}};
    }
    core::Result<std::vector<observe::ActivityRow>> ActiveSensors(observe::TimeRange, std::int64_t) const override {
        return std::vector<observe::ActivityRow>{};
    }
    core::Result<std::vector<observe::RawEventRow>> EventsFromCountry(observe::CountryCode, observe::PacketTime,
                                                                      std::size_t) const override {
        return std::vector<observe::RawEventRow>{};
    }

  private:
    std::int64_t today_;
    std::map<std::uint16_t, double> levels_{{445, 1000}, {135, 800}, {139, 700}, {22, 650}, {23, 600}, {80, 500},
                                            {1434, 400}, {3389, 350}, {5900, 200}, {2967, 150}, {8080, 100}};
};

// Unique sources/targets: TCP 37215 is a campaign (hundreds of sources since it started), every other port a
// steady handful.
class FixedDistinct : public observe::DistinctCounts {
  public:
    explicit FixedDistinct(const FixedQueries& q) : q_(q) {}
    core::Result<std::map<observe::PortKey, std::vector<observe::UniqueDay>>> Daily(
        const std::vector<observe::PortKey>& ports, observe::TimeRange range) const override {
        std::map<observe::PortKey, std::vector<observe::UniqueDay>> out;
        for (const auto& p : ports) {
            auto& days = out[p];
            for (std::int64_t d = range.from.micros_since_epoch; d < range.to.micros_since_epoch; d += kDay) {
                const double level = q_.Level(p.protocol, p.port, d);
                const bool campaign = p.port == 37215 && level > 0;
                days.push_back({d, level == 0 ? 0u : campaign ? 731u : 5u, level == 0 ? 0u : 4u});
            }
        }
        return out;
    }

  private:
    const FixedQueries& q_;
};

class ObservePagesTest : public SiteFixture {
  protected:
    void SetUp() override {
        clock_.Set(core::WallTime(std::chrono::sys_days{std::chrono::year{2026} / 11 / 22}) + std::chrono::hours(5));
        const std::int64_t now = core::ToUnixMicros(clock_.Now());
        queries_ = std::make_unique<FixedQueries>(now - now % kDay);
        SiteFixture::SetUp();
    }
    void Customize(SiteServices& s) override {
        notes_ = std::make_unique<observe::PortNotes>(*db_, clock_, audit_);
        partners_ = std::make_unique<observe::PartnerRegistry>(*db_, clock_, audit_);
        distinct_ = std::make_unique<FixedDistinct>(*queries_);
        s.observe_partners = partners_.get();
        s.observe_queries = queries_.get();
        s.port_notes = notes_.get();
        s.sensor_status = [this]() -> core::Result<std::vector<observe::SensorStatus>> { return sensors_; };
    }

    http::Response Get(const std::string& target, const std::string& who = "") { return Call("GET", target, who); }

    http::Response PostForm(const std::string& target, const std::string& who, const std::string& body) {
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        auto req = http::Request::Make("POST", target, headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = "192.0.2.1";
        return handler_(*req);
    }

    std::unique_ptr<FixedQueries> queries_;
    std::unique_ptr<observe::PortNotes> notes_;
    std::unique_ptr<observe::PartnerRegistry> partners_;
    std::unique_ptr<FixedDistinct> distinct_;
    std::vector<observe::SensorStatus> sensors_;
};

// Sites built with unique counts (the production wiring): trends and port pages show them.
class ObservePagesUniqueTest : public ObservePagesTest {
  protected:
    void Customize(SiteServices& s) override {
        ObservePagesTest::Customize(s);
        s.observe_distinct = distinct_.get();
    }
};

TEST_F(ObservePagesUniqueTest, TrendsAndPortPagesShowUniqueSourcesAndTargetsButNoSensorAddress) {
    auto trends = Get("/observe/trends?lang=en");
    ASSERT_EQ(trends.status, 200);
    EXPECT_NE(trends.body.find("TCP 37215"), std::string::npos);
    EXPECT_NE(trends.body.find("<td data-testid=\"sources\">731</td><td data-testid=\"targets\">4</td>"),
              std::string::npos) << trends.body;
    EXPECT_NE(trends.body.find("DShield score"), std::string::npos);
    auto port = Get("/observe/ports/tcp/37215?lang=en");
    ASSERT_EQ(port.status, 200);
    EXPECT_NE(port.body.find("data-testid=\"chart-unique\""), std::string::npos);
    EXPECT_NE(port.body.find("data-testid=\"latest-sources\">731<"), std::string::npos);
    EXPECT_NE(port.body.find("data-testid=\"latest-targets\">4<"), std::string::npos);
    EXPECT_NE(port.body.find("data-testid=\"trend-state\">"), std::string::npos);
    // Counts only: no address of any kind on the public pages.
    for (const auto* body : {&trends.body, &port.body}) {
        EXPECT_EQ(body->find("192.0.2."), std::string::npos);
        EXPECT_EQ(body->find("198.51.100."), std::string::npos);
    }
}

TEST_F(ObservePagesTest, PartnerTableIsForCoordinatorsOnlyAndChangesAreAudited) {
    // Hidden from everyone but coordinators (and admins): 404, never 403.
    // A partner CSIRT's own account (role partner) does not see the table of partners either.
    AddUser("partner", auth::Role::kPartner);
    EXPECT_EQ(Get("/observe/partners").status, 404);
    for (const char* who : {"vendor", "reporter", "partner"}) {
        EXPECT_EQ(Get("/observe/partners", who).status, 404) << who;
        EXPECT_EQ(PostForm("/observe/partners", who, "name=X&email=x%40y.example&countries=KR").status, 404) << who;
        EXPECT_EQ(PostForm("/observe/partners/1/key", who, "key=x").status, 404) << who;
        EXPECT_EQ(PostForm("/observe/partners/1/remove", who, "").status, 404) << who;
    }
    EXPECT_EQ(PostForm("/observe/partners", "", "name=X&email=x%40y.example&countries=KR").status, 404);
    EXPECT_TRUE(partners_->List()->empty());
    EXPECT_EQ(auth::Authorize(nullptr, auth::Action::kView, {auth::ResourceKind::kObservePartner}).denial,
              auth::Denial::kHidden);

    auto empty = Get("/observe/partners?lang=en", "coord");
    ASSERT_EQ(empty.status, 200);
    EXPECT_NE(empty.body.find("No partner CSIRTs yet"), std::string::npos);
    // Bad input is answered on the page, naming the field; nothing is stored.
    auto bad = PostForm("/observe/partners?lang=en", "coord", "name=X&email=nope&countries=KR");
    EXPECT_EQ(bad.status, 400);
    // The error beside the field, in the viewer's words (form_errors), and what was typed kept.
    EXPECT_NE(bad.body.find("data-testid=\"error-email\">Enter an e-mail address.<"), std::string::npos) << bad.body;
    EXPECT_EQ(bad.body.find("not a mail address"), std::string::npos);
    EXPECT_NE(bad.body.find("value=\"nope\""), std::string::npos);
    auto bad_ja = PostForm("/observe/partners?lang=ja", "coord", "name=X&email=nope&countries=KR");
    EXPECT_NE(bad_ja.body.find("data-testid=\"error-email\">メールアドレスを入力してください。<"), std::string::npos);
    EXPECT_TRUE(partners_->List()->empty());
    // Added (escaped on output), audited with the coordinator's name.
    auto added = PostForm("/observe/partners", "coord",
                          "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E+CERT&email=cert%40partner.example&countries=KR%2C+jp");
    EXPECT_EQ(added.status, 303);
    auto list = partners_->List();
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].countries.size(), 2u);
    auto page = Get("/observe/partners", "coord");
    EXPECT_EQ(page.body.find("<script>alert(1)"), std::string::npos);
    EXPECT_NE(page.body.find("&lt;script&gt;alert(1)"), std::string::npos);
    EXPECT_NE(page.body.find("cert@partner.example"), std::string::npos);
    // A session's form needs its CSRF token.
    auto session = sessions_->Login("coord", "long-enough-password", "192.0.2.1");
    ASSERT_TRUE(session.ok());
    http::HeaderList headers{{"Cookie", "kz_session=" + session->token},
                             {"Content-Type", "application/x-www-form-urlencoded"}};
    const std::string remove = "/observe/partners/" + std::to_string((*list)[0].id) + "/remove";
    auto no_token = http::Request::Make("POST", remove, headers, "");
    ASSERT_TRUE(no_token.ok());
    EXPECT_EQ(handler_(*no_token).status, 403);
    EXPECT_EQ(partners_->List()->size(), 1u);
    auto with_token = http::Request::Make("POST", remove, headers, "csrf=" + session->csrf_token);
    ASSERT_TRUE(with_token.ok());
    EXPECT_EQ(handler_(*with_token).status, 303);
    EXPECT_TRUE(partners_->List()->empty());
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    auto audited = (*lease)->Query("SELECT actor, action FROM audit_log WHERE action LIKE 'observe.partner_%' ORDER BY seq");
    ASSERT_TRUE(audited.ok());
    ASSERT_EQ(audited->size(), 2u);
    EXPECT_EQ((*audited)[0].Text(0), "coord");
    EXPECT_EQ((*audited)[0].Text(1), "observe.partner_add");
    EXPECT_EQ((*audited)[1].Text(1), "observe.partner_remove");
}

TEST_F(ObservePagesTest, PublicPageShowsQuarterAndYearTopPortChartsRegionsIcmpAndAttribution) {
    auto r = Get("/observe?lang=en");
    ASSERT_EQ(r.status, 200) << r.body;
    // Top 1–5 and 6–10, for the quarter and for the year; regions; ICMP.
    EXPECT_EQ(Count(r.body, "data-testid=\"chart-top\""), 4u);
    EXPECT_EQ(Count(r.body, "<svg xmlns="), 6u);
    EXPECT_NE(r.body.find("Destination ports, top 1–5 (2026-08-23 – 2026-11-21)"), std::string::npos);
    EXPECT_NE(r.body.find("Destination ports, top 6–10 (2025-11-22 – 2026-11-21)"), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/observe/ports/tcp/445\""), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/observe/ports/udp/1434\""), std::string::npos);
    EXPECT_NE(r.body.find(">TCP 445</text>"), std::string::npos);  // legend entry
    EXPECT_NE(r.body.find("ICMP 8/0"), std::string::npos);
    // Country attribution with its links (CC BY 4.0 data from the NRO).
    EXPECT_NE(r.body.find("IP geolocation by <a href=\"https://github.com/sapics/ip-location-db\""), std::string::npos);
    EXPECT_NE(r.body.find("(geo-whois-asn-country), data <a href=\"https://creativecommons.org/licenses/by/4.0/\""),
              std::string::npos);
    EXPECT_NE(r.body.find("https://www.nro.net/"), std::string::npos);
    // A hostile value from the data is escaped, in the chart and in the table.
    EXPECT_EQ(r.body.find("<>"), std::string::npos);
    EXPECT_NE(r.body.find("&lt;&gt;"), std::string::npos);
    EXPECT_EQ(r.body.find("<script"), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/observe\""), std::string::npos);  // navigation link

    auto ja = Get("/observe?lang=ja");
    ASSERT_EQ(ja.status, 200);
    EXPECT_NE(ja.body.find("アクセス先ポート別グラフ top1-5"), std::string::npos);
    EXPECT_NE(ja.body.find("IP アドレスの国・地域判定"), std::string::npos);
    EXPECT_EQ(ja.body.find("Destination ports, top 1–5"), std::string::npos);
}

TEST_F(ObservePagesTest, ChartsAreCachedForEveryViewerAndRefreshedAfterFiveMinutes) {
    ASSERT_EQ(Get("/observe?lang=en").status, 200);
    const int after_first = queries_->port_daily_calls;
    EXPECT_GT(after_first, 0);
    ASSERT_EQ(Get("/observe?lang=en").status, 200);
    auto logged_in = Get("/observe?lang=en", "coord");
    ASSERT_EQ(logged_in.status, 200);
    EXPECT_EQ(queries_->port_daily_calls, after_first);
    EXPECT_NE(logged_in.body.find("data-testid=\"who\""), std::string::npos);  // layout is per viewer
    clock_.Advance(std::chrono::minutes(6));
    ASSERT_EQ(Get("/observe?lang=en").status, 200);
    EXPECT_GT(queries_->port_daily_calls, after_first);
}

TEST_F(ObservePagesTest, PortPageShowsTheLongTermGraphAndRejectsBadParameters) {
    auto r = Get("/observe/ports/tcp/37215?lang=en");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("data-testid=\"chart-port\""), std::string::npos);
    EXPECT_NE(r.body.find("Destination port TCP 37215"), std::string::npos);
    EXPECT_NE(r.body.find("2025-11-22 – 2026-11-21"), std::string::npos);  // a year by default
    EXPECT_NE(r.body.find("data-testid=\"trend-state\">sustained<"), std::string::npos);
    EXPECT_EQ(r.body.find("<form method=\"post\" action=\"/observe/ports/tcp/37215/note\""), std::string::npos);

    auto ranged = Get("/observe/ports/udp/1434?lang=en&from=2024-01-01&to=2026-06-30");
    ASSERT_EQ(ranged.status, 200);
    EXPECT_NE(ranged.body.find("2024-01-01 – 2026-06-30"), std::string::npos);
    for (const char* bad : {"/observe/ports/xyz/80", "/observe/ports/tcp/65536", "/observe/ports/tcp/-1",
                            "/observe/ports/tcp/8o", "/observe/ports/tcp/80?from=2026-02-30",
                            "/observe/ports/tcp/80?from=2026-05-01&to=2026-04-01",
                            "/observe/ports/tcp/80?from=1990-01-01"})
        EXPECT_EQ(Get(bad).status, 404) << bad;
}

// Every href of `link_testid` links in a page, with the HTML escaping of "&" undone.
std::vector<std::string> Hrefs(const std::string& body, const std::string& testid) {
    std::vector<std::string> out;
    const std::string marker = "data-testid=\"" + testid + "\"";
    for (auto pos = body.find(marker); pos != std::string::npos; pos = body.find(marker, pos + 1)) {
        const auto start = body.rfind("href=\"", pos);
        if (start == std::string::npos) continue;
        const auto end = body.find('"', start + 6);
        std::string href = body.substr(start + 6, end - start - 6);
        for (auto amp = href.find("&amp;"); amp != std::string::npos; amp = href.find("&amp;", amp + 1))
            href.replace(amp, 5, "&");
        out.push_back(href);
    }
    return out;
}

TEST_F(ObservePagesTest, DateRangeFormsKeepTheirValuesNameTheZoneAndSelectThePeriod) {
    // Without a range: the quarter and the year, and the form shows the quarter (the period of regions/ICMP).
    auto plain = Get("/observe?lang=en");
    ASSERT_EQ(plain.status, 200) << plain.body;
    EXPECT_NE(plain.body.find("<form method=\"get\" action=\"/observe\" class=\"observe-range\""), std::string::npos);
    EXPECT_NE(plain.body.find("name=\"from\" value=\"2026-08-23\""), std::string::npos);
    EXPECT_NE(plain.body.find("name=\"to\" value=\"2026-11-21\""), std::string::npos);
    EXPECT_NE(plain.body.find("Dates are days in UTC"), std::string::npos);
    EXPECT_NE(plain.body.find(">From <input type=\"date\""), std::string::npos);

    // A chosen range: one period with that heading, regions and ICMP over it, the values kept in the form.
    auto ranged = Get("/observe?lang=en&from=2026-10-01&to=2026-10-31");
    ASSERT_EQ(ranged.status, 200) << ranged.body;
    EXPECT_NE(ranged.body.find("Selected period (2026-10-01 – 2026-10-31)"), std::string::npos);
    EXPECT_EQ(ranged.body.find("2025-11-22 – 2026-11-21"), std::string::npos);  // no year section
    EXPECT_EQ(Count(ranged.body, "data-testid=\"chart-top\""), 2u);
    EXPECT_EQ(Count(ranged.body, "(2026-10-01 – 2026-10-31)</h2>"), 3u);  // period, regions, ICMP
    EXPECT_NE(ranged.body.find("name=\"from\" value=\"2026-10-01\""), std::string::npos);
    EXPECT_NE(ranged.body.find("name=\"to\" value=\"2026-10-31\""), std::string::npos);
    EXPECT_NE(ranged.body.find("<text"), std::string::npos);
    // An empty form field means the default; malformed or reversed ranges do not exist.
    auto empty = Get("/observe?lang=en&from=&to=");
    ASSERT_EQ(empty.status, 200);
    EXPECT_NE(empty.body.find("2025-11-22 – 2026-11-21"), std::string::npos);
    for (const char* bad : {"/observe?from=2026-13-01", "/observe?from=2026-11-01&to=2026-10-01", "/observe?to=x",
                            "/observe?from=1990-01-01"})
        EXPECT_EQ(Get(bad).status, 404) << bad;

    // Japanese labels; the port page has the same form, pointing at itself, a year by default.
    auto ja = Get("/observe/ports/tcp/445?lang=ja");
    ASSERT_EQ(ja.status, 200);
    EXPECT_NE(ja.body.find("action=\"/observe/ports/tcp/445\" class=\"observe-range\""), std::string::npos);
    EXPECT_NE(ja.body.find("開始日 <input type=\"date\" name=\"from\" value=\"2025-11-22\""), std::string::npos);
    EXPECT_NE(ja.body.find("終了日（この日を含む） <input type=\"date\" name=\"to\" value=\"2026-11-21\""),
              std::string::npos);
    EXPECT_NE(ja.body.find("日付は UTC（協定世界時）の日です"), std::string::npos);
    EXPECT_NE(ja.body.find("name=\"lang\" value=\"ja\""), std::string::npos);
    EXPECT_EQ(ja.body.find("Dates are days in UTC"), std::string::npos);
    auto port = Get("/observe/ports/tcp/445?lang=en&from=2026-01-05&to=2026-02-10");
    ASSERT_EQ(port.status, 200);
    EXPECT_NE(port.body.find("name=\"from\" value=\"2026-01-05\""), std::string::npos);
    EXPECT_NE(port.body.find("name=\"to\" value=\"2026-02-10\""), std::string::npos);
    EXPECT_NE(port.body.find("2026-01-05 – 2026-02-10"), std::string::npos);
}

TEST_F(ObservePagesTest, EveryGraphLinksItsDataAsCsvWithTheNumbersItDraws) {
    auto page = Get("/observe?lang=en");
    ASSERT_EQ(page.status, 200);
    // Top 1–5 and 6–10 of the quarter and the year, regions, ICMP: six graphs, six links, each answering CSV.
    const auto links = Hrefs(page.body, "csv-link");
    ASSERT_EQ(links.size(), 6u) << page.body;
    EXPECT_EQ(links[0], "/observe/data.csv?chart=top1-5&from=2026-08-23&to=2026-11-21");
    for (const auto& href : links) {
        auto csv = Get(href + "&lang=en");
        ASSERT_EQ(csv.status, 200) << href;
        EXPECT_EQ(csv.Header("Content-Type"), "text/csv; charset=utf-8") << href;
        EXPECT_EQ(csv.Header("Content-Disposition").substr(0, 30), "attachment; filename=\"observe-") << href;
        EXPECT_GE(Count(csv.body, "\r\n"), 2u) << href << "\n" << csv.body;
    }

    // The numbers of the top 1–5 chart, day by day.
    auto top = Get("/observe/data.csv?lang=en&chart=top1-5&from=2026-11-19&to=2026-11-21");
    ASSERT_EQ(top.status, 200);
    EXPECT_EQ(top.Header("Content-Disposition"), "attachment; filename=\"observe-top1-5-2026-11-19-2026-11-21.csv\"");
    EXPECT_EQ(top.body,
              "date,TCP 445,TCP 135,TCP 139,TCP 22,TCP 23\r\n"
              "2026-11-19,1000,800,700,650,600\r\n"
              "2026-11-20,1000,800,700,650,600\r\n"
              "2026-11-21,1000,800,700,650,600\r\n");
    auto second = Get("/observe/data.csv?lang=en&chart=top6-10&from=2026-11-21&to=2026-11-21");
    ASSERT_EQ(second.status, 200);
    EXPECT_EQ(second.body, "date,TCP 80,UDP 1434,TCP 3389,TCP 37215,TCP 5900\r\n2026-11-21,500,400,350,900,200\r\n");
    // Regions: the hostile code is data, written as is in CSV (not HTML); the unknown country is named.
    auto regions = Get("/observe/data.csv?lang=en&chart=regions");
    ASSERT_EQ(regions.status, 200);
    EXPECT_EQ(regions.body.substr(0, regions.body.find("\r\n")), "Country / region,packets per sensor");
    EXPECT_NE(regions.body.find("\r\nJP,1666.7\r\n<>,3.3\r\n"), std::string::npos) << regions.body;
    EXPECT_EQ(Get("/observe/data.csv?lang=en&chart=icmp&from=2026-11-21&to=2026-11-21").body,
              "date,ICMP 8/0\r\n2026-11-21,50\r\n");

    // One port's graph, over the range of its page; Japanese headers with ?lang=ja.
    auto port = Get("/observe/ports/tcp/37215?lang=ja&from=2026-10-31&to=2026-11-03");
    ASSERT_EQ(port.status, 200);
    ASSERT_EQ(Hrefs(port.body, "csv-link"),
              std::vector<std::string>{"/observe/ports/tcp/37215/data.csv?from=2026-10-31&to=2026-11-03"});
    auto port_csv = Get("/observe/ports/tcp/37215/data.csv?from=2026-10-31&to=2026-11-03&lang=ja");
    ASSERT_EQ(port_csv.status, 200);
    EXPECT_EQ(port_csv.Header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(port_csv.Header("Content-Disposition"),
              "attachment; filename=\"observe-tcp-37215-2026-10-31-2026-11-03.csv\"");
    EXPECT_EQ(port_csv.body, "日付,TCP 37215\r\n2026-10-31,0\r\n2026-11-01,0\r\n2026-11-02,900\r\n2026-11-03,900\r\n");

    // Same access rule as the pages (public): anonymous and staff get the same data; bad requests are 404.
    for (const char* who : {"coord", "vendor", "admin"}) {
        EXPECT_EQ(Get("/observe/data.csv?lang=en&chart=top1-5&from=2026-11-19&to=2026-11-21", who).body, top.body) << who;
        EXPECT_EQ(Get("/observe/ports/tcp/37215/data.csv?from=2026-10-31&to=2026-11-03&lang=ja", who).body,
                  port_csv.body)
            << who;
    }
    for (const char* bad : {"/observe/data.csv", "/observe/data.csv?chart=secret", "/observe/data.csv?chart=icmp&from=x",
                            "/observe/ports/tcp/70000/data.csv", "/observe/ports/tcp/80/data.csv?to=2020-13-01",
                            "/observe/ports/tcp/80/unique.csv"})  // no unique counts in this site
        EXPECT_EQ(Get(bad).status, 404) << bad;
}

TEST_F(ObservePagesUniqueTest, UniqueCountsGraphLinksItsCsv) {
    auto page = Get("/observe/ports/tcp/37215?lang=en");
    ASSERT_EQ(page.status, 200);
    const auto links = Hrefs(page.body, "csv-link");
    ASSERT_EQ(links.size(), 2u);
    EXPECT_EQ(links[1], "/observe/ports/tcp/37215/unique.csv");
    for (const char* who : {"", "coord"}) {
        auto csv = Get("/observe/ports/tcp/37215/unique.csv?lang=en", who);
        ASSERT_EQ(csv.status, 200) << who;
        EXPECT_EQ(csv.Header("Content-Type"), "text/csv; charset=utf-8");
        EXPECT_EQ(csv.Header("Content-Disposition"), "attachment; filename=\"observe-tcp-37215-unique.csv\"");
        EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")), "date,Sources,Targets") << csv.body;
        EXPECT_NE(csv.body.find("\r\n2026-11-21,731,4\r\n"), std::string::npos) << csv.body;
    }
}

TEST_F(ObservePagesTest, SensorStatusIsForCoordinatorsOnlyAndHiddenFromEveryoneElse) {
    const std::int64_t now = core::ToUnixMicros(clock_.Now());
    observe::SensorStatus up;
    up.sensor = "tokyo-1";
    up.source = "kizuna-sensor";
    up.last_batch_micros = now - 10'000'000;
    up.last_heartbeat_micros = now - 5'000'000;
    up.lag_micros = 2'500'000;
    up.batches = 42;
    up.events = 4200;
    up.packets_dropped = 3;
    up.anomalies = {{"truncated_ipv4", 2}, {"bad_tcp_offset", 1}};
    observe::SensorStatus down;
    down.sensor = "osaka-<2>";
    down.source = "ipfix";
    down.last_batch_micros = now - 3600'000'000LL;
    down.lost = 7;
    sensors_ = {up, down};

    AddUser("partner", auth::Role::kPartner);
    for (const char* who : {"", "vendor", "reporter", "partner"}) {
        auto r = Get("/observe/sensors", who);
        EXPECT_EQ(r.status, 404) << who;  // not a login redirect: the page's existence is not disclosed
        EXPECT_EQ(r.body.find("tokyo-1"), std::string::npos);
    }
    // Only coordinators are shown the way to it.
    EXPECT_EQ(Get("/observe?lang=en", "vendor").body.find("href=\"/observe/sensors\""), std::string::npos);
    EXPECT_EQ(Get("/observe?lang=en").body.find("href=\"/observe/sensors\""), std::string::npos);
    EXPECT_NE(Get("/observe?lang=en", "coord").body.find("href=\"/observe/sensors\""), std::string::npos);
    for (const char* who : {"coord", "admin"}) {
        auto r = Get("/observe/sensors?lang=en", who);
        ASSERT_EQ(r.status, 200) << who;
        EXPECT_NE(r.body.find("data-testid=\"sensor-tokyo-1\""), std::string::npos);
        EXPECT_NE(r.body.find(">up<"), std::string::npos);
        EXPECT_NE(r.body.find(">down<"), std::string::npos);
        EXPECT_NE(r.body.find(">2.5<"), std::string::npos);  // lag in seconds
        EXPECT_NE(r.body.find(">3<"), std::string::npos);    // anomalies total
        EXPECT_NE(r.body.find("title=\"bad_tcp_offset: 1, truncated_ipv4: 2\""), std::string::npos);
        EXPECT_NE(r.body.find(">7<"), std::string::npos);  // IPFIX loss counts as dropped
        EXPECT_NE(r.body.find("osaka-&lt;2&gt;"), std::string::npos);
    }
}

TEST_F(ObservePagesTest, PolicyForTheNewResourceKinds) {
    const auth::Principal coord{auth::UserId{1}, "c", "c", auth::Role::kCoordinator, false};
    const auth::Principal vendor{auth::UserId{2}, "v", "v", auth::Role::kVendor, false};
    const auth::Principal sensor{auth::UserId{3}, "s", "s", auth::Role::kSensor, false};
    using auth::Action;
    using auth::Authorize;
    using auth::Denial;
    EXPECT_TRUE(Authorize(&coord, Action::kView, {auth::ResourceKind::kSensorStatus}));
    EXPECT_EQ(Authorize(nullptr, Action::kView, {auth::ResourceKind::kSensorStatus}).denial, Denial::kHidden);
    EXPECT_EQ(Authorize(&vendor, Action::kView, {auth::ResourceKind::kSensorStatus}).denial, Denial::kHidden);
    EXPECT_EQ(Authorize(&sensor, Action::kView, {auth::ResourceKind::kSensorStatus}).denial, Denial::kHidden);
    EXPECT_FALSE(Authorize(&coord, Action::kUpdate, {auth::ResourceKind::kSensorStatus}));
    EXPECT_TRUE(Authorize(nullptr, Action::kView, {auth::ResourceKind::kPortNote}));
    EXPECT_TRUE(Authorize(&coord, Action::kUpdate, {auth::ResourceKind::kPortNote}));
    EXPECT_EQ(Authorize(&vendor, Action::kUpdate, {auth::ResourceKind::kPortNote}).denial, Denial::kHidden);
    EXPECT_EQ(Authorize(nullptr, Action::kUpdate, {auth::ResourceKind::kPortNote}).denial, Denial::kHidden);
}

TEST_F(ObservePagesTest, TrendsListTheOnsetWithTheNoteAndCaseLinksOnlyForThoseAllowed) {
    // An embargoed case the vendor account does not take part in.
    auth::Principal finder = AddUser("finder", auth::Role::kReporter);
    vuln::NewCase n;
    n.title = "HG532 RCE";
    n.summary = "remote code execution";
    n.details = "details";
    auto receipt = cases_->Submit(n, vuln::Caller{&finder, std::nullopt});
    ASSERT_TRUE(receipt.ok());
    const std::string case_id = std::to_string(receipt->id.value());

    // Only coordinators may write notes; vendors and anonymous callers learn nothing (404).
    EXPECT_EQ(PostForm("/observe/ports/tcp/37215/note", "vendor", "note=x&case_ids=1").status, 404);
    EXPECT_EQ(PostForm("/observe/ports/tcp/37215/note", "", "note=x").status, 404);
    EXPECT_EQ(PostForm("/observe/ports/tcp/37215/note", "coord", "note=x&case_ids=abc").status, 400);
    EXPECT_EQ(PostForm("/observe/ports/tcp/37215/note", "coord", "note=x&case_ids=0").status, 400);
    auto saved = PostForm("/observe/ports/tcp/37215/note", "coord",
                          "note=Huawei+HG532+%3Cb%3Eupnp%3C%2Fb%3E&case_ids=" + case_id);
    ASSERT_EQ(saved.status, 303) << saved.body;
    EXPECT_EQ(saved.Header("Location"), "/observe/ports/tcp/37215");

    auto anonymous = Get("/observe/trends?lang=en");
    ASSERT_EQ(anonymous.status, 200) << anonymous.body;
    EXPECT_NE(anonymous.body.find("href=\"/observe/ports/tcp/37215\""), std::string::npos);
    EXPECT_NE(anonymous.body.find("class=\"trend-sustained\""), std::string::npos);
    EXPECT_NE(anonymous.body.find("first observed"), std::string::npos);
    EXPECT_NE(anonymous.body.find("Huawei HG532 &lt;b&gt;upnp&lt;/b&gt;"), std::string::npos);
    EXPECT_EQ(anonymous.body.find("/cases/" + case_id), std::string::npos);
    EXPECT_EQ(anonymous.body.find(receipt->identifier), std::string::npos);
    // Steady ports are not listed.
    EXPECT_EQ(anonymous.body.find("href=\"/observe/ports/tcp/445\""), std::string::npos);

    auto vendor = Get("/observe/trends", "vendor");
    ASSERT_EQ(vendor.status, 200);
    EXPECT_EQ(vendor.body.find("/cases/" + case_id), std::string::npos);
    for (const char* who : {"coord", "finder"}) {
        auto allowed = Get("/observe/trends", who);
        ASSERT_EQ(allowed.status, 200);
        EXPECT_NE(allowed.body.find("href=\"/cases/" + case_id + "\""), std::string::npos) << who;
    }
    auto port = Get("/observe/ports/tcp/37215?lang=en", "coord");
    ASSERT_EQ(port.status, 200);
    EXPECT_NE(port.body.find("data-testid=\"port-note\">Huawei HG532 &lt;b&gt;upnp&lt;/b&gt;<"), std::string::npos);
    EXPECT_NE(port.body.find("data-testid=\"case-link\""), std::string::npos);

    // The change is in the audit log.
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    auto recent = auth::AuditLog::Recent(**lease, 50);
    ASSERT_TRUE(recent.ok());
    bool audited = false;
    for (const auto& e : *recent) audited |= e.entry.action == "observe.port_note" && e.entry.actor == "coord";
    EXPECT_TRUE(audited);
}

// Issue 12: viewing the trends writes no case.read_detail entry per linked case per view; O4: once the case
// is published, the trend links its published advisory for everyone (and not before).
TEST_F(ObservePagesTest, TrendsLinkThePublishedAdvisoryAndViewsAreNotAudited) {
    auth::Principal finder = AddUser("finder", auth::Role::kReporter);
    vuln::NewCase n;
    n.title = "HG532 RCE";
    n.summary = "remote code execution";
    n.details = "details";
    auto receipt = cases_->Submit(n, vuln::Caller{&finder, std::nullopt});
    ASSERT_TRUE(receipt.ok());
    const std::string case_id = std::to_string(receipt->id.value());
    ASSERT_EQ(PostForm("/observe/ports/tcp/37215/note", "coord", "note=HG532&case_ids=" + case_id).status, 303);
    auto saved = Call("PUT", "/api/v1/cases/" + case_id + "/advisory", "coord",
                      R"({"title": {"ja": "HG532 の脆弱性", "en": "HG532 vulnerability"},
                          "overview": {"ja": "概要", "en": "Overview"}})");
    ASSERT_EQ(saved.status, 200) << saved.body;
    const std::string slug = nlohmann::json::parse(saved.body)["slug"];

    auto audited = [&]() {
        auto lease = db_->Acquire();
        return *(*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'case.read_detail'");
    };
    const auto before = audited();
    for (int i = 0; i < 3; ++i) {
        auto r = Get("/observe/trends", "finder");  // the reporter may see the case's detail
        ASSERT_EQ(r.status, 200);
        EXPECT_NE(r.body.find("href=\"/cases/" + case_id + "\""), std::string::npos);
        EXPECT_EQ(r.body.find("advisory-link"), std::string::npos);  // not public yet
        ASSERT_EQ(Get("/observe/ports/tcp/37215", "finder").status, 200);
    }
    EXPECT_EQ(audited(), before);
    EXPECT_EQ(Get("/observe/trends").body.find("advisory-link"), std::string::npos);

    ASSERT_TRUE(db_->InTransaction([&](store::Connection& c) { return schedule_->Release(c, receipt->id); }).ok());
    for (const std::string who : {"", "vendor", "finder"}) {
        auto r = Get("/observe/trends", who);
        ASSERT_EQ(r.status, 200);
        EXPECT_NE(r.body.find("<a href=\"/advisories/" + slug + "\" data-testid=\"advisory-link\">"), std::string::npos)
            << who;
    }
    EXPECT_NE(Get("/observe/ports/tcp/37215").body.find("data-testid=\"advisory-link\""), std::string::npos);
    EXPECT_EQ(audited(), before);
}

TEST_F(ObservePagesTest, CoordinatorSessionGetsACsrfProtectedNoteForm) {
    auto session = sessions_->Login("coord", "long-enough-password", "192.0.2.1");
    ASSERT_TRUE(session.ok());
    http::HeaderList headers{{"Cookie", "kz_session=" + session->token}};
    auto req = http::Request::Make("GET", "/observe/ports/tcp/23", headers, "");
    ASSERT_TRUE(req.ok());
    auto page = handler_(*req);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("action=\"/observe/ports/tcp/23/note\""), std::string::npos);
    EXPECT_NE(page.body.find("name=\"csrf\""), std::string::npos);
    // A session POST without the token is refused.
    http::HeaderList post_headers{{"Cookie", "kz_session=" + session->token},
                                  {"Content-Type", "application/x-www-form-urlencoded"}};
    auto post = http::Request::Make("POST", "/observe/ports/tcp/23/note", post_headers, "note=telnet");
    ASSERT_TRUE(post.ok());
    EXPECT_EQ(handler_(*post).status, 403);
    EXPECT_FALSE(notes_->Get(Protocol::kTcp, 23)->has_value());
}

}  // namespace
}  // namespace kizuna::web
