// InboundService: store raw first, then understand (MIME, OpenPGP), then route in one transaction.
#include "mail/inbound.hpp"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace kizuna::mail {
namespace {

std::string Sha256Hex(std::string_view bytes) {
    gchar* hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(bytes.data()),
                                             bytes.size());
    std::string out(hex);
    g_free(hex);
    return out;
}

// What MIME and OpenPGP made of a message.
struct Understood {
    ParsedMail mail;            // outer headers; text and attachments from the decrypted content
    bool encrypted = false;
    std::vector<SignatureCheck> signatures;
};

// Identifier candidates: what stands in [brackets] and every whitespace-separated word of the subject,
// trimmed of punctuation. The database decides which of them is a case.
std::vector<std::string> IdentifierCandidates(std::string_view subject) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    auto add = [&](std::string_view s) {
        while (!s.empty() && std::string_view("[]():,;<>\"'").find(s.front()) != std::string_view::npos) s.remove_prefix(1);
        while (!s.empty() && std::string_view("[]():,;<>\"'.").find(s.back()) != std::string_view::npos) s.remove_suffix(1);
        if (s.size() >= 3 && s.size() <= 64 && out.size() < 24 && seen.insert(std::string(s)).second)
            out.emplace_back(s);
    };
    for (std::size_t open = subject.find('['); open != std::string_view::npos; open = subject.find('[', open + 1)) {
        const std::size_t close = subject.find(']', open);
        if (close == std::string_view::npos) break;
        add(subject.substr(open + 1, close - open - 1));
    }
    std::size_t i = 0;
    while (i < subject.size()) {
        while (i < subject.size() && std::isspace(static_cast<unsigned char>(subject[i]))) ++i;
        std::size_t j = i;
        while (j < subject.size() && !std::isspace(static_cast<unsigned char>(subject[j]))) ++j;
        if (j > i) add(subject.substr(i, j - i));
        i = j;
    }
    return out;
}

}  // namespace

InboundService::InboundService(store::Database& db, const core::Clock& clock, CenterKeyring& keyring, MimeLimits limits)
    : db_(db), clock_(clock), keyring_(keyring), limits_(limits) {}

core::Result<AcceptResult> InboundService::Accept(std::string_view raw, std::string_view via,
                                                  std::string_view envelope_from, std::string_view envelope_to) {
    const std::string sha = Sha256Hex(raw);
    std::string message_id = ExtractMessageId(raw);
    if (message_id.empty()) message_id = "sha256:" + sha;
    return db_.InTransaction<AcceptResult>([&](store::Connection& c) -> core::Result<AcceptResult> {
        KZ_ASSIGN(auto existing, c.QueryOne("SELECT id FROM mail_inbound WHERE message_id = ?", {message_id}));
        if (existing) return AcceptResult{existing->Int(0), true};
        KZ_TRY(c.Exec("INSERT INTO mail_inbound(message_id, raw, sha256, via, envelope_from, envelope_to, received_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {message_id, store::Blob{std::string(raw)}, sha, std::string(via), std::string(envelope_from),
                       std::string(envelope_to), core::FormatRfc3339(clock_.Now())}));
        return AcceptResult{c.LastInsertId(), false};
    });
}

core::Result<ProcessResult> InboundService::Deliver(std::string_view raw, std::string_view via,
                                                    std::string_view envelope_from, std::string_view envelope_to) {
    KZ_ASSIGN(AcceptResult accepted, Accept(raw, via, envelope_from, envelope_to));
    if (accepted.duplicate) {
        ProcessResult r;
        r.id = accepted.id;
        r.state = "duplicate";
        return r;
    }
    return Process(accepted.id);
}

core::Result<int> InboundService::ProcessPending() {
    std::vector<std::int64_t> ids;
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_ASSIGN(auto rows, lease->Query("SELECT id FROM mail_inbound WHERE state = 'received' ORDER BY id"));
        for (const auto& r : rows) ids.push_back(r.Int(0));
    }
    int done = 0;
    for (auto id : ids) {
        KZ_TRY(Process(id));
        ++done;
    }
    return done;
}

