// V11: the critical-infrastructure registry and the four-eyes release of early notices (seed 001, 4-5).
#include "vuln/early_notice.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "mail/openpgp.hpp"
#include "vuln/internal/case_access.hpp"

namespace kizuna::vuln {

namespace {

constexpr std::array kSectors{Sector::kGovernment, Sector::kTelecom,     Sector::kFinance, Sector::kAviation,
                              Sector::kRailway,    Sector::kElectricity, Sector::kGas,     Sector::kMedical,
                              Sector::kWater,      Sector::kLogistics};
constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxReason = 4000;

std::string SectorList() {
    std::string out;
    for (Sector s : kSectors) out += (out.empty() ? "" : ", ") + std::string(Name(s));
    return out;
}

core::Status CheckContact(const OrganizationContact& contact) {
    if (contact.name.empty() || contact.name.size() > kMaxName)
        return core::InvalidArgument("must be 1-200 characters", "name");
    if (contact.email.empty() && contact.phone.empty())
        return core::InvalidArgument("a contact needs an e-mail address or a phone number", "email");
    if (!contact.email.empty() && (contact.email.find('@') == std::string::npos || contact.email.size() > 254))
        return core::InvalidArgument("must be an e-mail address", "email");
    return core::Ok();
}

core::Status InsertContact(store::Connection& c, OrganizationId org, const OrganizationContact& contact) {
    return c.Exec("INSERT INTO infra_contacts(org_id, name, email, phone, lang) VALUES (?, ?, ?, ?, ?)",
                  {org.value(), contact.name, contact.email, contact.phone, std::string(Name(contact.lang))});
}

core::Status AuditOrg(store::Connection& c, const auth::AuditLog& audit, std::string_view actor,
                      std::string_view action, OrganizationId org, std::string detail = {}) {
    auto seq = audit.Append(c, {std::string(actor), std::string(action), "infra_org:" + std::to_string(org.value()),
                                std::move(detail), ""});
    if (!seq.ok()) return seq.error();
    return core::Ok();
}

core::Result<bool> OrgExists(store::Connection& c, OrganizationId org) {
    KZ_ASSIGN(auto n, c.QueryInt("SELECT count(*) FROM infra_orgs WHERE id = ?", {org.value()}));
    return n != 0;
}

core::Status LoadDetails(store::Connection& c, Organization& org) {
    KZ_ASSIGN(auto contacts, c.Query("SELECT id, name, email, phone, lang FROM infra_contacts WHERE org_id = ?"
                                     " ORDER BY id",
                                     {org.id.value()}));
    for (const auto& r : contacts)
        org.contacts.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), MailLangOr(r.Text(4))});
    KZ_ASSIGN(auto keys, c.Query("SELECT fingerprint, user_ids, expires_at, can_encrypt, imported_at FROM infra_keys"
                                 " WHERE org_id = ? ORDER BY id",
                                 {org.id.value()}));
    for (const auto& r : keys) org.keys.push_back({r.Text(0), r.Text(1), r.Text(2), r.Int(3) != 0, r.Text(4)});
    return core::Ok();
}

