// What vendors send back (status reports, countermeasures, other vendors likely affected), attachments,
// message threads, the case timeline and the mail queue.
#include <sodium.h>

#include "vuln/cases.hpp"
#include "vuln/internal/case_access.hpp"
#include "vuln/internal/recipients.hpp"

namespace kizuna::vuln {

namespace {

std::string Sha256Hex(std::string_view data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

bool LooksLikeUrl(std::string_view s) {
    return (s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0) && s.size() <= 2000 &&
           s.find_first_of(" \t\r\n\"<>") == std::string_view::npos;
}

}  // namespace

core::Result<std::int64_t> CaseService::AddAttachment(CaseId id, std::string_view name, AttachmentKind kind,
                                                      std::string_view media_type, std::string content,
                                                      const Caller& caller) {
    if (name.empty() || name.size() > 200 || name.find_first_of("/\\") != std::string_view::npos)
        return core::InvalidArgument("must be 1-200 characters without slashes", "name");
    if (content.empty()) return core::InvalidArgument("must not be empty", "content");
    if (content.size() > 20 * 1024 * 1024) return core::Error(core::ErrorCode::kTooLarge, "at most 20 MiB", "content");
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, true));
        if (!a.staff && !a.reporter) return core::NotFound("no such case");
        const std::string sha = Sha256Hex(content);
        KZ_TRY(c.Exec("INSERT INTO case_attachments(case_id, name, kind, media_type, content, sha256, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {id.value(), std::string(name), std::string(Name(kind)),
                       std::string(media_type.empty() ? "application/octet-stream" : media_type),
                       store::Blob{std::move(content)}, sha, core::FormatRfc3339(clock_.Now())}));
        const std::int64_t att = c.LastInsertId();
        KZ_TRY(Event(c, id, caller, "attachment.added", std::string(name) + " (" + std::string(Name(kind)) + ")"));
        return att;
    });
}

core::Result<Attachment> CaseService::DownloadAttachment(CaseId id, std::int64_t attachment, const Caller& caller) {
    return db_.InTransaction<Attachment>([&](store::Connection& c) -> core::Result<Attachment> {
        KZ_TRY(Check(c, id, caller, true));  // detail level: PoC, tools and test suites are technical detail
        KZ_ASSIGN(auto row, c.QueryOne("SELECT id, name, kind, media_type, length(content), sha256, content"
                                       " FROM case_attachments WHERE id = ? AND case_id = ?",
                                       {attachment, id.value()}));
        if (!row) return core::NotFound("no such attachment");
        Attachment out{{row->Int(0), row->Text(1), ParseAttachmentKind(row->Text(2)).value_or(AttachmentKind::kDetail),
                        row->Text(3), row->Int(4), row->Text(5)},
                       row->Text(6)};
        KZ_TRY(Audit(c, caller, "case.download", id,
                     "{\"attachment\":" + std::to_string(attachment) + ",\"sha256\":\"" + out.info.sha256 + "\"}"));
        return out;
    });
}

core::Status CaseService::ReportStatus(CaseId id, const StatusReport& r, const Caller& caller,
                                       std::optional<VendorId> on_behalf_of) {
    if (r.status == VendorStatus::kUnknown)
        return core::InvalidArgument("report affected, affected_investigating, not_affected or "
                                     "not_affected_investigating",
                                     "status");
    if (r.public_text.size() > 5000) return core::InvalidArgument("must be at most 5000 characters", "public_text");
    if (r.urls.size() > 20) return core::InvalidArgument("at most 20 URLs", "urls");
    for (const auto& u : r.urls)
        if (!LooksLikeUrl(u)) return core::InvalidArgument("'" + u.substr(0, 100) + "' is not an http(s) URL", "urls");
    for (const std::string* f : {&r.affected_products, &r.plan, &r.schedule})
        if (f->size() > 5000) return core::InvalidArgument("must be at most 5000 characters", "plan");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, false));
        VendorId vendor;
        if (a.staff && on_behalf_of) {
            vendor = *on_behalf_of;
        } else if (a.vendor) {
            vendor = *a.vendor;
        } else {
            return core::PermissionDenied("only a vendor of the case reports its status");
        }
        KZ_ASSIGN(auto part, c.QueryOne("SELECT level FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                        {id.value(), vendor.value()}));
        if (!part || part->Text(0) != "detail")
            return core::FailedPrecondition("a status is reported after receiving the details");
        const std::string now = core::FormatRfc3339(clock_.Now());
        const std::string urls = detail::JoinLines(r.urls);
        KZ_TRY(c.Exec("INSERT INTO status_reports(case_id, vendor_id, status, public_text, urls, affected_products, plan,"
                      " schedule, reported_at, reported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      {id.value(), vendor.value(), std::string(Name(r.status)), r.public_text, urls,
                       r.affected_products, r.plan, r.schedule, now, caller.name()}));
        KZ_TRY(c.Exec("UPDATE case_vendors SET status = ?, status_text = ?, status_urls = ?, status_at = ?"
                      " WHERE case_id = ? AND vendor_id = ?",
                      {std::string(Name(r.status)), r.public_text, urls, now, id.value(), vendor.value()}));
        KZ_ASSIGN(auto name, c.QueryOne("SELECT name FROM vendors WHERE id = ?", {vendor.value()}));
        return Event(c, id, caller, "status.reported", name->Text(0) + ": " + std::string(Name(r.status)), vendor);
    });
}

