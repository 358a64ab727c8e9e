// Demo data for `kizuna demo`: the accounts of a small national coordination center and its partners.
// Later parts (cases, advisories, incidents, observation) add their own demo data here.
#include <array>
#include <cstdio>

#include "commands.hpp"
#include "mail/mail.hpp"
#include "observe/export/export.hpp"

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

core::Result<vuln::VendorId> RegisteredVendor(Center& c, const vuln::NewVendor& v, const vuln::Contact& contact,
                                               const std::string& member) {
    KZ_ASSIGN(vuln::VendorId id, c.vendors->Create(v, "demo"));
    KZ_TRY(c.vendors->AddContact(id, contact, "demo"));
    if (v.kind == vuln::RegistrationKind::kGeneral) {
        KZ_TRY(c.vendors->AgreeToTerms(id, c.config.vuln.terms_version, "demo"));
        for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                        vuln::RegistrationState::kRegistered})
            KZ_TRY(c.vendors->Advance(id, st, "demo", ""));
    } else {
        KZ_TRY(c.vendors->Advance(id, vuln::RegistrationState::kRegistered, "demo", "individual registration by e-mail"));
    }
    if (!member.empty()) {
        KZ_ASSIGN(auto user, c.users->FindByName(member));
        if (user) KZ_TRY(c.vendors->AddMember(id, user->id, "demo"));
    }
    return id;
}

// Demo only: moves a published case's release back in time, as if it had been published `days_ago`.
core::Status Backdate(Center& c, vuln::CaseId id, int days_ago) {
    const std::string at = core::FormatRfc3339(core::RealClock().Now() - std::chrono::days(days_ago));
    return c.db->InTransaction([&](store::Connection& conn) -> core::Status {
        KZ_TRY(conn.Exec("UPDATE cases SET published_at = ? WHERE id = ?", {at, id.value()}));
        KZ_TRY(conn.Exec("UPDATE advisory_revisions SET at = ? WHERE advisory = "
                         "(SELECT id FROM advisories WHERE case_id = ?)",
                         {at, id.value()}));
        return conn.Exec("UPDATE status_reports SET reported_at = ? WHERE case_id = ?", {at, id.value()});
    });
}

core::Status Release(Center& c, vuln::CaseId id) {
    return c.db->InTransaction([&](store::Connection& conn) { return c.schedule->Release(conn, id); });
}