// Sector names from the request, de-duplicated, in the canonical order.
core::Result<std::vector<Sector>> ParseSectors(const std::vector<std::string>& names) {
    if (names.empty()) return core::InvalidArgument("choose at least one sector: " + SectorList(), "sectors");
    std::vector<Sector> out;
    for (const auto& n : names) {
        auto s = ParseSector(n, "sectors");
        if (!s.ok()) return s.error();
        if (std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(*s);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string JoinSectors(const std::vector<Sector>& sectors) {
    std::string out;
    for (Sector s : sectors) out += (out.empty() ? "" : "\n") + std::string(Name(s));
    return out;
}

std::vector<Sector> SplitSectors(std::string_view text) {
    std::vector<Sector> out;
    for (const auto& line : detail::SplitLines(text))
        if (auto s = ParseSector(line); s.ok()) out.push_back(*s);
    return out;
}

// "?, ?, ?" and the sector names as parameters, for `sector IN (...)`.
std::string Placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
    return out;
}

struct CaseFacts {
    std::string identifier;
    std::string title;
    std::string summary;
};

// The rules that hold at request time and again at approval time (4-5: "unless providing it early
// would lead to a leak"). REQUIRES: `access` came from CheckCaseAccess for staff.
core::Result<CaseFacts> CheckReleasable(store::Connection& c, CaseId id, const detail::CaseAccess& access,
                                        const std::vector<Sector>& sectors) {
    if (access.verification != Verification::kReproduced)
        return core::FailedPrecondition("verify the report (reproduced) before giving early information");
    KZ_ASSIGN(auto row, c.QueryOne("SELECT identifier, title, summary, published, leak_risk FROM cases WHERE id = ?",
                                   {id.value()}));
    if (!row) return core::NotFound("no such case");
    if (row->Int(3) != 0)
        return core::FailedPrecondition("the case is already published: early information is for before publication");
    if (row->Text(4) != "normal")
        return core::FailedPrecondition(
            "the case's leak risk is high: early information would raise the risk of a "
            "leak (4-5), so none may be given");
    std::vector<store::Value> params;
    for (Sector s : sectors) params.emplace_back(std::string(Name(s)));
    KZ_ASSIGN(
        auto orgs,
        c.Query("SELECT count(*) FROM infra_orgs WHERE sector IN (" + Placeholders(sectors.size()) + ")", params));
    if (orgs.empty() || orgs.front().Int(0) == 0)
        return core::FailedPrecondition("no organization is registered in the chosen sectors (" + JoinSectors(sectors) +
                                        ")");
    return CaseFacts{row->Text(0), row->Text(1), row->Text(2)};
}

// The mail body: identifier, title, summary and, when asked for, the countermeasures recorded so far.
// Never the technical details (cases.details) nor attachments.
// What the early notice says about the case, in the recipient's language (the template wraps it).
core::Result<std::string> NoticeContentText(store::Connection& c, CaseId id, const CaseFacts& facts,
                                            NoticeContent what, MailLang lang) {
    const bool ja = lang == MailLang::kJa;
    std::string body = "[" + facts.identifier + "] " + facts.title + "\n\n" + facts.summary + "\n";
    if (what == NoticeContent::kInformationAndCountermeasures) {
        KZ_ASSIGN(auto rows,
                  c.Query("SELECT v.name, m.product, m.workaround, m.fix, m.fixed_version FROM countermeasures m"
                          " JOIN vendors v ON v.id = m.vendor_id WHERE m.case_id = ? ORDER BY m.id",
                          {id.value()}));
        body += ja ? "\nこれまでに登録された対策:\n" : "\nCountermeasures recorded so far:\n";
        if (rows.empty()) body += ja ? "  (まだありません)\n" : "  (none yet)\n";
        for (const auto& r : rows) {
            body += "- " + r.Text(0) + " / " + r.Text(1) + "\n";
            if (!r.Text(2).empty()) body += (ja ? "  回避策: " : "  Workaround: ") + r.Text(2) + "\n";
            if (!r.Text(3).empty()) body += (ja ? "  修正方法: " : "  Fix: ") + r.Text(3) + "\n";
            if (!r.Text(4).empty()) body += (ja ? "  修正版: " : "  Fixed version: ") + r.Text(4) + "\n";
        }
    }
    return body;
}

struct PendingNotice {
    CaseId case_id;
    std::vector<Sector> sectors;
    NoticeContent content;
    std::int64_t requested_by_user;
};

core::Result<PendingNotice> LoadPending(store::Connection& c, EarlyNoticeId notice, const Caller& caller) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT case_id, sectors, content, state, requested_by_user FROM early_notices"
                                   " WHERE id = ?",
                                   {notice.value()}));
    if (!row) return core::NotFound("no such early notice");
    PendingNotice p{CaseId(row->Int(0)), SplitSectors(row->Text(1)),
                    ParseNoticeContent(row->Text(2)).value_or(NoticeContent::kInformation), row->Int(4)};
    // The case's own access check first, so that non-staff cannot tell a notice exists.
    KZ_TRY(detail::RequireStaff(c, p.case_id, caller));
    if (row->Text(3) != "pending") return core::FailedPrecondition("the early notice was already " + row->Text(3));
    return p;
}

}  // namespace

