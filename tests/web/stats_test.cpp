// The statistics page (the chart renderer itself: observe_svg_chart_test.cpp): the page counts published
// advisories only (see advisory_access_test.cpp for the embargo side).
#include <gtest/gtest.h>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

class StatsPageTest : public SiteFixture {};

TEST_F(StatsPageTest, ChartsAndCsvOfRegisteredVendors) {
    auto v = vendors_->Create({"<b>Vendor</b>", "", vuln::RegistrationKind::kIndividual}, "t");
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", "p@example.jp", "", true}, "t").ok());
    ASSERT_TRUE(vendors_->Advance(*v, vuln::RegistrationState::kRegistered, "t", "").ok());
    auto page = Call("GET", "/stats?lang=en", "");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("data-testid=\"chart-vendors\""), std::string::npos);
    EXPECT_EQ(page.body.find("data-testid=\"chart-per-quarter\""), std::string::npos);  // nothing published
    EXPECT_NE(page.body.find("data-testid=\"stats-none\""), std::string::npos);
    auto csv = Call("GET", "/stats/vendors.csv", "");
    EXPECT_EQ(csv.Header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_NE(csv.body.find(",1,1\r\n"), std::string::npos) << csv.body;
}

}  // namespace
}  // namespace kizuna::web
