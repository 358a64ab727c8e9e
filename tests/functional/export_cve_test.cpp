// The published documents of the demo data, through the real binary: `kizuna demo` seeds published and
// embargoed advisories; `kizuna serve` publishes them as a CSAF provider; `kizuna export cve` writes the CVE
// records of each published one. Every document passes the reference validators (tests/validators: CSAF
// mandatory tests and schema, provider schema, CVE JSON 5 schema); the embargoed advisory is neither in
// the provider nor exportable.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "center_fixture.hpp"
#include "formats/csaf.hpp"

namespace kizuna::functional {
namespace {

using testing::RunCommand;
using testing::TempDir;

const std::vector<std::string> kCna = {"--set", "publication.cna_org_id=7f5c1b0a-3f2e-4b8e-9a4c-2d8b1e6f0a11",
                                       "--set", "publication.cna_short_name=KIZUNA-DEMO"};

CommandResult Export(const TempDir& dir, const std::string& id, const std::string& out, bool with_cna = true) {
    std::vector<std::string> args = {"export", "cve", id, "--out", out};
    if (with_cna) args.insert(args.end(), kCna.begin(), kCna.end());
    return Kizuna(dir, args);
}

// Advisory ids of the demo that are not published (read from the database the demo wrote).
std::vector<std::string> EmbargoedIds(const std::string& db_path) {
    std::vector<std::string> ids;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT a.advisory_id FROM advisories a JOIN cases c ON c.id = a.case_id"
                                   " WHERE c.published = 0", -1, &st, nullptr) == SQLITE_OK) {
            while (sqlite3_step(st) == SQLITE_ROW) ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return ids;
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

void Write(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

CommandResult Validate(const std::string& kind, const std::string& path) {
    return RunCommand({KIZUNA_NODE, std::string(KIZUNA_SOURCE_DIR) + "/tests/validators/validate.mjs", kind, path});
}

TEST(ExportCveTest, DemoAdvisoriesArePublishedAndExportedAsValidDocuments) {
    TempDir dir;
    // `demo` seeds, then listens (writing the port file) until SIGTERM: stop it as soon as it listens.
    const std::string script =
        "\"$0\" demo --port 0 --port-file \"$1/demo.port\" --data-dir \"$1/data\" & pid=$!; "
        "for i in $(seq 600); do [ -s \"$1/demo.port\" ] && break; sleep 0.1; done; kill -TERM $pid; wait $pid";
    auto seeded = RunCommand({"/bin/bash", "-c", script, KIZUNA_BIN, dir.path()});
    ASSERT_NE(seeded.out.find("Created demo database"), std::string::npos) << seeded.out << seeded.err;
    const std::vector<std::string> embargoed = EmbargoedIds(dir.File("data") + "/kizuna.db");
    ASSERT_FALSE(embargoed.empty()) << "the demo has an advisory under embargo";

    std::vector<std::string> published;
    std::vector<bool> has_cve;
    {
        testing::ServerProcess server(KIZUNA_BIN, {"--data-dir", dir.File("data")}, dir.path());
        ASSERT_TRUE(server.started()) << server.log_path();
        HttpClient client("127.0.0.1", server.port());
        HttpReply index = client.Request("GET", "/.well-known/csaf/white/index.txt");
        ASSERT_EQ(index.status, 200);
        const std::vector<std::string> paths = Lines(index.body);
        ASSERT_GE(paths.size(), 2u) << index.body;
        for (const std::string& path : paths) {
            HttpReply doc = client.Request("GET", "/.well-known/csaf/white/" + path);
            ASSERT_EQ(doc.status, 200) << path;
            Write(dir.File("csaf/" + path), doc.body);
            const auto csaf = nlohmann::json::parse(doc.body);
            published.push_back(csaf["document"]["tracking"]["id"]);
            has_cve.push_back(csaf["vulnerabilities"][0].contains("cve"));
        }
        HttpReply metadata = client.Request("GET", "/.well-known/csaf/provider-metadata.json");
        ASSERT_EQ(metadata.status, 200);
        Write(dir.File("provider/provider-metadata.json"), metadata.body);
        // The embargoed advisory: in neither index, changes nor feeds, and its document path is 404.
        const std::string changes = client.Request("GET", "/.well-known/csaf/white/changes.csv").body;
        const std::string feeds = client.Request("GET", "/advisories/feed/rss.xml").body +
                                  client.Request("GET", "/advisories/feed/atom.xml?lang=en").body;
        for (const std::string& id : embargoed) {
            const std::string digits = id.substr(id.find('#') + 1);
            EXPECT_EQ(index.body.find(digits), std::string::npos) << id;
            EXPECT_EQ(changes.find(digits), std::string::npos) << id;
            EXPECT_EQ(feeds.find(digits), std::string::npos) << id;
            const std::string year = paths.front().substr(0, 4);
            HttpReply hidden =
                client.Request("GET", "/.well-known/csaf/white/" + year + "/" + formats::CsafFileName(id));
            EXPECT_EQ(hidden.status, 404) << id;
        }
    }

    // Every published advisory with CVE ids exports one record per CVE id; one without says so.
    int records = 0;
    for (std::size_t i = 0; i < published.size(); ++i) {
        const std::string& id = published[i];
        auto r = Export(dir, id, dir.File("cve5"));
        if (!has_cve[i]) {
            EXPECT_EQ(r.exit_code, 1) << id;
            EXPECT_NE(r.err.find("has no CVE id"), std::string::npos) << r.err;
            continue;
        }
        ASSERT_EQ(r.exit_code, 0) << id << ": " << r.err;
        for (const std::string& file : Lines(r.out)) {
            EXPECT_TRUE(std::filesystem::exists(file)) << file;
            ++records;
        }
    }
    EXPECT_GE(records, 2);

    // Unpublished or unknown: a clear error, exit 1, nothing written. Missing CNA settings: exit 2.
    for (const std::string& id : {embargoed.front(), std::string("JVN#99999999")}) {
        auto r = Export(dir, id, dir.File("refused"));
        EXPECT_EQ(r.exit_code, 1) << id;
        EXPECT_NE(r.err.find("is not published"), std::string::npos) << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(dir.File("refused")));
    auto no_cna = Export(dir, published.front(), dir.File("refused"), false);
    EXPECT_EQ(no_cna.exit_code, 2);
    EXPECT_NE(no_cna.err.find("publication.cna_org_id"), std::string::npos) << no_cna.err;

    // The reference validators over everything written.
    for (auto [kind, path] : {std::pair{"csaf", "csaf"}, {"provider", "provider"}, {"cve5", "cve5"}}) {
        auto v = Validate(kind, dir.File(path));
        EXPECT_EQ(v.exit_code, 0) << kind << ":\n" << v.out << v.err;
    }
}

}  // namespace
}  // namespace kizuna::functional