std::string_view Name(Sector v) {
    switch (v) {
        case Sector::kGovernment:
            return "government";
        case Sector::kTelecom:
            return "telecom";
        case Sector::kFinance:
            return "finance";
        case Sector::kAviation:
            return "aviation";
        case Sector::kRailway:
            return "railway";
        case Sector::kElectricity:
            return "electricity";
        case Sector::kGas:
            return "gas";
        case Sector::kMedical:
            return "medical";
        case Sector::kWater:
            return "water";
        case Sector::kLogistics:
            return "logistics";
    }
    return "government";
}

core::Result<Sector> ParseSector(std::string_view s, std::string_view field) {
    for (Sector v : kSectors)
        if (Name(v) == s) return v;
    return core::InvalidArgument("unknown sector \"" + std::string(s.substr(0, 40)) + "\"; one of " + SectorList(),
                                 std::string(field));
}

std::span<const Sector> AllSectors() { return kSectors; }

std::string_view Name(NoticeContent v) {
    return v == NoticeContent::kInformation ? "information" : "information_and_countermeasures";
}

core::Result<NoticeContent> ParseNoticeContent(std::string_view s, std::string_view field) {
    if (s == "information") return NoticeContent::kInformation;
    if (s == "information_and_countermeasures") return NoticeContent::kInformationAndCountermeasures;
    return core::InvalidArgument("one of information, information_and_countermeasures", std::string(field));
}

std::string_view Name(NoticeState v) {
    switch (v) {
        case NoticeState::kPending:
            return "pending";
        case NoticeState::kReleased:
            return "released";
        case NoticeState::kRefused:
            return "refused";
    }
    return "pending";
}

// --- InfrastructureRegistry -------------------------------------------------------------------------

core::Result<OrganizationId> InfrastructureRegistry::Create(const NewOrganization& org, std::string_view actor) {
    if (org.name.empty() || org.name.size() > kMaxName)
        return core::InvalidArgument("must be 1-200 characters", "name");
    for (const auto& contact : org.contacts) KZ_TRY(CheckContact(contact));
    return db_.InTransaction<OrganizationId>([&](store::Connection& c) -> core::Result<OrganizationId> {
        core::Status st =
            c.Exec("INSERT INTO infra_orgs(name, sector, created_at, created_by) VALUES (?, ?, ?, ?)",
                   {org.name, std::string(Name(org.sector)), core::FormatRfc3339(clock_.Now()), std::string(actor)});
        if (!st.ok() && st.error().code() == core::ErrorCode::kAlreadyExists)
            return core::AlreadyExists("an organization with this name is already registered", "name");
        KZ_TRY(st);
        const OrganizationId id(c.LastInsertId());
        for (const auto& contact : org.contacts) KZ_TRY(InsertContact(c, id, contact));
        KZ_TRY(
            AuditOrg(c, audit_, actor, "infra.create", id, "{\"sector\":\"" + std::string(Name(org.sector)) + "\"}"));
        return id;
    });
}

core::Result<std::int64_t> InfrastructureRegistry::AddContact(OrganizationId org, const OrganizationContact& contact,
                                                              std::string_view actor) {
    KZ_TRY(CheckContact(contact));
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(bool exists, OrgExists(c, org));
        if (!exists) return core::NotFound("no organization " + std::to_string(org.value()));
        KZ_TRY(InsertContact(c, org, contact));
        const std::int64_t id = c.LastInsertId();
        KZ_TRY(AuditOrg(c, audit_, actor, "infra.contact", org));
        return id;
    });
}