core::Status CaseService::AddCountermeasure(CaseId id, const Countermeasure& m, const Caller& caller,
                                            std::optional<VendorId> on_behalf_of) {
    if (m.product.empty() || m.product.size() > 200) return core::InvalidArgument("must be 1-200 characters", "product");
    if (m.workaround.empty() && m.fix.empty())
        return core::InvalidArgument("give a workaround or a fix (at least a workaround when there is no fix)",
                                     "workaround");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, false));
        std::optional<VendorId> vendor = a.staff && on_behalf_of ? on_behalf_of : a.vendor;
        if (!vendor) return core::PermissionDenied("only a vendor of the case records countermeasures");
        KZ_ASSIGN(auto part, c.QueryOne("SELECT level FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                        {id.value(), vendor->value()}));
        if (!part || part->Text(0) != "detail")
            return core::FailedPrecondition("countermeasures come after receiving the details");
        KZ_TRY(c.Exec("INSERT INTO countermeasures(case_id, vendor_id, product, workaround, fix, fixed_version, at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {id.value(), vendor->value(), m.product, m.workaround, m.fix, m.fixed_version,
                       core::FormatRfc3339(clock_.Now())}));
        return Event(c, id, caller, "countermeasure.added", m.product, *vendor);
    });
}

core::Result<std::vector<CountermeasureRecord>> CaseService::Countermeasures(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(detail::CaseAccess a, Check(*lease, id, caller, false));
    std::string sql =
        "SELECT v.name, m.product, m.workaround, m.fix, m.fixed_version, m.at FROM countermeasures m"
        " JOIN vendors v ON v.id = m.vendor_id WHERE m.case_id = ?";
    std::vector<store::Value> params{id.value()};
    if (!a.staff) {
        if (!a.vendor) return std::vector<CountermeasureRecord>{};
        sql += " AND m.vendor_id = ?";  // vendors see their own; others' plans are confidential
        params.push_back(a.vendor->value());
    }
    KZ_ASSIGN(auto rows, lease->Query(sql + " ORDER BY m.id", params));
    std::vector<CountermeasureRecord> out;
    for (const auto& r : rows) out.push_back({r.Text(0), {r.Text(1), r.Text(2), r.Text(3), r.Text(4)}, r.Text(5)});
    return out;
}

core::Status CaseService::SuggestVendor(CaseId id, std::string_view vendor_name, std::string_view note,
                                        const Caller& caller) {
    if (vendor_name.empty() || vendor_name.size() > 200)
        return core::InvalidArgument("must be 1-200 characters", "vendor");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, false));
        if (!a.vendor) return core::PermissionDenied("only a vendor of the case suggests other vendors");
        const std::string text = "suggests " + std::string(vendor_name) + (note.empty() ? "" : ": " + std::string(note));
        // Vendor-to-vendor goes through the coordinator: the suggestion lands in the vendor's own thread.
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, 'vendor', ?, ?)",
                      {id.value(), "vendor:" + std::to_string(a.vendor->value()), caller.name(),
                       "Other vendor likely affected: " + std::string(vendor_name) + "\n" + std::string(note),
                       core::FormatRfc3339(clock_.Now())}));
        return Event(c, id, caller, "vendor.suggested", text, *a.vendor);
    });
}

