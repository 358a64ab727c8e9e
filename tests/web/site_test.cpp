// The whole site in process (no sockets): every page and endpoint as each kind of caller, against the
// one policy. 401/303 for anonymous callers, 403 for the wrong role, 200 for the right one.
#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

using SiteTest = SiteFixture;

TEST_F(SiteTest, EveryRouteAsEveryRole) {
    struct Case {
        const char* method;
        const char* target;
        int anonymous, reporter, vendor, coord, admin;
    } cases[] = {
        {"GET", "/", 200, 200, 200, 200, 200},
        {"GET", "/login", 200, 200, 200, 200, 200},
        {"GET", "/healthz", 200, 200, 200, 200, 200},
        {"GET", "/static/kizuna.css", 200, 200, 200, 200, 200},
        {"GET", "/dashboard", 303, 403, 403, 200, 200},
        {"GET", "/audit", 303, 403, 403, 200, 200},
        {"GET", "/users", 303, 403, 403, 200, 200},
        {"GET", "/account", 303, 200, 200, 200, 200},
        {"GET", "/metrics", 401, 403, 403, 200, 200},
        {"GET", "/api/v1/me", 401, 200, 200, 200, 200},
        {"GET", "/api/v1/users", 401, 403, 403, 200, 200},
        {"GET", "/api/v1/audit/verify", 401, 403, 403, 200, 200},
        {"GET", "/no-such-page", 404, 404, 404, 404, 404},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(Status(c.method, c.target, ""), c.anonymous) << c.target << " anonymous";
        EXPECT_EQ(Status(c.method, c.target, "reporter"), c.reporter) << c.target << " reporter";
        EXPECT_EQ(Status(c.method, c.target, "vendor"), c.vendor) << c.target << " vendor";
        EXPECT_EQ(Status(c.method, c.target, "coord"), c.coord) << c.target << " coordinator";
        EXPECT_EQ(Status(c.method, c.target, "admin"), c.admin) << c.target << " admin";
    }
}

}  // namespace
}  // namespace kizuna::web