core::Result<OrganizationKey> InfrastructureRegistry::ImportKey(OrganizationId org, std::string_view armored,
                                                                std::string_view actor) {
    KZ_ASSIGN(mail::PublicKeyInfo info, mail::InspectPublicKey(armored, clock_.Now()));
    if (info.revoked) return core::InvalidArgument("the key is revoked", "key");
    OrganizationKey key;
    key.fingerprint = info.fingerprint;
    for (const auto& uid : info.user_ids) key.user_ids += (key.user_ids.empty() ? "" : "\n") + uid;
    key.expires_at = info.expires ? core::FormatRfc3339(*info.expires) : "";
    key.can_encrypt = info.can_encrypt;
    key.imported_at = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction<OrganizationKey>([&](store::Connection& c) -> core::Result<OrganizationKey> {
        KZ_ASSIGN(bool exists, OrgExists(c, org));
        if (!exists) return core::NotFound("no organization " + std::to_string(org.value()));
        core::Status st = c.Exec(
            "INSERT INTO infra_keys(org_id, fingerprint, user_ids, expires_at, can_encrypt, armored, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            {org.value(), key.fingerprint, key.user_ids, key.expires_at, std::int64_t{key.can_encrypt ? 1 : 0},
             std::string(armored), key.imported_at});
        if (!st.ok() && st.error().code() == core::ErrorCode::kAlreadyExists)
            return core::AlreadyExists("this key is already registered for the organization", "key");
        KZ_TRY(st);
        KZ_TRY(AuditOrg(c, audit_, actor, "infra.key", org, "{\"fingerprint\":\"" + key.fingerprint + "\"}"));
        return key;
    });
}

core::Result<std::vector<Organization>> InfrastructureRegistry::List(std::optional<Sector> sector) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    std::string sql = "SELECT id, name, sector, created_at FROM infra_orgs";
    std::vector<store::Value> params;
    if (sector) {
        sql += " WHERE sector = ?";
        params.emplace_back(std::string(Name(*sector)));
    }
    KZ_ASSIGN(auto rows, lease->Query(sql + " ORDER BY sector, name", params));
    std::vector<Organization> out;
    for (const auto& r : rows) {
        Organization org{OrganizationId(r.Int(0)),
                         r.Text(1),
                         ParseSector(r.Text(2)).value_or(Sector::kGovernment),
                         r.Text(3),
                         {},
                         {}};
        KZ_TRY(LoadDetails(*lease, org));
        out.push_back(std::move(org));
    }
    return out;
}

core::Result<Organization> InfrastructureRegistry::Get(OrganizationId id) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT name, sector, created_at FROM infra_orgs WHERE id = ?", {id.value()}));
    if (!row) return core::NotFound("no organization " + std::to_string(id.value()));
    Organization org{id, row->Text(0), ParseSector(row->Text(1)).value_or(Sector::kGovernment), row->Text(2), {}, {}};
    KZ_TRY(LoadDetails(*lease, org));
    return org;
}

// --- EarlyNoticeService -----------------------------------------------------------------------------

core::Result<EarlyNoticeId> EarlyNoticeService::Request(CaseId id, const std::vector<std::string>& sector_names,
                                                        NoticeContent what, std::string_view reason,
                                                        const Caller& caller) {
    return db_.InTransaction<EarlyNoticeId>([&](store::Connection& c) -> core::Result<EarlyNoticeId> {
        // Access first: a non-staff caller learns nothing, not even that its input was malformed.
        KZ_ASSIGN(detail::CaseAccess a, detail::RequireStaff(c, id, caller));
        KZ_ASSIGN(std::vector<Sector> sectors, ParseSectors(sector_names));
        if (reason.empty() || reason.size() > kMaxReason)
            return core::InvalidArgument("say why these sectors need the information early (1-4000 characters)",
                                         "reason");
        KZ_ASSIGN(CaseFacts facts, CheckReleasable(c, id, a, sectors));
        KZ_TRY(
            c.Exec("INSERT INTO early_notices(case_id, sectors, content, reason, requested_by, requested_by_user,"
                   " requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {id.value(), JoinSectors(sectors), std::string(Name(what)), std::string(reason), caller.name(),
                    caller.principal->id.value(), core::FormatRfc3339(clock_.Now())}));
        const EarlyNoticeId notice(c.LastInsertId());
        std::string text = "#" + std::to_string(notice.value()) + " " + std::string(Name(what)) + " to";
        for (Sector s : sectors) text += " " + std::string(Name(s));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "early_notice.requested", std::move(text)));
        return notice;
    });
}