// Advisories (V14, V15, V19): the UPnP advisory written and still under embargo (its preview is on the case),
// the PNG advisory published a month ago with a vendor update after publication, the camera advisory
// published with its unreachable vendor (figure 3), and an older CERT/CC one for the statistics.
core::Status SeedAdvisories(Center& c, const vuln::Caller& coord, std::array<vuln::CaseId, 3> cases,
                            vuln::VendorId komorebi, vuln::VendorId hikari) {
    const auto [upnp, png, cam] = cases;
    vuln::AdvisoryContent a;
    a.title = {"UPnP SSDP 処理におけるスタックベースのバッファオーバーフローの脆弱性",
               "Stack-based buffer overflow in UPnP SSDP handling"};
    a.overview = {"複数のルーター製品が利用する UPnP 実装には、スタックベースのバッファオーバーフローの脆弱性が存在します。",
                  "A UPnP implementation used by several router products contains a stack-based buffer overflow."};
    a.affected_systems = {"libupnp 1.14.17 およびそれ以前を組み込んだ製品", "Products that embed libupnp 1.14.17 and earlier"};
    a.details = {"SSDP の M-SEARCH リクエストの ST ヘッダの長さが検証されていません。", "The length of the ST header of SSDP M-SEARCH requests is not checked."};
    a.impact = {"LAN 内の第三者によって、任意のコードを実行される可能性があります。", "An attacker on the LAN may execute arbitrary code."};
    a.solution = {"開発者が提供する情報をもとに、ファームウェアをアップデートしてください。", "Update the firmware according to the information provided by the vendor."};
    a.cvss31_vector = "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    a.cvss40_vector = "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
    a.cve_ids = {"CVE-2026-41001"};
    a.acknowledgements = {"この脆弱性情報は、東都大学 田中 誠 氏が報告し、調整を行いました。", "Makoto Tanaka of Toto University reported this vulnerability."};
    KZ_TRY(c.advisories->Save(upnp, a, {}, coord));

    vuln::AdvisoryContent p;
    p.title = {"Komorebi Viewer における PNG 画像処理の領域外読み込みの脆弱性", "Out-of-bounds read in Komorebi Viewer PNG handling"};
    p.overview = {"こもれびソフトが提供する Komorebi Viewer には、領域外読み込みの脆弱性が存在します。",
                  "Komorebi Viewer provided by Komorebi Soft contains an out-of-bounds read vulnerability."};
    p.affected_systems = {"Komorebi Viewer 3.2.0 およびそれ以前", "Komorebi Viewer 3.2.0 and earlier"};
    p.details = {"tEXt チャンクの長さの処理に整数オーバーフローがあります。", "An integer overflow occurs when handling the length of a tEXt chunk."};
    p.impact = {"細工された画像を開くと、メモリ上の情報が漏えいする可能性があります。", "Opening a crafted image may disclose memory contents."};
    p.solution = {"最新版へアップデートしてください。", "Update to the latest version."};
    p.coordinator_notes = {"本脆弱性の実証コードが公開掲示板に投稿されたため、公表日を前倒ししました。",
                           "Publication was brought forward because proof-of-concept code appeared on a public forum."};
    p.cvss31_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N";
    p.cve_ids = {"CVE-2026-41002"};
    p.references = {{"https://www.libpng.org/pub/png/spec/", {"PNG 仕様", "PNG specification"}}};
    p.products = {{komorebi, {"komorebi-viewer", {"Komorebi Viewer", "Komorebi Viewer"}, {{"3.2.0 以前", "", "3.2.1", ""}}}}};
    KZ_TRY(c.advisories->Save(png, p, {}, coord));
    KZ_TRY(Release(c, png));
    KZ_TRY(Backdate(c, png, 30));
    // After publication (V15): the vendor reports, appended to the update history with today's date.
    KZ_TRY(c.cases->ReportStatus(png, {vuln::VendorStatus::kAffected, "バージョン 3.2.1 で修正しました。",
                                       {"https://komorebi.example.jp/security/2026-01.html"}},
                                 coord, komorebi));

    vuln::AdvisoryContent u;
    u.title = {"Unknown Cam 製ネットワークカメラにおける認証回避の脆弱性", "Authentication bypass in Unknown Cam network cameras"};
    u.overview = {"Unknown Cam 製のネットワークカメラには、認証回避の脆弱性が存在します。",
                  "Network cameras by Unknown Cam contain an authentication bypass vulnerability."};
    u.affected_systems = {"UC-200", "UC-200"};
    u.details = {"管理画面の CGI において、ユーザー名の検証に不備があります。", "The management CGI does not validate the user name correctly."};
    u.impact = {"遠隔の第三者によって、管理者としてログインされる可能性があります。", "A remote attacker may log in as an administrator."};
    u.cvss31_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    u.cve_ids = {"CVE-2026-41003"};
    KZ_TRY(c.advisories->Save(cam, u, {}, coord));
    KZ_TRY(Release(c, cam));

    // An older advisory via CERT/CC, so the statistics have more than one quarter.
    vuln::NewCase old;
    old.title = "HN Gateway の VPN 機能における証明書検証不備";
    old.summary = "VPN クライアントがサーバ証明書を検証していません。";
    old.details = "TLS handshake accepts any certificate.";
    old.source = vuln::Source::kCertCc;
    old.products = {"HN Gateway 5"};
    KZ_ASSIGN(vuln::Receipt r5, c.cases->Submit(old, coord));
    KZ_TRY(c.cases->Verify(r5.id, vuln::Verification::kReproduced, "", coord));
    KZ_TRY(c.cases->AddVendor(r5.id, hikari, coord));
    KZ_TRY(c.cases->DiscloseDetails(r5.id, hikari, true, coord));
    KZ_TRY(c.cases->ReportStatus(r5.id, {vuln::VendorStatus::kAffected, "Fixed in firmware 5.2.",
                                         {"https://hikari-net.example.com/security/HN-2026-01"}},
                                 coord, hikari));
    vuln::AdvisoryContent o;
    o.title = {"HN Gateway の VPN 機能における証明書検証不備の脆弱性", "Improper certificate validation in HN Gateway VPN"};
    o.overview = {"HN Gateway の VPN 機能には、サーバ証明書を適切に検証しない脆弱性が存在します。",
                  "The VPN function of HN Gateway does not validate server certificates."};
    o.impact = {"中間者攻撃により通信内容を取得される可能性があります。", "A man-in-the-middle may read the traffic."};
    o.solution = {"ファームウェア 5.2 にアップデートしてください。", "Update to firmware 5.2."};
    o.cvss31_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N";
    o.related = {{"VU#482001", {"CERT/CC Vulnerability Note", "CERT/CC Vulnerability Note"}, "https://www.kb.cert.org/vuls/id/482001"}};
    KZ_TRY(c.advisories->Save(r5.id, o, {}, coord));
    KZ_TRY(Release(c, r5.id));
    KZ_TRY(Backdate(c, r5.id, 200));
    return core::Ok();
}

