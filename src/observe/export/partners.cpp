// Partner CSIRTs and the daily IODEF mail (see partners.hpp).
#include "observe/export/partners.hpp"

#include <algorithm>

#include "mail/openpgp.hpp"
#include "mail/queue.hpp"

namespace kizuna::observe {
namespace {

constexpr std::size_t kMaxNameBytes = 200;

std::string CountriesText(const std::vector<CountryCode>& countries) {
    std::string out;
    for (const auto& cc : countries) out += (out.empty() ? "" : ",") + std::string(cc.data(), 2);
    return out;
}

std::string Owner(std::int64_t id) { return "observe_partner:" + std::to_string(id); }

core::Status CheckName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameBytes) return core::InvalidArgument("name must be 1-200 characters", "name");
    if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        return core::InvalidArgument("name must not contain control characters", "name");
    return core::Ok();
}

struct CheckedKey {
    std::string fingerprint;
    std::string info;
};

core::Result<CheckedKey> CheckKey(std::string_view armored, core::WallTime now) {
    KZ_ASSIGN(mail::PublicKeyInfo info, mail::InspectPublicKey(armored, now));
    if (info.revoked) return core::InvalidArgument("the key is revoked", "key");
    if (info.expired) return core::InvalidArgument("the key has expired", "key");
    if (!info.can_encrypt) return core::InvalidArgument("the key has no usable encryption subkey", "key");
    std::string text = info.algorithm;
    text += info.expires ? ", expires " + core::FormatRfc3339(*info.expires) : ", no expiry";
    return CheckedKey{info.fingerprint, text};
}

constexpr std::string_view kSelect =
    "SELECT id, name, email, countries, fingerprint, key_info, updated_by, updated_at FROM observe_partners";

Partner FromRow(const store::Row& r) {
    Partner p;
    p.id = r.Int(0);
    p.name = r.Text(1);
    p.email = r.Text(2);
    if (auto list = ParseCountryList(r.Text(3), "countries"); list.ok()) p.countries = std::move(list).value();
    p.fingerprint = r.Text(4);
    p.key_info = r.Text(5);
    p.updated_by = r.Text(6);
    p.updated_at = r.Text(7);
    return p;
}

}  // namespace

core::Result<Partner> PartnerRegistry::Add(const PartnerInput& input, std::string_view actor, std::string_view remote_ip) {
    KZ_TRY(CheckName(input.name));
    if (!mail::ValidMailAddress(input.email))
        return core::InvalidArgument("not a mail address: " + input.email.substr(0, 80), "email");
    KZ_ASSIGN(auto countries, ParseCountryList(input.countries, "countries"));
    if (countries.empty()) return core::InvalidArgument("at least one country code, e.g. KR", "countries");
    const core::WallTime now = clock_.Now();
    CheckedKey key;
    if (!input.key.empty()) {
        KZ_ASSIGN(key, CheckKey(input.key, now));
    }
    Partner partner;
    KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("INSERT INTO observe_partners(name, email, countries, fingerprint, key_info, updated_by, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {input.name, input.email, CountriesText(countries), key.fingerprint, key.info, std::string(actor),
                       core::FormatRfc3339(now)}));
        partner.id = c.LastInsertId();
        if (!key.fingerprint.empty())
            KZ_TRY(mail::RegisterRecipientKey(c, key.fingerprint, input.email, input.key, Owner(partner.id), now));
        KZ_TRY(audit_.Append(c, {std::string(actor), "observe.partner_add", "partner/" + std::to_string(partner.id),
                                 input.name + " <" + input.email + "> " + CountriesText(countries) +
                                     (key.fingerprint.empty() ? ", no key" : ", key " + key.fingerprint),
                                 std::string(remote_ip)}));
        return core::Ok();
    }));
    KZ_ASSIGN(auto stored, Get(partner.id));
    if (!stored) return core::Internal("partner vanished after insert");
    return *stored;
}

core::Status PartnerRegistry::SetKey(std::int64_t id, std::string_view armored, std::string_view actor,
                                     std::string_view remote_ip) {
    const core::WallTime now = clock_.Now();
    KZ_ASSIGN(CheckedKey key, CheckKey(armored, now));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT email FROM observe_partners WHERE id = ?", {id}));
        if (!row) return core::NotFound("no partner " + std::to_string(id));
        KZ_TRY(mail::RemoveRecipientKeys(c, Owner(id)));
        KZ_TRY(mail::RegisterRecipientKey(c, key.fingerprint, row->Text(0), armored, Owner(id), now));
        KZ_TRY(c.Exec("UPDATE observe_partners SET fingerprint = ?, key_info = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                      {key.fingerprint, key.info, std::string(actor), core::FormatRfc3339(now), id}));
        KZ_TRY(audit_.Append(c, {std::string(actor), "observe.partner_key", "partner/" + std::to_string(id),
                                 "key " + key.fingerprint, std::string(remote_ip)}));
        return core::Ok();
    });
}

