// kizuna observe partner add|list|set-key|remove and observe iodef-mail (MISSION O5): the partner CSIRTs that
// receive the daily IODEF by mail, and queueing one day's mails by hand (the same code as the daily job, so
// a catch-up by hand cannot mail a partner twice for a day). Thin edges over observe::PartnerRegistry and
// observe::QueuePartnerIodef; changes are audited with actor "cli".
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "center.hpp"
#include "commands.hpp"
#include "observe/export/export.hpp"
#include "observe/storage/storage.hpp"

namespace kizuna::app {
namespace {

struct PartnerFlags {
    GlobalOptions* global = nullptr;
    std::string name, email, key_file, date, format = "table";
    std::vector<std::string> countries;
    std::int64_t id = 0;
    CLI::App *add = nullptr, *list = nullptr, *set_key = nullptr, *remove = nullptr, *mail = nullptr;
};

PartnerFlags& Flags() {
    static PartnerFlags flags;
    return flags;
}

void AddGlobal(CLI::App& cmd, GlobalOptions& g) {
    cmd.add_option("--config", g.config_file, "TOML config file (default: $KIZUNA_CONFIG, else ./kizuna.toml)");
    cmd.add_option("--data-dir", g.data_dir, "data directory (default: $KIZUNA_DATA_DIR, else data_dir in the config, else ./var)");
    cmd.add_option("--set", g.settings, "override a config key (repeatable)");
    cmd.add_option("--log-level", g.log_level, "debug, info, warn or error");
}

int Fail(const core::Error& error) {
    if (error.code() == core::ErrorCode::kInvalidArgument || error.code() == core::ErrorCode::kNotFound ||
        error.code() == core::ErrorCode::kAlreadyExists) {
        PrintError((error.field().empty() ? "" : error.field() + ": ") + error.message());
        return kExitUsage;
    }
    PrintError(error.ToString());
    return kExitFailure;
}

std::optional<std::string> ReadKey(const std::string& path, int* code) {
    if (path.empty()) return std::string();
    std::ifstream in(path == "-" ? "/dev/stdin" : path, std::ios::binary);
    if (!in) {
        PrintError("--key: cannot read " + path);
        *code = kExitUsage;
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string Countries(const observe::Partner& p) {
    std::string out;
    for (const auto& cc : p.countries) out += (out.empty() ? "" : ",") + std::string(cc.data(), 2);
    return out;
}

int RunAdd(const PartnerFlags& f) {
    int code = kExitOk;
    auto key = ReadKey(f.key_file, &code);
    if (!key) return code;
    auto center = OpenCenter(*f.global, &code);
    if (!center) return code;
    std::string countries;
    for (const auto& c : f.countries) countries += (countries.empty() ? "" : ",") + c;
    observe::PartnerRegistry registry(*center->db, core::RealClock(), *center->audit);
    auto added = registry.Add({f.name, f.email, countries, *key}, "cli");
    if (!added.ok()) return Fail(added.error());
    if (auto st = EnsureIodefDailyJob(*center); !st.ok()) return Fail(st.error());
    std::printf("partner %lld: %s <%s> %s, %s\n", static_cast<long long>(added->id), added->name.c_str(),
                added->email.c_str(), Countries(*added).c_str(),
                added->fingerprint.empty() ? "no key yet: its mail will wait until one is set"
                                           : ("key " + added->fingerprint).c_str());
    return kExitOk;
}

int RunList(const PartnerFlags& f) {
    int code = kExitOk;
    auto center = OpenCenter(*f.global, &code);
    if (!center) return code;
    auto all = observe::PartnerRegistry(*center->db, core::RealClock(), *center->audit).List();
    if (!all.ok()) return Fail(all.error());
    if (f.format == "json") {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : *all) {
            out.push_back({{"id", p.id}, {"name", p.name}, {"email", p.email}, {"countries", Countries(p)},
                           {"fingerprint", p.fingerprint}, {"key", p.key_info}, {"updated_by", p.updated_by},
                           {"updated_at", p.updated_at}});
        }
        std::printf("%s\n", out.dump(2).c_str());
        return kExitOk;
    }
    for (const auto& p : *all) {
        std::printf("%lld\t%s\t%s\t%s\t%s\n", static_cast<long long>(p.id), p.name.c_str(), p.email.c_str(),
                    Countries(p).c_str(), p.fingerprint.empty() ? "(no key)" : p.fingerprint.c_str());
    }
    return kExitOk;
}

int RunSetKey(const PartnerFlags& f) {
    int code = kExitOk;
    auto key = ReadKey(f.key_file, &code);
    if (!key) return code;
    auto center = OpenCenter(*f.global, &code);
    if (!center) return code;
    auto st = observe::PartnerRegistry(*center->db, core::RealClock(), *center->audit).SetKey(f.id, *key, "cli");
    if (!st.ok()) return Fail(st.error());
    std::printf("partner %lld: key set\n", static_cast<long long>(f.id));
    return kExitOk;
}

int RunRemove(const PartnerFlags& f) {
    int code = kExitOk;
    auto center = OpenCenter(*f.global, &code);
    if (!center) return code;
    auto st = observe::PartnerRegistry(*center->db, core::RealClock(), *center->audit).Remove(f.id, "cli");
    if (!st.ok()) return Fail(st.error());
    std::printf("partner %lld removed\n", static_cast<long long>(f.id));
    return kExitOk;
}

// observe iodef-mail --date D: queue day D's mail to every partner not mailed for D yet.
int RunIodefMail(const PartnerFlags& f) {
    if (f.date.size() != 10) return Fail(core::InvalidArgument("expected a date YYYY-MM-DD", "--date"));
    auto day = observe::ParseDateOrTime(f.date, "--date");
    if (!day.ok()) return Fail(day.error());
    int code = kExitOk;
    auto center = OpenCenter(*f.global, &code);
    if (!center) return code;
    auto options = ObserveStoreOptions(center->config);
    if (!options.ok()) return Fail(options.error());
    options->read_only = true;
    auto store = observe::EventStore::Open(ObserveStoreDir(center->data_dir), *options);
    if (!store.ok()) return Fail(store.error());
    auto backend = OpenQueryBackend(center->config, **store);
    if (!backend.ok()) return Fail(backend.error());
    std::string issuer = "kizuna";
    {
        const std::string& url = center->config.server.public_url;
        const auto scheme = url.find("://");
        std::string host = scheme == std::string::npos ? "" : url.substr(scheme + 3);
        host = host.substr(0, host.find_first_of(":/"));
        if (!host.empty()) issuer = host;
    }
    std::vector<observe::PartnerMailing> mailed;
    auto st = center->db->InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(mailed, observe::QueuePartnerIodef(c, *(*backend)->queries, {issuer, "", ""}, *day,
                                                     core::RealClock().Now()));
        return core::Ok();
    });
    if (!st.ok()) return Fail(st.error());
    for (const auto& m : mailed) {
        std::printf("%lld\t%s\t%zu event(s)\t%s\n", static_cast<long long>(m.partner_id), m.partner_name.c_str(),
                    m.events, m.already_queued ? "already queued for this day" : ("queued as mail " + std::to_string(m.mail_id)).c_str());
    }
    return kExitOk;
}

}  // namespace