// The mail gateway (V17, I1): the vendor's unsigned answer by mail — held on /mail as unverified with the
// vendor it claims to be, since only a good signature by the vendor's registered key puts mail into its
// thread —, a new report by mail from a researcher without an account (an incoming report on /mail), and a
// message without a sender that waits in quarantine with its reason. Delivered through the same
// InboundService path as the LMTP listener.
core::Status SeedDemoMail(Center& c, vuln::CaseId upnp, const vuln::Caller& coord) {
    KZ_ASSIGN(vuln::CaseView view, c.cases->Get(upnp, coord));
    const std::string messages[] = {
        "From: Emily Chen <security@hikari-net.example.com>\r\nTo: vuls@center.example\r\n"
        "Subject: Re: [" + view.identifier + "] HN Gateway 5\r\nMessage-ID: <demo-hikari-1@hikari-net.example.com>\r\n"
        "Date: Fri, 20 Nov 2026 09:12:00 -0800\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "Hello,\r\n\r\nWe reproduced the SSDP overflow on HN Gateway 5 firmware 5.1.x. A fixed firmware (5.2.0)\r\n"
        "is in QA; we expect to ship it before the agreed publication date.\r\n\r\nEmily Chen, Hikari Networks PSIRT\r\n",
        "From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@lab.research.example>\r\nTo: vuls@center.example\r\n"
        "Subject: =?UTF-8?B?44OV44Kh44Kk44Or5YWx5pyJ44K144O844OQ44O844Gu6KqN6Ki85Zue6YG/44Gr44Gk44GE44Gm?=\r\n"
        "Message-ID: <demo-report-1@lab.research.example>\r\nDate: Sat, 21 Nov 2026 22:40:00 +0900\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "ファイル共有サーバー製品 FS-300 の管理画面で、細工した Cookie によりログインを回避できることを確認しました。\r\n"
        "再現手順と影響範囲をまとめましたので、調整をお願いします。\r\n",
        "To: vuls@center.example\r\nSubject: (no sender)\r\nMessage-ID: <demo-nosender@relay.example>\r\n"
        "Content-Type: text/plain\r\n\r\nthis message came without a From header\r\n",
    };
    for (const std::string& raw : messages) KZ_TRY(c.mail_inbound->Deliver(raw, "lmtp"));
    return core::Ok();
}

