// CVE JSON 5 records: one per CVE id, the fields the CVE Program needs, the status mapping and the errors.
// Schema validation of the same records: tests/validators (ctest validators.cve5).
#include "formats/cve5.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/csaf_samples.hpp"

namespace kizuna::formats {
namespace {

using nlohmann::json;
using testing::MinimalAdvisory;
using testing::MultiVendorAdvisory;

const CveAssigner kAssigner{"7f5c1b0a-3f2e-4b8e-9a4c-2d8b1e6f0a11", "KIZUNA-TEST", "https://cert.example.jp/advisories/"};

std::vector<json> Records(const AdvisoryDoc& doc) {
    auto records = RenderCveRecords(doc, kAssigner);
    EXPECT_TRUE(records.ok()) << (records.ok() ? "" : records.error().ToString());
    std::vector<json> out;
    if (records.ok()) {
        for (const CveRecord& record : *records) out.push_back(json::parse(record.json));
    }
    return out;
}

TEST(Cve5Test, OneRecordPerCveWithMetadata) {
    auto records = RenderCveRecords(MultiVendorAdvisory(), kAssigner);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 2u);
    EXPECT_EQ((*records)[0].cve_id, "CVE-2026-10001");
    EXPECT_EQ((*records)[1].cve_id, "CVE-2026-10002");
    json record = json::parse((*records)[1].json);
    EXPECT_EQ(record["dataType"], "CVE_RECORD");
    EXPECT_EQ(record["dataVersion"], "5.1");
    EXPECT_EQ(record["cveMetadata"]["cveId"], "CVE-2026-10002");
    EXPECT_EQ(record["cveMetadata"]["state"], "PUBLISHED");
    EXPECT_EQ(record["cveMetadata"]["assignerOrgId"], kAssigner.org_id);
    EXPECT_EQ(record["cveMetadata"]["assignerShortName"], "KIZUNA-TEST");
    EXPECT_EQ(record["cveMetadata"]["datePublished"], "2026-03-10T02:00:00Z");
    EXPECT_EQ(record["cveMetadata"]["dateUpdated"], "2026-04-01T05:30:00Z");
    const json& cna = record["containers"]["cna"];
    EXPECT_EQ(cna["providerMetadata"]["orgId"], kAssigner.org_id);
    EXPECT_EQ(cna["providerMetadata"]["dateUpdated"], "2026-04-01T05:30:00Z");
    EXPECT_EQ(cna["title"], "OS command injection vulnerability in <Router> X1000 & X2000");
}

TEST(Cve5Test, DescriptionsInEnglishAndJapanese) {
    const json cna = Records(MultiVendorAdvisory())[0]["containers"]["cna"];
    ASSERT_EQ(cna["descriptions"].size(), 2u);
    EXPECT_EQ(cna["descriptions"][0]["lang"], "en");
    EXPECT_EQ(cna["descriptions"][0]["value"], "Crafted input to the ping function of the admin page runs arbitrary commands.");
    EXPECT_EQ(cna["descriptions"][1]["lang"], "ja");
    EXPECT_EQ(cna["solutions"][0]["value"], "Update the firmware to the latest version.");
    EXPECT_EQ(cna["credits"][0]["value"], "Taro Yamada");
    EXPECT_EQ(cna["credits"][1]["value"], "山田太郎 氏");
    EXPECT_EQ(cna["problemTypes"][0]["descriptions"][0]["type"], "text");
    // Update history (V15) as the timeline.
    ASSERT_EQ(cna["timeline"].size(), 4u);
    EXPECT_EQ(cna["timeline"][2]["time"], "2026-04-01T05:30:00Z");
    EXPECT_EQ(cna["timeline"][2]["value"], "Vendor information updated");
}

TEST(Cve5Test, AffectedProductsAndStatuses) {
    const json affected = Records(MultiVendorAdvisory())[0]["containers"]["cna"]["affected"];
    ASSERT_EQ(affected.size(), 7u);  // ACME x2, Beta, Gamma, Delta, Epsilon, Zeta
    EXPECT_EQ(affected[0]["vendor"], "ACME Corporation");
    EXPECT_EQ(affected[0]["product"], "X1000");
    EXPECT_EQ(affected[0]["defaultStatus"], "unknown");
    EXPECT_EQ(affected[0]["versions"][0],
              (json{{"version", "4.2.0"}, {"status", "affected"}, {"versionType", "custom"}, {"lessThan", "4.2.8"}}));
    EXPECT_EQ(affected[0]["versions"][1], (json{{"version", "3.x"}, {"status", "affected"}}));
    EXPECT_EQ(affected[1]["product"], "X2000");
    EXPECT_EQ(affected[1]["defaultStatus"], "affected");
    EXPECT_EQ(affected[2], (json{{"vendor", "Beta Solutions"}, {"product", "n/a"}, {"defaultStatus", "unaffected"}}));
    EXPECT_EQ(affected[3]["defaultStatus"], "unknown");  // unknown
    EXPECT_EQ(affected[4]["defaultStatus"], "unknown");  // not_affected_investigating
    EXPECT_EQ(affected[5]["versions"][0]["status"], "affected");  // affected_investigating
    EXPECT_EQ(affected[6]["versions"][0],
              (json{{"version", "0"}, {"status", "affected"}, {"versionType", "custom"}, {"lessThanOrEqual", "1.0"}}));
}

TEST(Cve5Test, MetricsAndReferences) {
    const json cna = Records(MultiVendorAdvisory())[0]["containers"]["cna"];
    ASSERT_EQ(cna["metrics"].size(), 2u);
    EXPECT_EQ(cna["metrics"][0]["cvssV3_1"]["vectorString"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    EXPECT_DOUBLE_EQ(cna["metrics"][0]["cvssV3_1"]["baseScore"].get<double>(), 9.8);
    EXPECT_EQ(cna["metrics"][0]["cvssV3_1"]["baseSeverity"], "CRITICAL");
    EXPECT_EQ(cna["metrics"][1]["cvssV4_0"]["version"], "4.0");
    EXPECT_DOUBLE_EQ(cna["metrics"][1]["cvssV4_0"]["baseScore"].get<double>(), 9.3);
    const json& refs = cna["references"];
    ASSERT_EQ(refs.size(), 4u);
    EXPECT_EQ(refs[0]["url"], "https://cert.example.jp/advisories/JVNVU12345678");
    EXPECT_EQ(refs[1]["url"], "https://acme.example.com/security/2026-01");
    EXPECT_EQ(refs[1]["tags"][0], "vendor-advisory");
    EXPECT_EQ(refs[3]["tags"][0], "related");
}

TEST(Cve5Test, OverlongDetailsFallBackToTheOverview) {
    AdvisoryDoc doc = MultiVendorAdvisory();
    doc.details.en = std::string(4097, 'x');
    const json cna = Records(doc)[0]["containers"]["cna"];
    EXPECT_EQ(cna["descriptions"][0]["value"], "Routers X1000 and X2000 contain an OS command injection vulnerability.");
}

TEST(Cve5Test, InvalidUtf8IsReplacedNotThrown) {
    AdvisoryDoc doc = MultiVendorAdvisory();
    doc.overview.en = "\xff";
    doc.details.en = "bad \xc3";
    EXPECT_EQ(Records(doc)[0]["containers"]["cna"]["descriptions"][0]["value"], "bad \xEF\xBF\xBD");
}

TEST(Cve5Test, NoCveIdsNoRecords) {
    AdvisoryDoc doc = MultiVendorAdvisory();
    doc.cve_ids.clear();
    auto records = RenderCveRecords(doc, kAssigner);
    ASSERT_TRUE(records.ok());
    EXPECT_TRUE(records->empty());
}

TEST(Cve5Test, ErrorsNameTheField) {
    auto field_of = [](const AdvisoryDoc& doc, const CveAssigner& assigner) {
        auto result = RenderCveRecords(doc, assigner);
        EXPECT_FALSE(result.ok());
        return result.ok() ? std::string() : result.error().field();
    };
    AdvisoryDoc japanese_only = MinimalAdvisory();
    japanese_only.cve_ids = {"CVE-2025-0001"};
    EXPECT_EQ(field_of(japanese_only, kAssigner), "title.en");
    japanese_only.title.en = "XSS in Sample";
    EXPECT_EQ(field_of(japanese_only, kAssigner), "overview.en");

    CveAssigner bad = kAssigner;
    bad.org_id = "not-a-uuid";
    EXPECT_EQ(field_of(MultiVendorAdvisory(), bad), "org_id");
    bad = kAssigner;
    bad.short_name = "X";
    EXPECT_EQ(field_of(MultiVendorAdvisory(), bad), "short_name");
    bad = kAssigner;
    bad.advisory_url_prefix = "/advisories/";
    EXPECT_EQ(field_of(MultiVendorAdvisory(), bad), "advisory_url_prefix");

    AdvisoryDoc doc = MultiVendorAdvisory();
    doc.title.en = std::string(257, 'a');
    EXPECT_EQ(field_of(doc, kAssigner), "title.en");
    doc = MultiVendorAdvisory();
    std::string long_ja;
    for (int i = 0; i < 4097; ++i) long_ja += "あ";  // 4097 characters, 12291 bytes
    doc.overview.ja = long_ja;
    doc.details.ja = long_ja;
    EXPECT_EQ(field_of(doc, kAssigner), "details.ja");
    doc.solution.ja = long_ja;
    doc.details.ja = "short";
    EXPECT_EQ(field_of(doc, kAssigner), "solution.ja");
    doc = MultiVendorAdvisory();
    doc.analysis.cvss_v40->vector = "CVSS:4.0/AV:N";
    EXPECT_EQ(field_of(doc, kAssigner), "analysis.cvss_v40.vector");
}

}  // namespace
}  // namespace kizuna::formats