core::Status EarlyNoticeService::Approve(EarlyNoticeId notice, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(PendingNotice p, LoadPending(c, notice, caller));
        if (p.requested_by_user == caller.principal->id.value())
            return core::PermissionDenied("four eyes: another coordinator or an admin must approve this early notice");
        KZ_ASSIGN(detail::CaseAccess a, detail::RequireStaff(c, p.case_id, caller));
        KZ_ASSIGN(CaseFacts facts, CheckReleasable(c, p.case_id, a, p.sectors));
        std::map<MailLang, std::string> content;
        for (MailLang lang : {MailLang::kJa, MailLang::kEn}) {
            KZ_ASSIGN(content[lang], NoticeContentText(c, p.case_id, facts, p.content, lang));
        }
        const std::string now = core::FormatRfc3339(clock_.Now());

        std::vector<store::Value> params;
        for (Sector s : p.sectors) params.emplace_back(std::string(Name(s)));
        KZ_ASSIGN(auto orgs, c.Query("SELECT id, name, sector FROM infra_orgs WHERE sector IN (" +
                                         Placeholders(p.sectors.size()) + ") ORDER BY sector, name",
                                     params));
        std::int64_t reached = 0;
        std::int64_t mails = 0;
        std::string skipped;
        for (const auto& org : orgs) {
            const std::int64_t org_id = org.Int(0);
            KZ_ASSIGN(auto key, c.QueryOne("SELECT fingerprint FROM infra_keys WHERE org_id = ? AND can_encrypt = 1"
                                           " ORDER BY id DESC LIMIT 1",
                                           {org_id}));
            const std::string encrypt_to = key ? key->Text(0) : std::string();
            KZ_ASSIGN(auto contacts, c.Query("SELECT email, lang FROM infra_contacts WHERE org_id = ? AND email != ''"
                                             " ORDER BY id",
                                             {org_id}));
            if (contacts.empty()) {
                skipped += (skipped.empty() ? "" : ", ") + org.Text(1);
                continue;
            }
            for (const auto& contact : contacts) {
                const MailLang lang = MailLangOr(contact.Text(1));
                KZ_ASSIGN(MailText text, RenderMail(c, "early_notice", lang,
                                                    {{"identifier", facts.identifier},
                                                     {"recipient", org.Text(1)},
                                                     {"content", content[lang]}}));
                KZ_TRY(
                    c.Exec("INSERT INTO mail_queue(to_address, subject, body, encrypt_to, case_id, vendor_id,"
                           " created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)",
                           {contact.Text(0), text.subject, text.body, encrypt_to, p.case_id.value(), now}));
                KZ_TRY(
                    c.Exec("INSERT INTO early_notice_recipients(notice_id, org_id, to_address, encrypt_to, mail_id)"
                           " VALUES (?, ?, ?, ?, ?)",
                           {notice.value(), org_id, contact.Text(0), encrypt_to, c.LastInsertId()}));
                ++mails;
            }
            ++reached;
            auto seq = audit_.Append(
                c, {caller.name(), "case.early_notice", "case:" + std::to_string(p.case_id.value()),
                    "{\"notice\":" + std::to_string(notice.value()) + ",\"organization\":" + std::to_string(org_id) +
                        ",\"sector\":\"" + org.Text(2) + "\",\"content\":\"" + std::string(Name(p.content)) +
                        "\",\"recipients\":" + std::to_string(contacts.size()) +
                        ",\"encrypted\":" + (encrypt_to.empty() ? "false" : "true") + "}",
                    ""});
            if (!seq.ok()) return seq.error();
        }
        if (reached == 0)
            return core::FailedPrecondition("no organization in the chosen sectors has an e-mail contact");
        KZ_TRY(
            c.Exec("UPDATE early_notices SET state = 'released', decided_by = ?, decided_at = ?, organizations = ?,"
                   " mails = ? WHERE id = ?",
                   {caller.name(), now, reached, mails, notice.value()}));
        std::string text = "#" + std::to_string(notice.value()) + " released to " + std::to_string(reached) +
                           " organization(s), " + std::to_string(mails) + " mail(s)";
        if (!skipped.empty()) text += "; no e-mail contact: " + skipped;
        return detail::AddCaseEvent(c, clock_, p.case_id, caller.name(), "early_notice.released", std::move(text));
    });
}

