#include "mail/queue.hpp"

#include <algorithm>

namespace kizuna::mail {

bool ValidMailAddress(std::string_view a) {
    if (a.empty() || a.size() > 254) return false;
    const auto at = a.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.find('@', at + 1) != std::string_view::npos)
        return false;
    if (a.substr(at + 1).find('.') == std::string_view::npos) return false;
    return std::none_of(a.begin(), a.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == ';' || ch == '"' || ch == '\\';
    });
}

namespace {
bool ValidFilename(std::string_view name) {
    if (name.empty() || name.size() > 100 || name.front() == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    });
}
bool ValidContentType(std::string_view type) {
    if (type.empty() || type.size() > 100 || type.find('/') == std::string_view::npos) return false;
    return std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '+' || c == '.' || c == '-';
    });
}
}  // namespace

core::Result<std::int64_t> EnqueueMail(store::Connection& c, const QueuedMail& mail, core::WallTime now) {
    if (!ValidMailAddress(mail.to)) return core::InvalidArgument("not a mail address: " + mail.to.substr(0, 80), "to");
    if (mail.subject.empty()) return core::InvalidArgument("subject must not be empty", "subject");
    std::size_t total = 0;
    for (const auto& a : mail.attachments) {
        if (!ValidFilename(a.filename))
            return core::InvalidArgument("attachment name must be 1-100 of [A-Za-z0-9._-]", "attachments");
        if (!ValidContentType(a.content_type))
            return core::InvalidArgument("attachment content type must be type/subtype", "attachments");
        total += a.data.size();
    }
    if (total > kMaxAttachmentBytes) return core::InvalidArgument("attachments exceed 20 MiB", "attachments");
    const std::string at = core::FormatRfc3339(now);
    KZ_TRY(c.Exec("INSERT INTO mail_queue(to_address, subject, body, encrypt_to, created_at) VALUES (?, ?, ?, ?, ?)",
                  {mail.to, mail.subject, mail.body, mail.encrypt_to, at}));
    const std::int64_t id = c.LastInsertId();
    std::int64_t position = 0;
    for (const auto& a : mail.attachments) {
        KZ_TRY(c.Exec("INSERT INTO mail_queue_attachments(mail_id, position, filename, content_type, data)"
                      " VALUES (?, ?, ?, ?, ?)",
                      {id, position++, a.filename, a.content_type, store::Blob{a.data}}));
    }
    return id;
}

core::Result<std::vector<QueuedAttachment>> QueuedAttachments(store::Connection& c, std::int64_t mail_id) {
    KZ_ASSIGN(auto rows, c.Query("SELECT filename, content_type, data FROM mail_queue_attachments WHERE mail_id = ?"
                                 " ORDER BY position",
                                 {mail_id}));
    std::vector<QueuedAttachment> out;
    for (const auto& r : rows) out.push_back({r.Text(0), r.Text(1), r.Text(2)});
    return out;
}

core::Status RegisterRecipientKey(store::Connection& c, std::string_view fingerprint, std::string_view address,
                                  std::string_view armored, std::string_view owner, core::WallTime now) {
    return c.Exec("INSERT INTO mail_recipient_keys(fingerprint, address, armored, owner, added_at) VALUES (?, ?, ?, ?, ?)"
                  " ON CONFLICT(fingerprint) DO UPDATE SET address = excluded.address, armored = excluded.armored,"
                  " owner = excluded.owner, added_at = excluded.added_at",
                  {std::string(fingerprint), std::string(address), std::string(armored), std::string(owner),
                   core::FormatRfc3339(now)});
}

core::Status RemoveRecipientKeys(store::Connection& c, std::string_view owner) {
    return c.Exec("DELETE FROM mail_recipient_keys WHERE owner = ?", {std::string(owner)});
}

}  // namespace kizuna::mail