void RegisterPartnerCommands(CLI::App& observe, GlobalOptions& global) {
    PartnerFlags& f = Flags();
    f.global = &global;
    CLI::App* partner = observe.add_subcommand("partner", "partner CSIRTs that receive the daily IODEF by mail (O5)");
    partner->require_subcommand(1);
    f.add = partner->add_subcommand("add", "register a partner CSIRT: name, mail address, countries, OpenPGP key");
    AddGlobal(*f.add, global);
    f.add->add_option("--name", f.name, "e.g. KrCERT/CC")->required();
    f.add->add_option("--email", f.email, "where the daily IODEF goes")->required();
    f.add->add_option("--country", f.countries, "constituency country code(s), e.g. KR (repeatable)")->required();
    f.add->add_option("--key", f.key_file, "armored OpenPGP public key file ('-': standard input)");
    f.list = partner->add_subcommand("list", "the partner CSIRTs");
    AddGlobal(*f.list, global);
    f.list->add_option("--format", f.format, "json or table (default table)")->check(CLI::IsMember({"json", "table"}));
    f.set_key = partner->add_subcommand("set-key", "register or replace a partner's OpenPGP key");
    AddGlobal(*f.set_key, global);
    f.set_key->add_option("id", f.id, "partner id")->required();
    f.set_key->add_option("--key", f.key_file, "armored OpenPGP public key file ('-': standard input)")->required();
    f.remove = partner->add_subcommand("remove", "remove a partner (its delivery history stays)");
    AddGlobal(*f.remove, global);
    f.remove->add_option("id", f.id, "partner id")->required();
    f.mail = observe.add_subcommand("iodef-mail", "queue one day's IODEF mail to every partner not yet mailed for it");
    AddGlobal(*f.mail, global);
    f.mail->add_option("--date", f.date, "UTC day, YYYY-MM-DD")->required();
}

std::optional<int> RunPartnerCommand() {
    const PartnerFlags& f = Flags();
    if (f.add == nullptr) return std::nullopt;
    if (f.add->parsed()) return RunAdd(f);
    if (f.list->parsed()) return RunList(f);
    if (f.set_key->parsed()) return RunSetKey(f);
    if (f.remove->parsed()) return RunRemove(f);
    if (f.mail->parsed()) return RunIodefMail(f);
    return std::nullopt;
}

}  // namespace kizuna::app