core::Result<std::int64_t> CaseService::PostMessage(CaseId id, std::string_view thread, std::string_view body,
                                                    const Caller& caller) {
    if (body.empty() || body.size() > 50000) return core::InvalidArgument("must be 1-50000 characters", "body");
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, false));
        const auto parsed = detail::ParseThread(thread);
        if (!parsed) return core::InvalidArgument("must be vendor:<id> or reporter", "thread");
        const std::optional<VendorId> thread_vendor = *parsed;
        std::string role;
        if (a.staff) {
            role = "coordinator";
            if (thread_vendor) {
                KZ_ASSIGN(auto part, c.QueryOne("SELECT level FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                                {id.value(), thread_vendor->value()}));
                if (!part) return core::InvalidArgument("the vendor is not part of this case", "thread");
            }
        } else if (a.vendor && thread_vendor && *thread_vendor == *a.vendor) {
            role = "vendor";
        } else if (a.reporter && thread == "reporter") {
            role = "reporter";
        } else {
            // Vendors talk to other vendors only through the coordinator.
            return core::PermissionDenied("you may write only in your own thread with the coordinator");
        }
        const std::string now = core::FormatRfc3339(clock_.Now());
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                      {id.value(), std::string(thread), caller.name(), role, std::string(body), now}));
        const std::int64_t message = c.LastInsertId();
        if (role == "coordinator" && thread_vendor) {
            KZ_ASSIGN(auto cs, c.QueryOne("SELECT c.identifier, v.name FROM cases c, vendors v WHERE c.id = ? AND"
                                          " v.id = ?",
                                          {id.value(), thread_vendor->value()}));
            KZ_ASSIGN(auto recipients, detail::VendorRecipients(c, *thread_vendor));
            if (recipients.empty()) return core::FailedPrecondition("the vendor has no registered e-mail contact");
            const MailValues values{{"identifier", cs->Text(0)}, {"vendor", cs->Text(1)}, {"message", std::string(body)}};
            KZ_ASSIGN(auto queued, detail::QueueForRecipients(c, clock_, id, *thread_vendor, recipients,
                                                              "message.coordinator",
                                                              [&](MailLang) { return values; }));
            (void)queued;
        }
        if (role == "coordinator" && !thread_vendor) {
            // A reporter without an account hears from the coordinator by mail at the address it left, through
            // the outbox (encrypted to the key it gave with the report; never sent in clear).
            KZ_ASSIGN(auto rep, c.QueryOne("SELECT c.identifier, c.reporter_email, c.reporter_user_id,"
                                           " (SELECT reply_key_fingerprint FROM report_followup WHERE case_id = c.id)"
                                           " FROM cases c WHERE c.id = ?",
                                           {id.value()}));
            if (rep && rep->IsNull(2) && rep->Text(1).find('@') != std::string::npos)
                KZ_TRY(c.Exec("INSERT INTO mail_queue(to_address, subject, body, encrypt_to, case_id, vendor_id, created_at)"
                              " VALUES (?, ?, ?, ?, ?, NULL, ?)",
                              {rep->Text(1), "[" + rep->Text(0) + "] Message from the coordinator", std::string(body),
                               rep->IsNull(3) ? std::string() : rep->Text(3), id.value(), now}));
        }
        KZ_TRY(Event(c, id, caller, "message.posted", std::string(thread), thread_vendor));
        return message;
    });
}

core::Result<std::vector<Message>> CaseService::Messages(CaseId id, std::string_view thread, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(detail::CaseAccess a, Check(*lease, id, caller, false));
    if (!detail::ParseThread(thread)) return core::InvalidArgument("must be vendor:<id> or reporter", "thread");
    const bool own_vendor_thread = a.vendor && thread == "vendor:" + std::to_string(a.vendor->value());
    const bool own_reporter_thread = a.reporter && thread == "reporter";
    if (!a.staff && !own_vendor_thread && !own_reporter_thread)
        return core::PermissionDenied("you may read only your own thread with the coordinator");
    KZ_ASSIGN(auto rows, lease->Query("SELECT m.id, m.thread, m.author, m.author_role, m.body, m.at,"
                                      " coalesce(u.display_name, '') FROM messages m LEFT JOIN users u ON u.name = m.author"
                                      " WHERE m.case_id = ? AND m.thread = ? ORDER BY m.id",
                                      {id.value(), std::string(thread)}));
    std::vector<Message> out;
    for (const auto& r : rows)
        out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)});
    return out;
}

core::Result<std::vector<TimelineEvent>> CaseService::Timeline(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(detail::CaseAccess a, Check(*lease, id, caller, false));
    std::string sql = "SELECT e.at, e.actor, e.kind, e.text, coalesce(u.display_name, ''), coalesce(v.name, '')"
                      " FROM case_events e LEFT JOIN users u ON u.name = e.actor"
                      " LEFT JOIN vendors v ON v.id = e.vendor_id WHERE e.case_id = ?";
    std::vector<store::Value> params{id.value()};
    if (!a.staff) {
        // Others see only the events about themselves: no names of other vendors leak through the timeline.
        if (!a.vendor) return std::vector<TimelineEvent>{};
        sql += " AND e.vendor_id = ?";
        params.push_back(a.vendor->value());
    }
    KZ_ASSIGN(auto rows, lease->Query(sql + " ORDER BY e.id", params));
    std::vector<TimelineEvent> out;
    for (const auto& r : rows) out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
    return out;
}

core::Result<std::vector<QueuedMail>> CaseService::MailQueue(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(detail::CaseAccess a, Check(*lease, id, caller, false));
    if (!a.staff) return core::NotFound("no such case");
    KZ_ASSIGN(auto rows, lease->Query("SELECT id, to_address, subject, body, encrypt_to, state FROM mail_queue"
                                      " WHERE case_id = ? ORDER BY id",
                                      {id.value()}));
    std::vector<QueuedMail> out;
    for (const auto& r : rows) out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
    return out;
}

}  // namespace kizuna::vuln
