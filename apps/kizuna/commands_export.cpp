// export cve: the CVE JSON 5 records of a published advisory, one file per CVE id.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "commands.hpp"
#include "formats/cve5.hpp"
#include "vuln/advisories.hpp"

namespace kizuna::app {

// The public origin documents link to: server.public_url, else http(s)://listen:port from the config.
std::string PublicOrigin(const core::Config& config) {
    std::string url = config.server.public_url;
    if (url.empty()) {
        const bool tls = !config.server.tls_cert.empty();
        const std::string host = config.server.listen.find(':') != std::string::npos
                                     ? "[" + config.server.listen + "]"
                                     : config.server.listen;
        url = std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(config.server.port);
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

int RunExportCve(const GlobalOptions& global, const ExportCveOptions& options) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;

    // Only what the public may see: an anonymous caller gets published advisories and NotFound otherwise.
    const vuln::Caller anonymous{};
    auto doc = center->advisories->Document(anonymous, options.advisory_id);
    if (!doc.ok()) {
        if (doc.error().code() == core::ErrorCode::kNotFound) {
            PrintError("export cve: advisory " + options.advisory_id +
                       " is not published (or does not exist); only published advisories are exported");
        } else {
            PrintError("export cve: " + doc.error().ToString());
        }
        return kExitFailure;
    }
    if (doc->cve_ids.empty()) {
        PrintError("export cve: advisory " + doc->id + " has no CVE id");
        return kExitFailure;
    }
    const core::PublicationConfig& publication = center->config.publication;
    const formats::CveAssigner assigner{publication.cna_org_id, publication.cna_short_name,
                                        PublicOrigin(center->config) + "/advisories/"};
    auto records = formats::RenderCveRecords(*doc, assigner);
    if (!records.ok()) {
        const core::Error& error = records.error();
        if (error.field() == "org_id" || error.field() == "short_name") {
            PrintError("export cve: publication.cna_" + error.field() + ": " + error.message() +
                       " (set it in the [publication] section of the config or with --set publication.cna_" +
                       error.field() + "=...)");
            return kExitUsage;
        }
        PrintError("export cve: advisory " + doc->id + ": " + error.ToString());
        return kExitFailure;
    }

    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    if (ec) {
        PrintError("export cve: cannot create " + options.out_dir + ": " + ec.message());
        return kExitFailure;
    }
    for (const formats::CveRecord& record : *records) {
        const std::filesystem::path final_path = std::filesystem::path(options.out_dir) / (record.cve_id + ".json");
        // Written beside and renamed, so a reader never sees half a record.
        const std::filesystem::path temp_path = final_path.string() + ".tmp";
        {
            std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
            out << record.json;
            out.flush();
            if (!out) {
                PrintError("export cve: cannot write " + temp_path.string());
                return kExitFailure;
            }
        }
        std::filesystem::rename(temp_path, final_path, ec);
        if (ec) {
            PrintError("export cve: cannot write " + final_path.string() + ": " + ec.message());
            return kExitFailure;
        }
        std::printf("%s\n", final_path.c_str());
    }
    return kExitOk;
}

}  // namespace kizuna::app