core::Result<ProcessResult> InboundService::Reprocess(std::int64_t id) {
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_ASSIGN(auto row, lease->QueryOne("SELECT state FROM mail_inbound WHERE id = ?", {id}));
        if (!row) return core::NotFound("no inbound message " + std::to_string(id));
        if (row->Text(0) != "quarantined")
            return core::FailedPrecondition("message " + std::to_string(id) + " is " + row->Text(0) +
                                            ", not in quarantine");
    }
    return Process(id);
}

core::Result<ProcessResult> InboundService::Process(std::int64_t id) {
    std::string raw;
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_ASSIGN(auto row, lease->QueryOne("SELECT raw, state FROM mail_inbound WHERE id = ?", {id}));
        if (!row) return core::NotFound("no inbound message " + std::to_string(id));
        if (row->Text(1) == "routed") {
            ProcessResult r;
            r.id = id;
            r.state = "routed";
            return r;
        }
        raw = row->Text(0);
    }
    const std::string now = core::FormatRfc3339(clock_.Now());
    auto quarantine = [&](std::string reason, const ParsedMail* mail, const Understood* u) -> core::Result<ProcessResult> {
        KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
            return c.Exec("UPDATE mail_inbound SET state = 'quarantined', reason = ?, subject = ?, from_address = ?,"
                          " pgp = ?, processed_at = ?, attempts = attempts + 1 WHERE id = ?",
                          {reason, mail ? mail->subject : std::string(), mail ? mail->from_address : std::string(),
                           std::string(mail ? Name(mail->pgp) : "none"), now, id});
        }));
        (void)u;
        ProcessResult r;
        r.id = id;
        r.state = "quarantined";
        r.reason = std::move(reason);
        return r;
    };

    // 1. MIME.
    if (raw.size() > limits_.max_message_bytes)
        return quarantine("oversized: " + std::to_string(raw.size()) + " bytes, the limit is " +
                              std::to_string(limits_.max_message_bytes),
                          nullptr, nullptr);
    auto parsed = ParseMail(raw, limits_);
    if (!parsed.ok()) return quarantine("malformed: " + parsed.error().message(), nullptr, nullptr);
    Understood u;
    u.mail = std::move(parsed).value();
    if (u.mail.from_address.empty()) return quarantine("malformed: no sender address in From:", &u.mail, nullptr);

    // 2. OpenPGP. A signature by a key the keyring lacks is retried once after importing the registered key
    // with that fingerprint (vendors' and partners' keys live in vuln's tables).
    auto import_signers = [&](const std::vector<SignatureCheck>& sigs) -> core::Result<bool> {
        bool imported = false;
        for (const auto& s : sigs) {
            if (s.status != "no public key" || s.fingerprint.empty()) continue;
            KZ_ASSIGN(auto lease, db_.Acquire());
            KZ_ASSIGN(auto row, lease->QueryOne("SELECT armored FROM vendor_keys WHERE upper(fingerprint) = ?"
                                                " UNION ALL SELECT armored FROM infra_keys WHERE upper(fingerprint) = ?"
                                                " LIMIT 1",
                                                {s.fingerprint, s.fingerprint}));
            if (row && keyring_.ImportPublicKey(row->Text(0)).ok()) imported = true;
        }
        return imported;
    };
    switch (u.mail.pgp) {
        case PgpForm::kNone: break;
        case PgpForm::kMimeEncrypted:
        case PgpForm::kInlineEncrypted: {
            auto decrypted = keyring_.Decrypt(u.mail.pgp_payload);
            if (!decrypted.ok()) {
                if (decrypted.error().code() == core::ErrorCode::kInvalidArgument)
                    return quarantine("undecryptable: " + decrypted.error().message(), &u.mail, nullptr);
                return decrypted.error();
            }
            KZ_ASSIGN(bool retry, import_signers(decrypted->signatures));
            if (retry) {
                KZ_ASSIGN(auto again, keyring_.Decrypt(u.mail.pgp_payload));
                decrypted = std::move(again);
            }
            u.encrypted = true;
            u.signatures = decrypted->signatures;
            if (u.mail.pgp == PgpForm::kMimeEncrypted) {
                auto inner = ParseEntity(decrypted->plaintext, limits_);
                if (!inner.ok()) return quarantine("malformed decrypted content: " + inner.error().message(), &u.mail, nullptr);
                if (inner->pgp == PgpForm::kMimeSigned) {
                    KZ_ASSIGN(auto sigs, keyring_.VerifyDetached(inner->pgp_signed_content, inner->pgp_payload));
                    KZ_ASSIGN(bool again, import_signers(sigs));
                    if (again) {
                        KZ_ASSIGN(sigs, keyring_.VerifyDetached(inner->pgp_signed_content, inner->pgp_payload));
                    }
                    u.signatures.insert(u.signatures.end(), sigs.begin(), sigs.end());
                }
                u.mail.text = std::move(inner->text);
                u.mail.attachments = std::move(inner->attachments);
            } else {
                const auto begin = u.mail.text.find("-----BEGIN PGP MESSAGE-----");
                const auto end = u.mail.text.find("-----END PGP MESSAGE-----", begin);
                u.mail.text.replace(begin, end + 25 - begin, ToUtf8(decrypted->plaintext, ""));
            }
            break;
        }
        case PgpForm::kMimeSigned: {
            auto sigs = keyring_.VerifyDetached(u.mail.pgp_signed_content, u.mail.pgp_payload);
            if (!sigs.ok()) {
                if (sigs.error().code() == core::ErrorCode::kInvalidArgument)
                    return quarantine("malformed signature: " + sigs.error().message(), &u.mail, nullptr);
                return sigs.error();
            }
            KZ_ASSIGN(bool again, import_signers(*sigs));
            if (again) {
                KZ_ASSIGN(sigs, keyring_.VerifyDetached(u.mail.pgp_signed_content, u.mail.pgp_payload));
            }
            u.signatures = *sigs;
            break;
        }
        case PgpForm::kInlineSigned: {
            auto verified = keyring_.VerifyClearSigned(u.mail.pgp_payload);
            if (!verified.ok()) {
                if (verified.error().code() == core::ErrorCode::kInvalidArgument)
                    return quarantine("malformed signature: " + verified.error().message(), &u.mail, nullptr);
                return verified.error();
            }
            KZ_ASSIGN(bool again, import_signers(verified->signatures));
            if (again) {
                KZ_ASSIGN(verified, keyring_.VerifyClearSigned(u.mail.pgp_payload));
            }
            u.signatures = verified->signatures;
            const auto begin = u.mail.text.find("-----BEGIN PGP SIGNED MESSAGE-----");
            const auto end = u.mail.text.find("-----END PGP SIGNATURE-----", begin);
            u.mail.text.replace(begin, end + 27 - begin, ToUtf8(verified->plaintext, ""));
            break;
        }
    }
    const SignatureCheck signer = u.signatures.empty() ? SignatureCheck{} : u.signatures.front();

    // 3. Route, and write everything in one transaction.
    return db_.InTransaction<ProcessResult>([&](store::Connection& c) -> core::Result<ProcessResult> {
        ProcessResult result;
        result.id = id;
        std::optional<std::int64_t> case_id;
        std::optional<std::int64_t> reply_vendor;
        // Replies: a message the center sent (mail_outbound) or a message already routed.
        std::vector<std::string> refs = u.mail.references;
        if (!u.mail.in_reply_to.empty()) refs.insert(refs.begin(), u.mail.in_reply_to);
        for (const auto& ref : refs) {
            if (case_id) break;
            KZ_ASSIGN(auto out, c.QueryOne("SELECT q.case_id, q.vendor_id FROM mail_outbound o JOIN mail_queue q"
                                           " ON q.id = o.mail_id WHERE o.message_id = ? AND q.case_id IS NOT NULL",
                                           {ref}));
            if (out) {
                case_id = out->Int(0);
                if (!out->IsNull(1)) reply_vendor = out->Int(1);
                break;
            }
            KZ_ASSIGN(auto in, c.QueryOne("SELECT case_id FROM mail_inbound WHERE message_id = ? AND state = 'routed'"
                                          " AND case_id IS NOT NULL",
                                          {ref}));
            if (in) case_id = in->Int(0);
        }
        if (!case_id) {
            std::vector<std::string> candidates;
            if (auto header = u.mail.Header("X-Kizuna-Case"); !header.empty()) candidates.push_back(header);
            for (auto& cand : IdentifierCandidates(u.mail.subject)) candidates.push_back(std::move(cand));
            for (const auto& cand : candidates) {
                KZ_ASSIGN(auto row, c.QueryOne("SELECT id FROM cases WHERE identifier = ?", {cand}));
                if (row) {
                    case_id = row->Int(0);
                    break;
                }
            }
        }
        std::string thread;
        std::string role;
        if (case_id) {
            // The sender must be a party of the case: a contact of a vendor in the case, or its reporter.
            KZ_ASSIGN(auto vendors, c.Query("SELECT cv.vendor_id FROM case_vendors cv JOIN vendor_contacts vc"
                                            " ON vc.vendor_id = cv.vendor_id WHERE cv.case_id = ?"
                                            " AND lower(vc.email) = ? ORDER BY cv.vendor_id",
                                            {*case_id, u.mail.from_address}));
            std::optional<std::int64_t> vendor;
            for (const auto& v : vendors)
                if (!vendor || (reply_vendor && v.Int(0) == *reply_vendor)) vendor = v.Int(0);
            if (vendor) {
                thread = "vendor:" + std::to_string(*vendor);
                role = "vendor";
            } else {
                KZ_ASSIGN(auto reporter, c.QueryOne("SELECT 1 FROM cases cs LEFT JOIN users u ON u.id = cs.reporter_user_id"
                                                    " WHERE cs.id = ? AND (lower(cs.reporter_email) = ?"
                                                    " OR lower(coalesce(u.email, '')) = ?)",
                                                    {*case_id, u.mail.from_address, u.mail.from_address}));
                if (reporter) {
                    thread = "reporter";
                    role = "reporter";
                }
            }
        }
        std::string note = "[e-mail";
        if (u.encrypted) note += ", OpenPGP encrypted";
        if (!signer.fingerprint.empty() || !signer.status.empty())
            note += ", signature " + signer.status + " by " + signer.fingerprint + " (validity " + signer.validity + ")";
        else
            note += ", not signed";
        note += "]";
        std::string attachment_list;
        for (const auto& a : u.mail.attachments)
            attachment_list += "\n- " + (a.filename.empty() ? std::string("(unnamed)") : a.filename) + " (" +
                               a.media_type + ", " + std::to_string(a.content.size()) + " bytes)";
        const std::string author = u.mail.from_name.empty() ? u.mail.from_address
                                                            : u.mail.from_name + " <" + u.mail.from_address + ">";
        for (const auto& a : u.mail.attachments)
            KZ_TRY(c.Exec("INSERT INTO mail_attachments(inbound_id, filename, media_type, content, sha256)"
                          " VALUES (?, ?, ?, ?, ?)",
                          {id, a.filename, a.media_type, store::Blob{a.content}, Sha256Hex(a.content)}));
        if (!thread.empty()) {
            std::string body = note + "\nSubject: " + u.mail.subject + "\n\n" + u.mail.text;
            if (!attachment_list.empty()) body += "\n\nAttachments (on the mail page):" + attachment_list;
            KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                          {*case_id, thread, author, role, body, now}));
            const std::int64_t message_row = c.LastInsertId();
            KZ_TRY(c.Exec("INSERT INTO case_events(case_id, at, actor, kind, text, vendor_id) VALUES (?, ?, ?, ?, ?, ?)",
                          {*case_id, now, author, std::string("mail.received"),
                           "e-mail to thread " + thread + (u.encrypted ? " (encrypted)" : "") +
                               (signer.good ? ", signed by " + signer.fingerprint : std::string()),
                           role == "vendor" ? store::Value(std::stoll(thread.substr(7))) : store::Null()}));
            KZ_TRY(c.Exec("UPDATE mail_inbound SET state = 'routed', reason = '', subject = ?, from_address = ?, pgp = ?,"
                          " signer = ?, signature_status = ?, signer_validity = ?, case_id = ?, thread = ?,"
                          " message_row = ?, processed_at = ?, attempts = attempts + 1 WHERE id = ?",
                          {u.mail.subject, u.mail.from_address, std::string(Name(u.mail.pgp)), signer.fingerprint,
                           signer.status, signer.validity, *case_id, thread, message_row, now, id}));
            result.state = "routed";
            result.case_id = case_id;
            result.thread = thread;
            return result;
        }
        KZ_TRY(c.Exec("INSERT INTO mail_reports(inbound_id, from_address, from_name, subject, body, signer,"
                      " signature_status, encrypted, case_hint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      {id, u.mail.from_address, u.mail.from_name, u.mail.subject, u.mail.text, signer.fingerprint,
                       signer.status, std::int64_t{u.encrypted ? 1 : 0},
                       case_id ? store::Value(*case_id) : store::Null(), now}));
        const std::int64_t report = c.LastInsertId();
        KZ_TRY(c.Exec("UPDATE mail_inbound SET state = 'routed', reason = '', subject = ?, from_address = ?, pgp = ?,"
                      " signer = ?, signature_status = ?, signer_validity = ?, report_id = ?, processed_at = ?,"
                      " attempts = attempts + 1 WHERE id = ?",
                      {u.mail.subject, u.mail.from_address, std::string(Name(u.mail.pgp)), signer.fingerprint,
                       signer.status, signer.validity, report, now, id}));
        result.state = "routed";
        result.report_id = report;
        return result;
    });
}

