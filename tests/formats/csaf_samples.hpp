// Advisories built in code for the CSAF / CVE JSON 5 / feed tests and for the validator run
// (tests/validators): a multi-vendor advisory with every vendor status, an unreachable vendor, CVSS v3.1 and
// v4.0, two CVEs and an update; and a minimal Japanese-only one without CVE or score.
#pragma once

#include <vector>

#include "core/clock.hpp"
#include "formats/advisory_doc.hpp"

namespace kizuna::formats::testing {

inline core::WallTime At(const char* rfc3339) { return *core::ParseRfc3339(rfc3339); }

inline AdvisoryDoc MultiVendorAdvisory() {
    AdvisoryDoc doc;
    doc.id = "JVNVU#12345678";
    doc.title = {"○○ルータにおける OS コマンドインジェクションの脆弱性",
                 "OS command injection vulnerability in <Router> X1000 & X2000"};
    doc.overview = {"○○ルータには OS コマンドインジェクションの脆弱性が存在します。",
                    "Routers X1000 and X2000 contain an OS command injection vulnerability."};
    doc.affected_systems = {"X1000 ファームウェア 4.2.0 から 4.2.7", "X1000 firmware 4.2.0 to 4.2.7"};
    doc.details = {"管理画面の ping 機能に細工した入力を与えると任意のコマンドが実行されます。",
                   "Crafted input to the ping function of the admin page runs arbitrary commands."};
    doc.impact = {"遠隔の第三者によって任意の OS コマンドを実行される可能性があります。",
                  "A remote attacker may execute arbitrary OS commands."};
    doc.solution = {"ファームウェアを最新版へアップデートしてください。", "Update the firmware to the latest version."};
    doc.coordinator_notes = {"", "Exploitation has not been observed."};
    doc.analysis.text = {"ネットワーク経由で認証なしに攻撃可能です。", "Exploitable over the network without authentication."};
    doc.analysis.cvss_v31 = CvssV31Assessment{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "Critical"};
    doc.analysis.cvss_v40 =
        CvssV40Assessment{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "Critical"};
    doc.acknowledgements = {"山田太郎 氏", "Taro Yamada"};
    doc.cve_ids = {"CVE-2026-10001", "CVE-2026-10002"};
    doc.source = AdvisorySource::kDomestic;
    doc.references = {{"https://example.org/research/x1000", {"研究報告", "Research report"}}};
    doc.related = {{"VU#987654", {"", "CERT/CC VU#987654"}, "https://kb.cert.org/vuls/id/987654"}};

    AdvisoryVendor acme;
    acme.vendor_key = "v1";
    acme.name = {"株式会社アクメ", "ACME Corporation"};
    acme.status = AdvisoryVendorStatus::kAffected;
    acme.comment = {"修正版を公開しました。", "A fixed version has been released."};
    acme.announcement_url = "https://acme.example.com/security/2026-01";
    acme.products = {
        {"router-x1000", {"X1000", "X1000"}, {{"4.2.0 to 4.2.7", "4.2.0", "4.2.8", ""}, {"3.x", "", "", ""}}},
        {"router-x2000", {"X2000", "X2000"}, {}},
    };
    AdvisoryVendor beta;
    beta.vendor_key = "v2";
    beta.name = {"ベータソリューション", "Beta Solutions"};
    beta.status = AdvisoryVendorStatus::kNotAffected;
    AdvisoryVendor gamma;
    gamma.vendor_key = "v3";
    gamma.name = {"ガンマ情報システム", "Gamma Information Systems"};
    gamma.status = AdvisoryVendorStatus::kUnknown;
    AdvisoryVendor delta;
    delta.vendor_key = "v4";
    delta.name = {"デルタ情報産業株式会社", "Delta Info Industries"};
    delta.status = AdvisoryVendorStatus::kNotAffectedInvestigating;
    AdvisoryVendor epsilon;
    epsilon.vendor_key = "v5";
    epsilon.name = {"イプシロン システムズ", "Epsilon Systems"};
    epsilon.status = AdvisoryVendorStatus::kAffectedInvestigating;
    epsilon.products = {{"cam-1", {"カメラ 1", "Camera 1"}, {{"all versions", "", "", ""}}}};
    AdvisoryVendor zeta;
    zeta.vendor_key = "v6";
    zeta.name = {"ゼータ電子", "Zeta Electronics"};
    zeta.status = AdvisoryVendorStatus::kAffected;
    zeta.unreachable = true;
    zeta.unreachable_since = At("2025-09-01T00:00:00Z");
    zeta.products = {{"nas-z", {"NAS-Z", "NAS-Z"}, {{"1.0", "", "", "1.0"}}}};
    doc.vendors = {acme, beta, gamma, delta, epsilon, zeta};
    doc.vendor_statements = {{"v1", {"アクメは本件に迅速に対応しました。", "ACME responded promptly."}}};

    doc.first_published = At("2026-03-10T02:00:00Z");
    doc.last_updated = At("2026-04-01T05:30:00Z");
    doc.revisions = {{At("2026-03-10T02:00:00Z"), {"公開", "Published"}},
                     {At("2026-04-01T05:30:00Z"), {"ベンダ情報を更新", "Vendor information updated"}}};
    doc.published = true;
    return doc;
}

inline AdvisoryDoc MinimalAdvisory() {
    AdvisoryDoc doc;
    doc.id = "JVN#00000001";
    doc.title = {"サンプル製品におけるクロスサイトスクリプティングの脆弱性", ""};
    doc.overview = {"サンプル製品にはクロスサイトスクリプティングの脆弱性が存在します。", ""};
    AdvisoryVendor vendor;
    vendor.vendor_key = "sample";
    vendor.name = {"サンプル株式会社", ""};
    vendor.status = AdvisoryVendorStatus::kNotAffectedInvestigating;
    doc.vendors = {vendor};
    doc.source = AdvisorySource::kCertCc;
    doc.first_published = At("2025-12-24T06:00:00Z");
    doc.last_updated = doc.first_published;
    doc.revisions = {{doc.first_published, {"公開", "Published"}}};
    doc.published = true;
    return doc;
}

inline std::vector<AdvisoryDoc> SampleAdvisories() { return {MultiVendorAdvisory(), MinimalAdvisory()}; }

}  // namespace kizuna::formats::testing