core::Status PartnerRegistry::Remove(std::int64_t id, std::string_view actor, std::string_view remote_ip) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT name, email FROM observe_partners WHERE id = ?", {id}));
        if (!row) return core::NotFound("no partner " + std::to_string(id));
        KZ_TRY(mail::RemoveRecipientKeys(c, Owner(id)));
        KZ_TRY(c.Exec("DELETE FROM observe_partners WHERE id = ?", {id}));
        KZ_TRY(audit_.Append(c, {std::string(actor), "observe.partner_remove", "partner/" + std::to_string(id),
                                 row->Text(0) + " <" + row->Text(1) + ">", std::string(remote_ip)}));
        return core::Ok();
    });
}

core::Result<std::vector<Partner>> PartnerRegistry::List() const {
    KZ_ASSIGN(store::Lease lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query(std::string(kSelect) + " ORDER BY name, id"));
    std::vector<Partner> out;
    for (const auto& r : rows) out.push_back(FromRow(r));
    return out;
}

core::Result<std::optional<Partner>> PartnerRegistry::Get(std::int64_t id) const {
    KZ_ASSIGN(store::Lease lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne(std::string(kSelect) + " WHERE id = ?", {id}));
    if (!row) return std::optional<Partner>{};
    return std::optional<Partner>{FromRow(*row)};
}

core::Result<std::vector<PartnerMailing>> QueuePartnerIodef(store::Connection& c, const ObservationQueries& queries,
                                                            const IodefIssuer& issuer, PacketTime day_start,
                                                            core::WallTime now) {
    const std::int64_t day = (day_start.micros_since_epoch / kDayMicros) * kDayMicros;
    const std::string date = FormatDate(PacketTime{day});
    // The same generation time as ExportIodefDay: the end of the day, so every run renders the same bytes.
    const std::string generated_at = FormatTimestamp(PacketTime{day + kDayMicros}).substr(0, 19) + "Z";
    KZ_ASSIGN(auto rows, c.Query(std::string(kSelect) + " ORDER BY id"));
    std::vector<PartnerMailing> out;
    for (const auto& row : rows) {
        const Partner partner = FromRow(row);
        PartnerMailing m{partner.id, partner.name, 0, 0, false};
        KZ_ASSIGN(auto done, c.QueryOne("SELECT mail_id, events FROM observe_partner_deliveries WHERE partner_id = ? AND day = ?",
                                        {partner.id, date}));
        if (done) {
            m.already_queued = true;
            m.events = static_cast<std::size_t>(done->Int(1));
            out.push_back(m);
            continue;
        }
        mail::QueuedMail mail;
        mail.to = partner.email;
        mail.encrypt_to = partner.fingerprint;
        std::string summary;
        for (const CountryCode& cc : partner.countries) {
            KZ_ASSIGN(IodefReport report, BuildIodefReport(queries, issuer, cc, PacketTime{day}, generated_at));
            const std::string code(cc.data(), 2);
            m.events += report.events.size();
            summary += "  " + code + ": " + std::to_string(report.events.size()) + " event(s)\n";
            mail.attachments.push_back({code + "-" + date + ".xml", std::string(kIodefMediaType), RenderIodef(report)});
        }
        mail.subject = "[" + issuer.issuer + "] IODEF scan report " + CountriesText(partner.countries) + " " + date;
        mail.body = "To " + partner.name + ",\n\n"
                    "Attached are the scans our Internet fixed-point observation sensors received on " + date +
                    " (UTC) from addresses in your constituency, one IODEF 2 (RFC 7970) document per country:\n\n" +
                    summary +
                    "\nEach event gives the source address and port, destination port, protocol and time; the "
                    "sensors' own addresses are withheld.\n\n-- \n" + issuer.issuer + "\n";
        KZ_ASSIGN(m.mail_id, mail::EnqueueMail(c, mail, now));
        KZ_TRY(c.Exec("INSERT INTO observe_partner_deliveries(partner_id, day, mail_id, events, queued_at) VALUES (?, ?, ?, ?, ?)",
                      {partner.id, date, m.mail_id, static_cast<std::int64_t>(m.events), core::FormatRfc3339(now)}));
        out.push_back(m);
    }
    return out;
}

}  // namespace kizuna::observe