core::Status EarlyNoticeService::Refuse(EarlyNoticeId notice, std::string_view reason, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(PendingNotice p, LoadPending(c, notice, caller));
        if (reason.empty() || reason.size() > kMaxReason)
            return core::InvalidArgument("say why the early notice is refused (1-4000 characters)", "reason");
        KZ_TRY(
            c.Exec("UPDATE early_notices SET state = 'refused', decided_by = ?, decided_at = ?, refusal_reason = ?"
                   " WHERE id = ?",
                   {caller.name(), core::FormatRfc3339(clock_.Now()), std::string(reason), notice.value()}));
        return detail::AddCaseEvent(c, clock_, p.case_id, caller.name(), "early_notice.refused",
                     "#" + std::to_string(notice.value()) + ": " + std::string(reason));
    });
}

core::Result<std::vector<EarlyNotice>> EarlyNoticeService::List(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_TRY(detail::RequireStaff(*lease, id, caller));
    KZ_ASSIGN(auto rows, lease->Query("SELECT id, sectors, content, reason, state, requested_by, requested_at,"
                                      " decided_by, decided_at, refusal_reason, organizations, mails"
                                      " FROM early_notices WHERE case_id = ? ORDER BY id",
                                      {id.value()}));
    std::vector<EarlyNotice> out;
    for (const auto& r : rows) {
        EarlyNotice n;
        n.id = EarlyNoticeId(r.Int(0));
        n.case_id = id;
        n.sectors = SplitSectors(r.Text(1));
        n.content = ParseNoticeContent(r.Text(2)).value_or(NoticeContent::kInformation);
        n.reason = r.Text(3);
        const std::string state = r.Text(4);
        n.state = state == "released"  ? NoticeState::kReleased
                  : state == "refused" ? NoticeState::kRefused
                                       : NoticeState::kPending;
        n.requested_by = r.Text(5);
        n.requested_at = r.Text(6);
        n.decided_by = r.Text(7);
        n.decided_at = r.Text(8);
        n.refusal_reason = r.Text(9);
        n.organizations = r.Int(10);
        n.mails = r.Int(11);
        out.push_back(std::move(n));
    }
    return out;
}

std::string_view EarlyNoticeSchema() {
    return R"sql(
CREATE TABLE infra_orgs (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sector     TEXT NOT NULL CHECK (sector IN ('government','telecom','finance','aviation','railway','electricity',
                                               'gas','medical','water','logistics')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX infra_orgs_by_sector ON infra_orgs(sector, name);
CREATE TABLE infra_contacts (
    id     INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES infra_orgs(id),
    name   TEXT NOT NULL,
    email  TEXT NOT NULL DEFAULT '',
    phone  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE infra_keys (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES infra_orgs(id),
    fingerprint TEXT NOT NULL,
    user_ids    TEXT NOT NULL DEFAULT '',
    expires_at  TEXT NOT NULL DEFAULT '',   -- '' = does not expire
    can_encrypt INTEGER NOT NULL,
    armored     TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (org_id, fingerprint)
);
CREATE TABLE early_notices (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    sectors           TEXT NOT NULL,            -- newline-separated sector names
    content           TEXT NOT NULL CHECK (content IN ('information','information_and_countermeasures')),
    reason            TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','released','refused')),
    requested_by      TEXT NOT NULL,
    requested_by_user INTEGER NOT NULL REFERENCES users(id),  -- four eyes: the approver must differ
    requested_at      TEXT NOT NULL,
    decided_by        TEXT NOT NULL DEFAULT '',
    decided_at        TEXT NOT NULL DEFAULT '',
    refusal_reason    TEXT NOT NULL DEFAULT '',
    organizations     INTEGER NOT NULL DEFAULT 0,
    mails             INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX early_notices_by_case ON early_notices(case_id, id);
CREATE TABLE early_notice_recipients (
    notice_id  INTEGER NOT NULL REFERENCES early_notices(id),
    org_id     INTEGER NOT NULL REFERENCES infra_orgs(id),
    to_address TEXT NOT NULL,
    encrypt_to TEXT NOT NULL DEFAULT '',
    mail_id    INTEGER NOT NULL REFERENCES mail_queue(id)
);
)sql";
}

}  // namespace kizuna::vuln
