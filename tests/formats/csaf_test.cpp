// CSAF 2.0 rendering: structure of the document, the status mapping, stable product ids, file names and the
// provider files. Schema and mandatory-test validation of the same documents: tests/validators (ctest
// validators.csaf).
#include "formats/csaf.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "formats/csaf_samples.hpp"

namespace kizuna::formats {
namespace {

using nlohmann::json;
using testing::At;
using testing::MinimalAdvisory;
using testing::MultiVendorAdvisory;

json Render(const AdvisoryDoc& doc, CsafLanguage lang = CsafLanguage::kEn) {
    CsafPublisher publisher;
    publisher.name = "Test CERT";
    publisher.namespace_url = "https://cert.example.jp";
    publisher.advisory_url_prefix = "https://cert.example.jp/advisories/";
    auto text = RenderCsaf(doc, publisher, lang);
    EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().ToString());
    return text.ok() ? json::parse(*text) : json{};
}

// Every product_id defined in the tree, with the full product name.
void CollectLeaves(const json& branches, std::map<std::string, std::string>& out) {
    for (const json& branch : branches) {
        if (branch.contains("product")) out[branch["product"]["product_id"]] = branch["product"]["name"];
        if (branch.contains("branches")) CollectLeaves(branch["branches"], out);
    }
}

TEST(CsafTest, DocumentCarriesTrackingPublisherAndLanguage) {
    json csaf = Render(MultiVendorAdvisory());
    const json& document = csaf["document"];
    EXPECT_EQ(document["category"], "csaf_security_advisory");
    EXPECT_EQ(document["csaf_version"], "2.0");
    EXPECT_EQ(document["lang"], "en");
    EXPECT_EQ(document["title"], "OS command injection vulnerability in <Router> X1000 & X2000");
    EXPECT_EQ(document["publisher"]["category"], "coordinator");
    EXPECT_EQ(document["publisher"]["namespace"], "https://cert.example.jp");
    EXPECT_EQ(document["distribution"]["tlp"]["label"], "WHITE");
    EXPECT_EQ(document["aggregate_severity"]["text"], "Critical");

    const json& tracking = document["tracking"];
    EXPECT_EQ(tracking["id"], "JVNVU#12345678");
    EXPECT_EQ(tracking["status"], "final");
    EXPECT_EQ(tracking["version"], "2");
    EXPECT_EQ(tracking["initial_release_date"], "2026-03-10T02:00:00Z");
    EXPECT_EQ(tracking["current_release_date"], "2026-04-01T05:30:00Z");
    ASSERT_EQ(tracking["revision_history"].size(), 2u);
    EXPECT_EQ(tracking["revision_history"][0]["number"], "1");
    EXPECT_EQ(tracking["revision_history"][0]["summary"], "Published");
    EXPECT_EQ(tracking["revision_history"][1]["number"], "2");
    EXPECT_EQ(tracking["revision_history"][1]["date"], "2026-04-01T05:30:00Z");
    EXPECT_EQ(tracking["revision_history"][1]["summary"], "Vendor information updated");

    // The self reference points at the English page; references and related documents follow.
    const json& refs = document["references"];
    ASSERT_GE(refs.size(), 3u);
    EXPECT_EQ(refs[0]["category"], "self");
    EXPECT_EQ(refs[0]["url"], "https://cert.example.jp/advisories/JVNVU12345678?lang=en");
    EXPECT_EQ(refs[1]["url"], "https://example.org/research/x1000");
    EXPECT_EQ(refs[1]["summary"], "Research report");
    EXPECT_EQ(refs[2]["url"], "https://kb.cert.org/vuls/id/987654");

    std::set<std::string> note_titles;
    for (const json& note : document["notes"]) note_titles.insert(note["title"].get<std::string>());
    for (const char* title : {"Overview", "Affected systems", "Description", "Impact", "Solution",
                              "Coordinator's notes", "Coordinator's analysis", "Vendor statement: ACME Corporation",
                              "Vendor unreachable: Zeta Electronics"}) {
        EXPECT_TRUE(note_titles.count(title)) << title;
    }
}

TEST(CsafTest, ProductTreeIsVendorProductVersion) {
    json csaf = Render(MultiVendorAdvisory());
    const json& branches = csaf["product_tree"]["branches"];
    ASSERT_EQ(branches.size(), 6u);
    EXPECT_EQ(branches[0]["category"], "vendor");
    EXPECT_EQ(branches[0]["name"], "ACME Corporation");
    const json& x1000 = branches[0]["branches"][0];
    EXPECT_EQ(x1000["category"], "product_name");
    EXPECT_EQ(x1000["name"], "X1000");
    ASSERT_EQ(x1000["branches"].size(), 2u);
    EXPECT_EQ(x1000["branches"][0]["category"], "product_version_range");
    EXPECT_EQ(x1000["branches"][0]["name"], "vers:generic/>=4.2.0|<4.2.8");  // bounds known
    EXPECT_EQ(x1000["branches"][0]["product"]["name"], "ACME Corporation X1000 4.2.0 to 4.2.7");
    EXPECT_EQ(x1000["branches"][1]["name"], "3.x");  // only a label
    // A product without versions is a leaf itself; a vendor without products too.
    EXPECT_EQ(branches[0]["branches"][1]["product"]["product_id"], "CSAFPID-v1-router-x2000");
    EXPECT_EQ(branches[1]["product"]["product_id"], "CSAFPID-v2");

    std::map<std::string, std::string> leaves;
    CollectLeaves(branches, leaves);
    EXPECT_EQ(leaves.size(), 8u);  // 2+1 ACME, 1 each for v2 v3 v4, 1 v5, 1 v6
}

TEST(CsafTest, VendorStatusesMapToProductStatus) {
    json csaf = Render(MultiVendorAdvisory());
    ASSERT_EQ(csaf["vulnerabilities"].size(), 2u);
    const json& status = csaf["vulnerabilities"][0]["product_status"];
    auto ids = [&](const char* key) { return status[key].get<std::set<std::string>>(); };
    const std::string x1000_4 = CsafProductId("v1", "router-x1000", &MultiVendorAdvisory().vendors[0].products[0].versions[0]);
    EXPECT_TRUE(ids("known_affected").count(x1000_4));
    EXPECT_TRUE(ids("known_affected").count("CSAFPID-v1-router-x2000"));        // affected
    EXPECT_EQ(ids("known_not_affected"), std::set<std::string>{"CSAFPID-v2"});  // not_affected
    EXPECT_TRUE(ids("under_investigation").count("CSAFPID-v3"));                // unknown
    EXPECT_TRUE(ids("under_investigation").count("CSAFPID-v4"));                // not_affected_investigating
    EXPECT_EQ(ids("under_investigation").size(), 2u);
    // affected_investigating: the vendor confirmed affected products.
    const std::string cam = CsafProductId("v5", "cam-1", &MultiVendorAdvisory().vendors[4].products[0].versions[0]);
    EXPECT_TRUE(ids("known_affected").count(cam));
    EXPECT_EQ(ids("known_affected").size(), 5u);
}

TEST(CsafTest, VulnerabilitiesCarryCveScoresRemediationsAndAcknowledgments) {
    json csaf = Render(MultiVendorAdvisory());
    const json& v = csaf["vulnerabilities"][0];
    EXPECT_EQ(v["cve"], "CVE-2026-10001");
    EXPECT_EQ(csaf["vulnerabilities"][1]["cve"], "CVE-2026-10002");
    ASSERT_EQ(v["scores"].size(), 1u);
    const json& cvss = v["scores"][0]["cvss_v3"];
    EXPECT_EQ(cvss["version"], "3.1");
    EXPECT_EQ(cvss["vectorString"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    EXPECT_DOUBLE_EQ(cvss["baseScore"].get<double>(), 9.8);
    EXPECT_EQ(cvss["baseSeverity"], "CRITICAL");
    EXPECT_EQ(v["scores"][0]["products"], v["product_status"]["known_affected"]);

    bool v4_note = false;
    for (const json& note : v["notes"]) {
        if (note["title"] == "CVSS v4.0") {
            v4_note = true;
            EXPECT_EQ(note["text"], "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N (9.3 Critical)");
        }
    }
    EXPECT_TRUE(v4_note);
    EXPECT_EQ(v["notes"][0]["category"], "description");
    EXPECT_EQ(v["acknowledgments"][0]["summary"], "Taro Yamada");

    // ACME: fixed version known -> vendor_fix with its announcement; Zeta (unreachable) -> no_fix_planned;
    // Epsilon (affected, no fix known) -> mitigation.
    ASSERT_EQ(v["remediations"].size(), 3u);
    EXPECT_EQ(v["remediations"][0]["category"], "vendor_fix");
    EXPECT_EQ(v["remediations"][0]["url"], "https://acme.example.com/security/2026-01");
    EXPECT_EQ(v["remediations"][1]["category"], "mitigation");
    EXPECT_EQ(v["remediations"][2]["category"], "no_fix_planned");
    EXPECT_NE(v["remediations"][2]["details"].get<std::string>().find("since 2025-09-01"), std::string::npos);
    EXPECT_EQ(v["references"][0]["url"], "https://acme.example.com/security/2026-01");
}

TEST(CsafTest, ProductIdsAreStableAcrossExportsAndReordering) {
    AdvisoryDoc doc = MultiVendorAdvisory();
    json first = Render(doc);
    std::map<std::string, std::string> before, after;
    CollectLeaves(first["product_tree"]["branches"], before);

    // Same doc twice: identical bytes.
    CsafPublisher publisher;
    EXPECT_EQ(*RenderCsaf(doc, publisher, CsafLanguage::kEn), *RenderCsaf(doc, publisher, CsafLanguage::kEn));

    // Vendors, products and ranges in another order, one more vendor: the ids of the old leaves are unchanged.
    std::reverse(doc.vendors.begin(), doc.vendors.end());
    std::reverse(doc.vendors.back().products.begin(), doc.vendors.back().products.end());
    std::reverse(doc.vendors.back().products.back().versions.begin(),
                 doc.vendors.back().products.back().versions.end());
    AdvisoryVendor late;
    late.vendor_key = "v9";
    late.name = {"", "Late Vendor"};
    doc.vendors.push_back(late);
    CollectLeaves(Render(doc)["product_tree"]["branches"], after);
    for (const auto& [id, name] : before) {
        ASSERT_TRUE(after.count(id)) << id;
        EXPECT_EQ(after[id], name);
    }
    EXPECT_EQ(after.size(), before.size() + 1);

    // The Japanese document uses the same ids.
    std::map<std::string, std::string> ja;
    CollectLeaves(Render(MultiVendorAdvisory(), CsafLanguage::kJa)["product_tree"]["branches"], ja);
    for (const auto& [id, name] : before) EXPECT_TRUE(ja.count(id)) << id;
}

TEST(CsafTest, JapaneseDocumentAndFallbackToOtherLanguage) {
    json ja = Render(MultiVendorAdvisory(), CsafLanguage::kJa);
    EXPECT_EQ(ja["document"]["lang"], "ja");
    EXPECT_EQ(ja["document"]["title"], "○○ルータにおける OS コマンドインジェクションの脆弱性");
    EXPECT_EQ(ja["document"]["tracking"]["revision_history"][1]["summary"], "ベンダ情報を更新");
    EXPECT_EQ(ja["document"]["references"][0]["url"], "https://cert.example.jp/advisories/JVNVU12345678");

    // English export of a Japanese-only advisory falls back to the Japanese text instead of dropping it.
    json minimal = Render(MinimalAdvisory(), CsafLanguage::kEn);
    EXPECT_EQ(minimal["document"]["title"], "サンプル製品におけるクロスサイトスクリプティングの脆弱性");
    EXPECT_FALSE(minimal["vulnerabilities"][0].contains("cve"));
    EXPECT_EQ(minimal["vulnerabilities"][0]["title"], minimal["document"]["title"]);
    EXPECT_FALSE(minimal["vulnerabilities"][0].contains("scores"));
    EXPECT_EQ(minimal["vulnerabilities"][0]["product_status"]["under_investigation"][0], "CSAFPID-sample");
    EXPECT_EQ(minimal["document"]["references"].size(), 1u);  // only the self link
}

TEST(CsafTest, BadDocsAreRefusedNamingTheField) {
    CsafPublisher publisher;
    auto field_of = [&](const AdvisoryDoc& doc) {
        auto result = RenderCsaf(doc, publisher, CsafLanguage::kEn);
        EXPECT_FALSE(result.ok());
        return result.ok() ? std::string() : result.error().field();
    };
    AdvisoryDoc doc = MultiVendorAdvisory();
    doc.id.clear();
    EXPECT_EQ(field_of(doc), "id");
    doc = MultiVendorAdvisory();
    doc.revisions.clear();
    EXPECT_EQ(field_of(doc), "revisions");
    doc = MultiVendorAdvisory();
    doc.vendors[1].vendor_key = "v1";
    EXPECT_EQ(field_of(doc), "vendors[1].vendor_key");
    doc = MultiVendorAdvisory();
    doc.vendors[0].products[1].product_key = "bad key/";
    EXPECT_EQ(field_of(doc), "vendors[0].products[1].product_key");
    doc = MultiVendorAdvisory();
    doc.cve_ids[1] = "CVE-26-1";
    EXPECT_EQ(field_of(doc), "cve_ids[1]");
    doc = MultiVendorAdvisory();
    doc.analysis.cvss_v31->vector = "CVSS:3.1/AV:Q";
    EXPECT_EQ(field_of(doc), "analysis.cvss_v31.vector");
    doc = MultiVendorAdvisory();
    doc.vendors.clear();
    EXPECT_EQ(field_of(doc), "vendors");
}

TEST(CsafTest, InvalidUtf8IsReplacedNotThrown) {
    AdvisoryDoc doc = MultiVendorAdvisory();
    doc.title.en = "bad \xff\xfe bytes";
    doc.vendors[0].name.en = "\xc3";
    json csaf = Render(doc);
    EXPECT_EQ(csaf["document"]["title"], "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

TEST(CsafTest, FileNamesFollowTheSpecRule) {
    EXPECT_EQ(CsafFileName("JVNVU#12345678"), "jvnvu_12345678.json");
    EXPECT_EQ(CsafFileName("JVN#00000001"), "jvn_00000001.json");
    EXPECT_EQ(CsafFileName("cisco-sa-20180328-smi2"), "cisco-sa-20180328-smi2.json");
    EXPECT_EQ(CsafFileName("RHSA-2021:5186"), "rhsa-2021_5186.json");
    EXPECT_EQ(CsafFileName("A  B..C+1"), "a_b_c+1.json");
    EXPECT_EQ(CsafDistributionPath(MultiVendorAdvisory()), "2026/jvnvu_12345678.json");
}

TEST(CsafTest, IndexAndChangesAreNewestFirst) {
    std::vector<AdvisoryDoc> docs = {MinimalAdvisory(), MultiVendorAdvisory()};
    EXPECT_EQ(RenderCsafIndex(docs), "2026/jvnvu_12345678.json\n2025/jvn_00000001.json\n");
    EXPECT_EQ(RenderCsafChanges(docs),
              "\"2026/jvnvu_12345678.json\",\"2026-04-01T05:30:00Z\"\n"
              "\"2025/jvn_00000001.json\",\"2025-12-24T06:00:00Z\"\n");
    EXPECT_EQ(RenderCsafIndex({}), "");
}

TEST(CsafTest, ProviderMetadataNamesTheDistributionDirectory) {
    CsafPublisher publisher;
    publisher.name = "Test CERT";
    publisher.namespace_url = "https://cert.example.jp";
    json metadata = json::parse(RenderProviderMetadata(publisher, "https://cert.example.jp", At("2026-04-01T05:30:00Z")));
    EXPECT_EQ(metadata["canonical_url"], "https://cert.example.jp/.well-known/csaf/provider-metadata.json");
    EXPECT_EQ(metadata["distributions"][0]["directory_url"], "https://cert.example.jp/.well-known/csaf/white/");
    EXPECT_EQ(metadata["last_updated"], "2026-04-01T05:30:00Z");
    EXPECT_EQ(metadata["role"], "csaf_provider");
    EXPECT_EQ(metadata["metadata_version"], "2.0");
    EXPECT_EQ(metadata["publisher"]["category"], "coordinator");
}

}  // namespace
}  // namespace kizuna::formats
