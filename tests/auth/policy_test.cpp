#include "auth/policy.hpp"

#include <gtest/gtest.h>

namespace kizuna::auth {
namespace {

Principal P(Role role, std::int64_t id = 10) { return Principal{UserId(id), "u", "u", role, false}; }

TEST(PolicyTest, TableOfDecisions) {
    const Principal admin = P(Role::kAdmin), coord = P(Role::kCoordinator), vendor = P(Role::kVendor),
                    reporter = P(Role::kReporter, 11), sensor = P(Role::kSensor), partner = P(Role::kPartner);
    Principal vendor_token = vendor, admin_token = admin;
    vendor_token.via_token = true;
    admin_token.via_token = true;
    struct Case {
        const Principal* who;
        Action action;
        Resource resource;
        bool allowed;
        Denial denial;
    } cases[] = {
        {nullptr, Action::kView, {ResourceKind::kPublicPage}, true, Denial::kNone},
        {nullptr, Action::kView, {ResourceKind::kDashboard}, false, Denial::kUnauthenticated},
        {&vendor, Action::kView, {ResourceKind::kDashboard}, false, Denial::kForbidden},
        {&coord, Action::kView, {ResourceKind::kDashboard}, true, Denial::kNone},
        {&coord, Action::kView, {ResourceKind::kMetrics}, true, Denial::kNone},
        {&reporter, Action::kView, {ResourceKind::kMetrics}, false, Denial::kForbidden},
        {&coord, Action::kCreate, {ResourceKind::kUser}, false, Denial::kForbidden},
        {&admin, Action::kCreate, {ResourceKind::kUser}, true, Denial::kNone},
        {&vendor, Action::kView, {ResourceKind::kUser, UserId(10)}, true, Denial::kNone},
        {&vendor, Action::kView, {ResourceKind::kUser, UserId(99)}, false, Denial::kForbidden},
        {&sensor, Action::kCreate, {ResourceKind::kApiToken, UserId(10)}, false, Denial::kForbidden},
        {&vendor, Action::kCreate, {ResourceKind::kApiToken, UserId(10)}, true, Denial::kNone},
        {&vendor_token, Action::kCreate, {ResourceKind::kApiToken, UserId(10)}, false, Denial::kForbidden},
        {&vendor_token, Action::kDelete, {ResourceKind::kApiToken, UserId(10)}, true, Denial::kNone},
        {&admin_token, Action::kCreate, {ResourceKind::kApiToken, UserId(99)}, true, Denial::kNone},
        {&vendor, Action::kDelete, {ResourceKind::kApiToken, UserId(99)}, false, Denial::kForbidden},
        // Embargoed case data: hidden (404) from the public and from vendors below the needed level.
        {nullptr, Action::kView, {ResourceKind::kCase}, false, Denial::kHidden},
        {&vendor, Action::kView, {ResourceKind::kCase, std::nullopt, Participation::kNone}, false, Denial::kHidden},
        {&vendor, Action::kView, {ResourceKind::kCase, std::nullopt, Participation::kSummary}, true, Denial::kNone},
        {&vendor, Action::kView, {ResourceKind::kCaseDetail, std::nullopt, Participation::kSummary}, false,
         Denial::kHidden},
        {&vendor, Action::kView, {ResourceKind::kCaseDetail, std::nullopt, Participation::kDetail}, true,
         Denial::kNone},
        {&vendor, Action::kUpdate, {ResourceKind::kCase, std::nullopt, Participation::kDetail}, false,
         Denial::kHidden},
        {&partner, Action::kView, {ResourceKind::kCaseDetail, std::nullopt, Participation::kDetail}, true,
         Denial::kNone},
        {&reporter, Action::kView, {ResourceKind::kCaseDetail, UserId(11)}, true, Denial::kNone},
        {&reporter, Action::kView, {ResourceKind::kCaseDetail, UserId(12)}, false, Denial::kHidden},
        {nullptr, Action::kView, {ResourceKind::kCase, std::nullopt, Participation::kNone, true}, true, Denial::kNone},
        {nullptr, Action::kView, {ResourceKind::kCaseDetail, std::nullopt, Participation::kNone, true}, false,
         Denial::kHidden},
        {nullptr, Action::kView, {ResourceKind::kAdvisory, std::nullopt, Participation::kNone, false}, false,
         Denial::kHidden},
        {&vendor, Action::kView, {ResourceKind::kAdvisory, std::nullopt, Participation::kDetail, false}, false,
         Denial::kHidden},
        {nullptr, Action::kView, {ResourceKind::kAdvisory, std::nullopt, Participation::kNone, true}, true,
         Denial::kNone},
        {&sensor, Action::kCreate, {ResourceKind::kSensorData}, true, Denial::kNone},
        {&vendor, Action::kCreate, {ResourceKind::kSensorData}, false, Denial::kForbidden},
    };
    int i = 0;
    for (const Case& c : cases) {
        Decision d = Authorize(c.who, c.action, c.resource);
        EXPECT_EQ(d.allowed, c.allowed) << "case " << i << ": " << d.reason;
        EXPECT_EQ(d.denial, c.denial) << "case " << i;
        ++i;
    }
}

TEST(PolicyTest, RoleNamesRoundTrip) {
    for (Role r : {Role::kAdmin, Role::kCoordinator, Role::kVendor, Role::kReporter, Role::kPartner, Role::kSensor})
        EXPECT_EQ(*ParseRole(RoleName(r)), r);
    EXPECT_EQ(*ParseRole("vendor-contact"), Role::kVendor);
    EXPECT_EQ(ParseRole("root").error().field(), "role");
}

}  // namespace
}  // namespace kizuna::auth
