// Writes every public document Kizuna renders from the sample advisories (tests/formats/csaf_samples.hpp)
// into a directory, for the reference validators in tests/validators:
//   <dir>/csaf/<lang>/<year>/<file>.json, <dir>/provider/provider-metadata.json, <dir>/cve5/<CVE>.json
// Usage: formats_sample_documents <dir>. Exit 0 on success, 1 when a document cannot be rendered or written.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "formats/csaf.hpp"
#include "formats/csaf_samples.hpp"
#include "formats/cve5.hpp"

namespace {

using namespace kizuna::formats;

bool Write(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    out.close();
    if (!out) std::fprintf(stderr, "cannot write %s\n", file.c_str());
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: formats_sample_documents <dir>\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::remove_all(dir);
    CsafPublisher publisher;
    publisher.name = "Kizuna test CERT";
    publisher.namespace_url = "https://cert.example.jp";
    publisher.contact_details = "vuls@cert.example.jp";
    publisher.advisory_url_prefix = "https://cert.example.jp/advisories/";
    bool ok = true;
    for (const AdvisoryDoc& doc : testing::SampleAdvisories()) {
        for (CsafLanguage lang : {CsafLanguage::kEn, CsafLanguage::kJa}) {
            auto csaf = RenderCsaf(doc, publisher, lang);
            if (!csaf.ok()) {
                std::fprintf(stderr, "%s: %s\n", doc.id.c_str(), csaf.error().ToString().c_str());
                ok = false;
                continue;
            }
            ok &= Write(dir / "csaf" / LanguageTag(lang) / CsafDistributionPath(doc), *csaf);
        }
    }
    const CveAssigner assigner{"7f5c1b0a-3f2e-4b8e-9a4c-2d8b1e6f0a11", "KIZUNA-TEST", publisher.advisory_url_prefix};
    for (const AdvisoryDoc& doc : testing::SampleAdvisories()) {
        auto records = RenderCveRecords(doc, assigner);
        if (!records.ok()) {
            // The minimal sample is Japanese-only: refused with a clear error (tested in cve5_test).
            if (!doc.cve_ids.empty()) {
                std::fprintf(stderr, "%s: %s\n", doc.id.c_str(), records.error().ToString().c_str());
                ok = false;
            }
            continue;
        }
        for (const CveRecord& record : *records) ok &= Write(dir / "cve5" / (record.cve_id + ".json"), record.json);
    }
    ok &= Write(dir / "provider" / "provider-metadata.json",
                RenderProviderMetadata(publisher, "https://cert.example.jp",
                                       testing::MultiVendorAdvisory().last_updated));
    return ok ? 0 : 1;
}
