#include "vuln/internal/recipients.hpp"

namespace kizuna::vuln::detail {

core::Result<std::vector<MailRecipient>> VendorRecipients(store::Connection& c, VendorId vendor) {
    KZ_ASSIGN(auto key, c.QueryOne("SELECT fingerprint FROM vendor_keys WHERE vendor_id = ? AND can_encrypt = 1"
                                   " ORDER BY id DESC LIMIT 1",
                                   {vendor.value()}));
    KZ_ASSIGN(auto rows, c.Query("SELECT email, lang FROM vendor_contacts WHERE vendor_id = ? AND email != ''"
                                 " ORDER BY is_primary DESC, id",
                                 {vendor.value()}));
    std::vector<MailRecipient> out;
    for (const auto& r : rows) out.push_back({r.Text(0), MailLangOr(r.Text(1)), key ? key->Text(0) : std::string()});
    return out;
}

core::Result<std::vector<QueuedRecipientMail>> QueueForRecipients(
    store::Connection& c, const core::Clock& clock, CaseId id, std::optional<VendorId> vendor,
    const std::vector<MailRecipient>& recipients, std::string_view template_name,
    const std::function<MailValues(MailLang)>& values, const std::map<MailLang, MailText>& edited) {
    std::map<MailLang, MailText> rendered = edited;
    const std::string now = core::FormatRfc3339(clock.Now());
    std::vector<QueuedRecipientMail> out;
    for (const auto& to : recipients) {
        auto it = rendered.find(to.lang);
        if (it == rendered.end()) {
            KZ_ASSIGN(MailText text, RenderMail(c, template_name, to.lang, values(to.lang)));
            it = rendered.emplace(to.lang, std::move(text)).first;
        }
        KZ_TRY(c.Exec("INSERT INTO mail_queue(to_address, subject, body, encrypt_to, case_id, vendor_id, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {to.address, it->second.subject, it->second.body, to.encrypt_to, id.value(),
                       vendor ? store::Value(vendor->value()) : store::Null(), now}));
        out.push_back({c.LastInsertId(), to, it->second});
    }
    return out;
}

}  // namespace kizuna::vuln::detail