core::Result<std::vector<InboundItem>> InboundService::List(std::string_view state, int limit) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT id, message_id, received_at, via, from_address, subject, state, reason, pgp,"
                                      " signer, signature_status, length(raw), attempts FROM mail_inbound"
                                      " WHERE (? = '' OR state = ?) ORDER BY id DESC LIMIT ?",
                                      {std::string(state), std::string(state), std::int64_t{limit}}));
    std::vector<InboundItem> out;
    for (const auto& r : rows)
        out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7), r.Text(8),
                       r.Text(9), r.Text(10), r.Int(11), static_cast<int>(r.Int(12))});
    return out;
}

core::Result<std::vector<MailReport>> InboundService::Reports(int limit) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT id, inbound_id, from_address, from_name, subject, body, signer,"
                                      " signature_status, encrypted, case_hint, created_at FROM mail_reports"
                                      " ORDER BY id DESC LIMIT ?",
                                      {std::int64_t{limit}}));
    std::vector<MailReport> out;
    for (const auto& r : rows) {
        MailReport m;
        m.id = r.Int(0);
        m.inbound_id = r.Int(1);
        m.from_address = r.Text(2);
        m.from_name = r.Text(3);
        m.subject = r.Text(4);
        m.body = r.Text(5);
        m.signer = r.Text(6);
        m.signature_status = r.Text(7);
        m.encrypted = r.Int(8) != 0;
        if (!r.IsNull(9)) m.case_hint = r.Int(9);
        m.created_at = r.Text(10);
        KZ_ASSIGN(auto atts, lease->Query("SELECT filename, media_type, length(content) FROM mail_attachments"
                                          " WHERE inbound_id = ? ORDER BY id",
                                          {m.inbound_id}));
        for (const auto& a : atts)
            m.attachments.push_back((a.Text(0).empty() ? std::string("(unnamed)") : a.Text(0)) + " (" + a.Text(1) +
                                    ", " + std::to_string(a.Int(2)) + " bytes)");
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace kizuna::mail