// Two registered general vendors with products and keyword answers, an individually registered one and
// an unregistered one; a two-vendor case in coordination, a fresh report awaiting verification, and a
// single-vendor case for the individual registration.
core::Status SeedVulnerabilityCoordination(Center& c) {
    KZ_ASSIGN(vuln::VendorId sakura,
              RegisteredVendor(c, {"さくら電機株式会社", "Sakura Denki Co., Ltd.", vuln::RegistrationKind::kGeneral,
                                   "https://sakura-denki.example.jp", "東京都千代田区丸の内 1-1-1"},
                               {0, "佐藤 健一 (製品脆弱性対策管理者)", "psirt@sakura-denki.example.jp", "03-1234-5678", true},
                               "sakura-psirt"));
    KZ_TRY(c.vendors->AddProduct(sakura, "SR-1000 Router",
                                 {{"libupnp", "1.14.12", "pkg:generic/libupnp@1.14.12"},
                                  {"openssl", "3.0.7", "pkg:generic/openssl@3.0.7"},
                                  {"busybox", "1.36.1", ""}},
                                 "demo"));
    KZ_TRY(c.vendors->AddProduct(sakura, "SR-NAS 200", {{"samba", "4.17.5", ""}, {"openssl", "3.0.7", ""}}, "demo"));
    KZ_TRY(c.vendors->SetKeywords(sakura, {"upnp", "router", "nas", "http-server"}, "demo"));
    KZ_ASSIGN(vuln::VendorId hikari,
              RegisteredVendor(c, {"Hikari Networks Inc.", "Hikari Networks Inc.", vuln::RegistrationKind::kGeneral,
                                   "https://hikari-net.example.com", ""},
                               {0, "Emily Chen", "security@hikari-net.example.com", "+1-555-0100", true},
                               "hikari-security"));
    KZ_TRY(c.vendors->AddProduct(hikari, "HN Gateway 5", {{"libupnp", "1.14.16", ""}, {"lighttpd", "1.4.69", ""}}, "demo"));
    KZ_TRY(c.vendors->SetKeywords(hikari, {"upnp", "gateway", "vpn"}, "demo"));
    KZ_ASSIGN(vuln::VendorId komorebi,
              RegisteredVendor(c, {"こもれびソフト", "Komorebi Soft", vuln::RegistrationKind::kIndividual, "", ""},
                               {0, "木下 葵", "vuln@komorebi.example.jp", "", true}, ""));
    KZ_TRY(c.vendors->AddProduct(komorebi, "Komorebi Viewer", {{"libpng", "1.6.37", ""}}, "demo"));
    KZ_ASSIGN(vuln::VendorId unknown_cam,
              c.vendors->Create({"Unknown Cam Co.", "", vuln::RegistrationKind::kUnregistered}, "demo"));

    KZ_ASSIGN(auto coordinator_user, c.users->FindByName("coordinator"));
    KZ_ASSIGN(auto finder_user, c.users->FindByName("finder-tanaka"));
    if (!coordinator_user || !finder_user) return core::Internal("demo accounts missing");
    auth::Principal coordinator{coordinator_user->id, "coordinator", coordinator_user->display_name,
                                auth::Role::kCoordinator, false};
    auth::Principal finder{finder_user->id, "finder-tanaka", finder_user->display_name, auth::Role::kReporter,
                           false};
    const vuln::Caller coord{&coordinator, std::nullopt};

    // 1. A two-vendor UPnP case in coordination.
    vuln::NewCase upnp;
    upnp.title = "UPnP SSDP 処理におけるスタックベースのバッファオーバーフロー";
    upnp.summary = "複数のルーター製品が利用する UPnP 実装に、遠隔から任意のコードを実行される可能性がある脆弱性が報告されています。"
                   "UPnP の実装を用いた製品はありますか？";
    upnp.details = "libupnp 1.14.17 以前の ssdp_server.c は M-SEARCH リクエストの ST ヘッダを固定長のスタックバッファに"
                   "複写する際に長さを検証しない。4096 バイトを超える ST ヘッダを UDP 1900 番に送ると戻りアドレスを"
                   "上書きできる。\n再現: python3 poc_ssdp.py 192.0.2.10";
    upnp.keywords = {"upnp", "router"};
    upnp.components = {{"libupnp", "< 1.14.18"}};
    upnp.products = {"SR-1000 Router", "HN Gateway 5"};
    KZ_ASSIGN(vuln::Receipt r1, c.cases->Submit(upnp, vuln::Caller{&finder, std::nullopt}));
    KZ_TRY(c.cases->Verify(r1.id, vuln::Verification::kReproduced, "SR-1000 ファームウェア 2.3.0 で再現", coord));
    KZ_TRY(c.cases->AddAttachment(r1.id, "poc_ssdp.py", vuln::AttachmentKind::kPoc, "text/x-python",
                                  "import socket\n# sends an M-SEARCH with a 5000-byte ST header\n", coord)
               .ok()
               ? core::Ok()
               : core::Internal("attachment"));
    for (vuln::VendorId v : {sakura, hikari}) {
        KZ_TRY(c.cases->AddVendor(r1.id, v, coord));
        KZ_TRY(c.cases->SendSummary(r1.id, v, coord));
    }
    KZ_ASSIGN(auto sakura_user, c.users->FindByName("sakura-psirt"));
    KZ_ASSIGN(auto hikari_user, c.users->FindByName("hikari-security"));
    auth::Principal sakura_p{sakura_user->id, "sakura-psirt", sakura_user->display_name, auth::Role::kVendor, false};
    auth::Principal hikari_p{hikari_user->id, "hikari-security", hikari_user->display_name, auth::Role::kVendor,
                             false};
    KZ_TRY(c.cases->AnswerSummary(r1.id, vuln::Answer::kRequestDetails, vuln::Caller{&sakura_p, sakura}));
    KZ_TRY(c.cases->AnswerSummary(r1.id, vuln::Answer::kRequestDetails, vuln::Caller{&hikari_p, hikari}));
    KZ_TRY(c.cases->DiscloseDetails(r1.id, sakura, false, coord));
    KZ_TRY(c.cases->DiscloseDetails(r1.id, hikari, false, coord));
    KZ_TRY(c.cases->ReportStatus(r1.id,
                                 {vuln::VendorStatus::kAffected, "SR-1000 ファームウェア 2.4.1 で修正しました。",
                                  {"https://sakura-denki.example.jp/psirt/2026-003.html"}, "SR-1000 Router 2.0-2.3",
                                  "ファームウェア更新、回避策として UPnP を無効化", "2026-12-15 修正版公開"},
                                 vuln::Caller{&sakura_p, sakura}));
    KZ_TRY(c.cases->AddCountermeasure(r1.id, {"SR-1000 Router", "UPnP 機能を無効にする", "ファームウェア 2.4.1", "2.4.1"},
                                      vuln::Caller{&sakura_p, sakura}));
    KZ_TRY(c.cases->PostMessage(r1.id, "vendor:" + std::to_string(hikari.value()),
                                "HN Gateway 5 の調査状況を 12 月 5 日までにお知らせください。", coord)
               .ok()
               ? core::Ok()
               : core::Internal("message"));
    KZ_TRY(c.cases->AddVendor(r1.id, unknown_cam, coord));
    KZ_TRY(c.cases->RequestRegistration(r1.id, unknown_cam, vuln::Channel::kEmail, "info@unknowncam.example", coord));
    KZ_TRY(SeedDemoMail(c, r1.id, coord));

    // 2. A fresh report from the finder, awaiting verification.
    vuln::NewCase xss;
    xss.title = "HN Gateway 5 管理画面におけるクロスサイトスクリプティング";
    xss.summary = "管理画面の一部ページで入力値のエスケープ漏れがあります。";
    xss.details = "/admin/status?name=<script>alert(1)</script> の name パラメータがそのまま出力される。";
    xss.products = {"HN Gateway 5"};
    xss.keywords = {"http-server"};
    KZ_TRY(c.cases->Submit(xss, vuln::Caller{&finder, std::nullopt}).ok() ? core::Ok() : core::Internal("xss case"));

    // 3. The individually registered vendor: its own product, details sent directly.
    vuln::NewCase png;
    png.title = "Komorebi Viewer における細工された PNG 画像の処理による領域外読み込み";
    png.summary = "画像ビューアに、細工された画像を開くと情報漏えいにつながる可能性がある脆弱性があります。";
    png.details = "tEXt チャンクの長さ 0xFFFFFFF0 で整数オーバーフローが起き、ヒープ外を読む。";
    png.source = vuln::Source::kDomestic;
    png.products = {"Komorebi Viewer"};
    png.components = {{"libpng", "1.6.37"}};
    KZ_ASSIGN(vuln::Receipt r3, c.cases->Submit(png, coord));
    KZ_TRY(c.cases->Verify(r3.id, vuln::Verification::kReproduced, "", coord));
    KZ_TRY(c.cases->AddVendor(r3.id, komorebi, coord));
    KZ_TRY(c.cases->DiscloseDetails(r3.id, komorebi, true, coord));

    // Schedules: the UPnP case has a decided instant 20 days ahead (10:00 JST); the PNG case a proposal.
    const auto now = core::RealClock().Now();
    const auto day = std::chrono::floor<std::chrono::days>(now);
    KZ_TRY(c.schedule->Decide(r1.id, day + std::chrono::days(20) + std::chrono::hours(1),
                              "firmware release of the first vendor", coord));
    KZ_TRY(c.schedule->Propose(r3.id, day + std::chrono::days(40) + std::chrono::hours(1), "vendor fix time", coord));

    // Critical-infrastructure registry and a pending early notice for the UPnP case (V11).
    vuln::NewOrganization bank{"みなと銀行 CSIRT", vuln::Sector::kFinance,
                               {{0, "情報セキュリティ室", "csirt@minato-bank.example.jp", "03-5555-0101"}}};
    vuln::NewOrganization carrier{"東和通信 SOC", vuln::Sector::kTelecom,
                                  {{0, "SOC 当番", "soc@towa-tel.example.jp", "03-5555-0202"}}};
    KZ_TRY(c.infrastructure->Create(bank, "demo").ok() ? core::Ok() : core::Internal("infra"));
    KZ_TRY(c.infrastructure->Create(carrier, "demo").ok() ? core::Ok() : core::Internal("infra"));
    KZ_TRY(c.early_notices
                   ->Request(r1.id, {"finance", "telecom"}, vuln::NoticeContent::kInformationAndCountermeasures,
                             "家庭用ルーターを業務で使う支店・基地局が多いため", coord)
                   .ok()
               ? core::Ok()
               : core::Internal("early notice"));

    // International coordination (V18): CERT/CC also coordinates the UPnP case with its own vendors.
    KZ_ASSIGN(vuln::CoordinatorId certcc,
              c.international->AddCoordinator(r1.id, {"CERT/CC", "US", "cert@cert.example.org", "VU#482913",
                                                      "US vendors of the same SDK", {"Skyline Routers LLC"}},
                                              coord));
    KZ_TRY(c.international->SetConstraint(
        r1.id, certcc,
        {core::FormatRfc3339(day + std::chrono::days(14)), core::FormatRfc3339(day + std::chrono::days(30)),
         "US vendor patch cycle"},
        coord));

    // Secondary distribution (V16): the vendor names its subcontractor, which may claim with the identifier.
    KZ_TRY(c.secondary
                   ->RegisterRelated(r1.id, {"株式会社ことり設計", "小鳥遊 翔", "security@kotori-sekkei.example.jp", "06-5555-0303"},
                                     vuln::Caller{&sakura_p, sakura})
                   .ok()
               ? core::Ok()
               : core::Internal("related organisation"));

    // Unreachable vendor (V5): contact with Unknown Cam Co. began long ago on another case; three months
    // without an answer, so the coordinator declared it unreachable.
    vuln::NewCase cam;
    cam.title = "Unknown Cam IP カメラにおける認証回避";
    cam.summary = "ネットワークカメラの管理画面に認証を回避される脆弱性があります。";
    cam.details = "/cgi-bin/admin.cgi?user=admin%00 で認証が省略される。";
    cam.products = {"UC-200"};
    KZ_ASSIGN(vuln::Receipt r4, c.cases->Submit(cam, coord));
    KZ_TRY(c.cases->Verify(r4.id, vuln::Verification::kReproduced, "", coord));
    KZ_TRY(c.cases->AddVendor(r4.id, unknown_cam, coord));
    KZ_TRY(c.cases->LogContactAttempt(r4.id, unknown_cam, vuln::Channel::kEmail, "support@unknowncam.example",
                                      "request to register", coord));
    KZ_TRY(c.cases->LogContactAttempt(r4.id, unknown_cam, vuln::Channel::kPostal, "Unknown Cam Co., Shenzhen",
                                      "letter", coord));
    {
        // Demo only: date the attempts back four months, as if they had been made then.
        KZ_ASSIGN(auto lease, c.db->Acquire());
        KZ_TRY(lease->Exec("UPDATE contact_attempts SET at = ? WHERE case_id = ?",
                           {core::FormatRfc3339(now - std::chrono::days(120)), r4.id.value()}));
    }
    KZ_TRY(c.schedule->DeclareUnreachable(r4.id, unknown_cam, coord));

    // A leak: the PoC of the PNG case appeared on a forum, so publication was brought forward.
    KZ_TRY(c.schedule->Decide(r3.id, day + std::chrono::days(40) + std::chrono::hours(1), "vendor fix time", coord));
    KZ_TRY(c.schedule->ReportLeak(r3.id, "PoC が公開掲示板に投稿された", day + std::chrono::days(3) + std::chrono::hours(1),
                                  coord));
    return SeedAdvisories(c, coord, {r1.id, r3.id, r4.id}, komorebi, hikari);
}

// Partner CSIRTs for the daily IODEF mail (O5): one with an OpenPGP key (made here, in the data directory's
// demo-partner-gnupg, as the partner would send it), one still without a key, so /observe/partners shows
// both states.
core::Status SeedDemoPartners(Center& c) {
    KZ_ASSIGN(auto partner_keyring, mail::CenterKeyring::Open(c.data_dir + "/demo-partner-gnupg"));
    KZ_ASSIGN(std::string fingerprint, partner_keyring.EnsureKey("KrCERT/CC (demo) <iodef@krcert.example>"));
    KZ_ASSIGN(std::string armored, partner_keyring.ExportPublicKey(fingerprint));
    observe::PartnerRegistry partners(*c.db, core::RealClock(), *c.audit);
    KZ_TRY(partners.Add({"KrCERT/CC", "iodef@krcert.example", "KR", armored}, "demo"));
    KZ_TRY(partners.Add({"TWCERT/CC", "scan-reports@twcert.example", "TW", ""}, "demo"));
    return core::Ok();
}

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
    KZ_TRY(SeedVulnerabilityCoordination(center));
    KZ_TRY(SeedDemoObservations(center));
    KZ_TRY(SeedDemoPartners(center));
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
