// The publication instant survives a restart: the center is stopped between scheduling and the instant,
// started again after it, and the release still happens, exactly once.
#include <nlohmann/json.hpp>

#include <thread>

#include "core/clock.hpp"

#include "center_fixture.hpp"

namespace kizuna::functional {
namespace {

using nlohmann::json;

class Api {
  public:
    Api(std::uint16_t port, std::string token) : client_("127.0.0.1", port), token_(std::move(token)) {}
    json Call(const std::string& method, const std::string& path, const json& body = nullptr, int expect = 200) {
        std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + token_}};
        if (!body.is_null()) headers.push_back({"Content-Type", "application/json"});
        HttpReply r = client_.Request(method, path, body.is_null() ? "" : body.dump(), headers);
        EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
        return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
    }

  private:
    HttpClient client_;
    std::string token_;
};

TEST(ScheduleRestartTest, ReleaseHappensOnceAcrossARestart) {
    testing::TempDir dir;
    ASSERT_EQ(Kizuna(dir, {"user", "add", "admin", "--role", "admin"}, "admin-password-1\n").exit_code, 0);
    auto token = Kizuna(dir, {"token", "create", "--user", "admin"});
    ASSERT_EQ(token.exit_code, 0);
    const std::string secret = token.out.substr(0, token.out.find('\n'));
    const std::vector<std::string> args = {"--data-dir", dir.File("data")};
    std::string case_path;
    {
        testing::ServerProcess server(KIZUNA_BIN, args, dir.path());
        ASSERT_TRUE(server.started());
        Api api(server.port(), secret);
        const auto vendor = api.Call("POST", "/api/v1/vendors", {{"name", "Sakura"}}, 201)["id"].get<std::int64_t>();
        const std::string v = "/api/v1/vendors/" + std::to_string(vendor);
        api.Call("POST", v + "/contacts", {{"name", "PSIRT"}, {"email", "psirt@sakura.example.jp"}}, 201);
        api.Call("POST", v + "/terms", {{"version", "2026-04"}});
        for (const char* st : {"documents_received", "meeting", "registered"}) api.Call("POST", v + "/registration", {{"state", st}});
        const auto id = api.Call("POST", "/api/v1/cases", {{"title", "t"}, {"details", "d"}}, 201)["id"].get<std::int64_t>();
        case_path = "/api/v1/cases/" + std::to_string(id);
        api.Call("POST", case_path + "/verification", {{"result", "reproduced"}});
        api.Call("POST", case_path + "/vendors", {{"vendor_id", vendor}});
        api.Call("POST", case_path + "/vendors/" + std::to_string(vendor) + "/details", {{"obvious_vendor", true}});
        const auto at = std::chrono::system_clock::now() + std::chrono::seconds(3);
        const std::string when = kizuna::core::FormatRfc3339(std::chrono::time_point_cast<std::chrono::microseconds>(at));
        api.Call("POST", case_path + "/schedule/decision", {{"publish_at", when}, {"reason", "integration test"}});
        EXPECT_FALSE(api.Call("GET", case_path + "/schedule")["published"].get<bool>());
        EXPECT_EQ(server.Terminate(), 0);  // down before the instant
    }
    std::this_thread::sleep_for(std::chrono::seconds(4));  // the instant passes while the center is down
    for (int restart = 0; restart < 2; ++restart) {
        testing::ServerProcess server(KIZUNA_BIN, args, dir.path());
        ASSERT_TRUE(server.started());
        Api api(server.port(), secret);
        bool published = false;
        for (int i = 0; i < 100 && !published; ++i) {
            published = api.Call("GET", case_path + "/schedule")["published"].get<bool>();
            if (!published) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        EXPECT_TRUE(published) << "restart " << restart;
        int releases = 0;
        const json timeline = api.Call("GET", case_path + "/timeline");
        for (const auto& e : timeline["events"]) releases += e["kind"] == "case.published";
        EXPECT_EQ(releases, 1) << "restart " << restart << timeline.dump();
        EXPECT_EQ(server.Terminate(), 0);
    }
}

}  // namespace
}  // namespace kizuna::functional
