// Demo data for `kizuna demo`: the accounts of a small national coordination center and its partners.
// Later parts (cases, advisories, incidents, observation) add their own demo data here.
#include <cstdio>

#include "commands.hpp"

namespace kizuna::app {
namespace {

struct DemoAccount {
    const char* name;
    auth::Role role;
    const char* password;
    const char* display_name;
    const char* email;
    const char* organization;
};

// Fixed demo passwords, printed by `make demo`. Never use the demo database in production.
constexpr DemoAccount kAccounts[] = {
    {"admin", auth::Role::kAdmin, "kizuna-admin-demo", "システム管理者", "admin@cc.example.jp",
     "Kizuna 調整センター"},
    {"coordinator", auth::Role::kCoordinator, "kizuna-coord-demo", "山田 花子", "yamada@cc.example.jp",
     "Kizuna 調整センター 脆弱性コーディネーション"},
    {"sakura-psirt", auth::Role::kVendor, "kizuna-vendor-demo", "佐藤 健一", "psirt@sakura-denki.example.jp",
     "さくら電機株式会社 PSIRT"},
    {"hikari-security", auth::Role::kVendor, "kizuna-vendor2-demo", "Emily Chen", "security@hikari-net.example.com",
     "Hikari Networks Inc."},
    {"finder-tanaka", auth::Role::kReporter, "kizuna-finder-demo", "田中 誠", "tanaka@lab.example.ac.jp",
     "東都大学 情報セキュリティ研究室"},
    {"certcc-liaison", auth::Role::kPartner, "kizuna-partner-demo", "CERT/CC Liaison", "cert@cert.example.org",
     "CERT Coordination Center (demo)"},
};

}  // namespace

core::Result<bool> SeedDemoData(Center& center) {
    KZ_ASSIGN(auto existing, center.users->List());
    if (!existing.empty()) return false;
    for (const DemoAccount& a : kAccounts) {
        KZ_TRY(center.users->Create({a.name, a.role, a.password, a.display_name, a.email, a.organization}, "demo"));
    }
    KZ_TRY(center.users->Create({"sensor-tokyo-01", auth::Role::kSensor, "", "Sensor Tokyo 01", "",
                                 "Kizuna 調整センター 定点観測"},
                                "demo"));
    KZ_TRY(center.tokens->Create("sensor-tokyo-01", "demo sensor in Tokyo", "demo"));
    return true;
}

void PrintDemoAccounts(const std::string& url) {
    std::printf("\nDemo accounts (log in at %s/login):\n", url.c_str());
    std::printf("  %-16s %-12s %s\n", "user", "role", "password");
    for (const DemoAccount& a : kAccounts)
        std::printf("  %-16s %-12s %s\n", a.name, std::string(auth::RoleName(a.role)).c_str(), a.password);
    std::printf("\n");
}

}  // namespace kizuna::app
