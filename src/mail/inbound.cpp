// InboundService: store raw first, then understand (MIME, OpenPGP), then route in one transaction.
#include "mail/inbound.hpp"

#include <glib.h>

#include "mail/attribution.hpp"

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

// The body of a raw message: the bytes after the header block ("" when there is no empty line).
std::string_view BodyOf(std::string_view raw) {
    const auto crlf = raw.find("\r\n\r\n");
    const auto lf = raw.find("\n\n");
    if (crlf == std::string_view::npos && lf == std::string_view::npos) return {};
    if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf)) return raw.substr(crlf + 4);
    return raw.substr(lf + 2);
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

// What MIME and OpenPGP made of a message.
struct Understood {
    ParsedMail mail;            // outer headers; text and attachments from the decrypted content
    bool encrypted = false;
    std::vector<SignatureCheck> signatures;
    std::string body;           // what the signature (or encryption) covers; all text when there is neither
    std::string outside;        // text beside it: never shown as signed
};

constexpr std::string_view kOutsideMarker = "----- 署名の範囲外 / not covered by the signature -----";

// Parties whose registered address is `address`: contacts of vendors (those of `case_id` first), the
// case's reporter, related organisations named in the case.
core::Result<std::vector<Party>> ClaimedParties(store::Connection& c, const std::string& address,
                                                std::optional<std::int64_t> case_id) {
    std::vector<Party> out;
    if (address.empty()) return out;
    const store::Value case_value = case_id ? store::Value(*case_id) : store::Null();
    KZ_ASSIGN(auto vendors, c.Query("SELECT v.id, v.name, v.accept_unsigned_mail FROM vendors v WHERE v.id IN"
                                    " (SELECT vendor_id FROM vendor_contacts WHERE lower(email) = ?)"
                                    " ORDER BY v.id IN (SELECT vendor_id FROM case_vendors WHERE case_id = ?) DESC, v.id",
                                    {address, case_value}));
    for (const auto& v : vendors) out.push_back({"vendor", v.Int(0), v.Text(1), v.Int(2) != 0});
    if (case_id) {
        KZ_ASSIGN(auto reporter, c.QueryOne("SELECT cs.identifier FROM cases cs LEFT JOIN users u ON u.id = cs.reporter_user_id"
                                            " WHERE cs.id = ? AND (lower(cs.reporter_email) = ?"
                                            " OR lower(coalesce(u.email, '')) = ?)",
                                            {*case_id, address, address}));
        if (reporter) out.push_back({"reporter", *case_id, "reporter of " + reporter->Text(0), true});
        KZ_ASSIGN(auto related, c.Query("SELECT id, name FROM related_orgs WHERE case_id = ? AND email_key = ?",
                                        {*case_id, address}));
        for (const auto& r : related) out.push_back({"related", r.Int(0), r.Text(1), true});
    }
    return out;
}

// Parties a key is registered to, by the fingerprint gpg reported for the signature or its primary key
// (a key with a separate signing subkey signs with the subkey).
core::Result<std::vector<Party>> SignerParties(store::Connection& c, const SignatureCheck& sig,
                                               std::optional<std::int64_t> case_id) {
    std::vector<Party> out;
    if (!sig.good || sig.fingerprint.empty()) return out;
    const std::string primary = sig.primary_fingerprint.empty() ? sig.fingerprint : sig.primary_fingerprint;
    const store::Value case_value = case_id ? store::Value(*case_id) : store::Null();
    KZ_ASSIGN(auto vendors, c.Query("SELECT v.id, v.name, v.accept_unsigned_mail FROM vendors v WHERE v.id IN"
                                    " (SELECT vendor_id FROM vendor_keys WHERE upper(fingerprint) IN (?, ?))"
                                    " ORDER BY v.id IN (SELECT vendor_id FROM case_vendors WHERE case_id = ?) DESC, v.id",
                                    {sig.fingerprint, primary, case_value}));
    for (const auto& v : vendors) out.push_back({"vendor", v.Int(0), v.Text(1), v.Int(2) != 0});
    KZ_ASSIGN(auto infra, c.Query("SELECT o.id, o.name FROM infra_orgs o WHERE o.id IN"
                                  " (SELECT org_id FROM infra_keys WHERE upper(fingerprint) IN (?, ?)) ORDER BY o.id",
                                  {sig.fingerprint, primary}));
    for (const auto& o : infra) out.push_back({"infra", o.Int(0), o.Text(1), true});
    KZ_ASSIGN(auto partners, c.Query("SELECT owner, address FROM mail_recipient_keys WHERE upper(fingerprint) IN (?, ?)"
                                     " ORDER BY owner",
                                     {sig.fingerprint, primary}));
    for (const auto& p : partners) {
        const std::string owner = p.Text(0);
        const auto colon = owner.rfind(':');
        const std::int64_t id = colon == std::string::npos ? 0 : std::atoll(owner.c_str() + colon + 1);
        out.push_back({colon == std::string::npos ? owner : owner.substr(0, colon), id, p.Text(1), true});
    }
    return out;
}

std::string PartyRef(const std::optional<Party>& p) { return p ? p->kind + ":" + std::to_string(p->id) : std::string(); }

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
    // A retry of the same delivery has the same body; headers an MTA adds on the way (Received:) may differ.
    const std::string body_sha = Sha256Hex(BodyOf(raw));
    std::string message_id = ExtractMessageId(raw);
    if (message_id.empty()) message_id = "sha256:" + sha;
    return db_.InTransaction<AcceptResult>([&](store::Connection& c) -> core::Result<AcceptResult> {
        // Mail stored before the body digest existed (body_sha256 '') is compared by its whole bytes.
        KZ_ASSIGN(auto existing, c.QueryOne("SELECT id FROM mail_inbound WHERE message_id = ? AND (body_sha256 = ?"
                                            " OR (body_sha256 = '' AND sha256 = ?)) ORDER BY id LIMIT 1",
                                            {message_id, body_sha, sha}));
        if (existing) return AcceptResult{existing->Int(0), true};
        KZ_TRY(c.Exec("INSERT INTO mail_inbound(message_id, body_sha256, raw, sha256, via, envelope_from, envelope_to,"
                      " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      {message_id, body_sha, store::Blob{std::string(raw)}, sha, std::string(via),
                       std::string(envelope_from), std::string(envelope_to), core::FormatRfc3339(clock_.Now())}));
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
    auto quarantine = [&](std::string reason, const ParsedMail* mail, const Attribution* who) -> core::Result<ProcessResult> {
        KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
            return c.Exec("UPDATE mail_inbound SET state = 'quarantined', reason = ?, warnings = ?, subject = ?,"
                          " from_address = ?, pgp = ?, signer = ?, signature_status = ?, verification = ?, party = ?,"
                          " processed_at = ?, attempts = attempts + 1 WHERE id = ?",
                          {reason, mail ? Join(mail->anomalies, ",") : std::string(),
                           mail ? mail->subject : std::string(), mail ? mail->from_address : std::string(),
                           std::string(mail ? Name(mail->pgp) : "none"),
                           who ? who->signature.fingerprint : std::string(), who ? who->signature.status : std::string(),
                           std::string(who ? "quarantined" : ""), who ? PartyRef(who->party) : std::string(), now, id});
        }));
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
    // A cut or broken structure: what was stored would silently differ from what was sent.
    if (!u.mail.defects.empty())
        return quarantine("malformed MIME: " + Join(u.mail.defects, ", "), &u.mail, nullptr);

    // 2. OpenPGP. A signature by a key the keyring lacks is retried once after importing the registered
    // keys (vendors', operators' and partners' keys live in the database, known by primary fingerprint;
    // a signing subkey's fingerprint matches no row, so then every registered key is imported).
    auto import_signers = [&](const std::vector<SignatureCheck>& sigs) -> core::Result<bool> {
        bool imported = false;
        for (const auto& s : sigs) {
            if (s.status != "no public key" || s.fingerprint.empty()) continue;
            KZ_ASSIGN(auto lease, db_.Acquire());
            KZ_ASSIGN(auto row, lease->QueryOne("SELECT armored FROM vendor_keys WHERE upper(fingerprint) = ?"
                                                " UNION ALL SELECT armored FROM infra_keys WHERE upper(fingerprint) = ?"
                                                " UNION ALL SELECT armored FROM mail_recipient_keys WHERE upper(fingerprint) = ?"
                                                " LIMIT 1",
                                                {s.fingerprint, s.fingerprint, s.fingerprint}));
            if (row) {
                if (keyring_.ImportPublicKey(row->Text(0)).ok()) imported = true;
                continue;
            }
            KZ_ASSIGN(auto all, lease->Query("SELECT armored FROM vendor_keys UNION ALL SELECT armored FROM infra_keys"
                                             " UNION ALL SELECT armored FROM mail_recipient_keys LIMIT 10000"));
            for (const auto& k : all)
                if (keyring_.ImportPublicKey(k.Text(0)).ok()) imported = true;
            break;
        }
        return imported;
    };
    switch (u.mail.pgp) {
        case PgpForm::kNone:
            u.body = u.mail.text;
            break;
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
            u.outside = u.mail.outside_text;
            for (auto& a : u.mail.attachments) a.covered = false;  // beside the encrypted part
            if (u.mail.pgp == PgpForm::kMimeEncrypted) {
                auto inner = ParseEntity(decrypted->plaintext, limits_);
                if (!inner.ok()) return quarantine("malformed decrypted content: " + inner.error().message(), &u.mail, nullptr);
                if (!inner->defects.empty())
                    return quarantine("malformed MIME in the decrypted content: " + Join(inner->defects, ", "), &u.mail,
                                      nullptr);
                const bool inner_signed = inner->pgp == PgpForm::kMimeSigned;
                if (inner_signed) {
                    KZ_ASSIGN(auto sigs, keyring_.VerifyDetached(inner->pgp_signed_content, inner->pgp_payload));
                    KZ_ASSIGN(bool again, import_signers(sigs));
                    if (again) {
                        KZ_ASSIGN(sigs, keyring_.VerifyDetached(inner->pgp_signed_content, inner->pgp_payload));
                    }
                    u.signatures.insert(u.signatures.end(), sigs.begin(), sigs.end());
                    if (!inner->outside_text.empty()) u.outside = inner->outside_text + "\n" + u.outside;
                }
                u.body = std::move(inner->text);
                for (auto& a : inner->attachments) {
                    if (!inner_signed) a.covered = true;  // the OpenPGP message's own signature covers it all
                    u.mail.attachments.push_back(std::move(a));
                }
            } else {
                u.body = ToUtf8(decrypted->plaintext, "");
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
            u.body = u.mail.text;
            u.outside = u.mail.outside_text;
            break;
        }
        case PgpForm::kInlineSigned: {
            // Verified over the bytes as sent; only then converted (ISO-2022-JP signs JIS bytes).
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
            u.body = ToUtf8(verified->plaintext, u.mail.pgp_charset);
            u.outside = u.mail.outside_text;
            for (auto& a : u.mail.attachments) a.covered = false;  // a clear signature covers its block only
            break;
        }
    }
    // Stored text uses LF line ends (the signed bytes were verified above; this is for reading only).
    for (std::string* text : {&u.body, &u.outside}) {
        std::erase(*text, '\r');
        while (!text->empty() && text->back() == '\n') text->pop_back();
    }

    // 3. Attribute and route, and write everything in one transaction.
    return db_.InTransaction<ProcessResult>([&](store::Connection& c) -> core::Result<ProcessResult> {
        ProcessResult result;
        result.id = id;
        std::optional<std::int64_t> case_id;
        // Replies: a message the center sent (mail_outbound) or a message already routed.
        std::vector<std::string> refs = u.mail.references;
        if (!u.mail.in_reply_to.empty()) refs.insert(refs.begin(), u.mail.in_reply_to);
        for (const auto& ref : refs) {
            if (case_id) break;
            KZ_ASSIGN(auto out, c.QueryOne("SELECT q.case_id FROM mail_outbound o JOIN mail_queue q"
                                           " ON q.id = o.mail_id WHERE o.message_id = ? AND q.case_id IS NOT NULL",
                                           {ref}));
            if (out) {
                case_id = out->Int(0);
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
        // Who sent it: the signature decides; From: is only what the message claims.
        KZ_ASSIGN(auto claimed, ClaimedParties(c, u.mail.from_address, case_id));
        std::vector<Party> signers;
        for (const auto& sig : u.signatures)
            if (sig.status == "good") {
                KZ_ASSIGN(signers, SignerParties(c, sig, case_id));
                break;
            }
        const Attribution who = Attribute(u.signatures, claimed, signers);
        const SignatureCheck& signer = who.signature;
        if (who.verdict == Verdict::kQuarantined) {
            KZ_TRY(c.Exec("UPDATE mail_inbound SET state = 'quarantined', reason = ?, warnings = ?, subject = ?,"
                          " from_address = ?, pgp = ?, signer = ?, signature_status = ?, signer_validity = ?,"
                          " verification = 'quarantined', party = ?, case_id = ?, processed_at = ?,"
                          " attempts = attempts + 1 WHERE id = ?",
                          {who.reason, Join(u.mail.anomalies, ","), u.mail.subject, u.mail.from_address,
                           std::string(Name(u.mail.pgp)), signer.fingerprint, signer.status, signer.validity,
                           PartyRef(who.party), case_id ? store::Value(*case_id) : store::Null(), now, id}));
            result.state = "quarantined";
            result.reason = who.reason;
            return result;
        }
        std::string thread;
        if (who.verdict == Verdict::kAttributed && case_id && who.party->kind == "vendor") {
            KZ_ASSIGN(auto in_case, c.QueryOne("SELECT 1 FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                               {*case_id, who.party->id}));
            if (in_case) thread = "vendor:" + std::to_string(who.party->id);
        }
        std::string note = "[e-mail";
        if (u.encrypted) note += ", OpenPGP encrypted";
        if (!signer.fingerprint.empty() || !signer.status.empty())
            note += ", signature " + signer.status + " by " + signer.fingerprint + " (validity " + signer.validity + ")";
        else
            note += ", not signed";
        if (!u.outside.empty()) note += "; the part marked below is not covered by the signature";
        note += "]";
        std::string attachment_list;
        for (const auto& a : u.mail.attachments)
            attachment_list += "\n- " + (a.filename.empty() ? std::string("(unnamed)") : a.filename) + " (" +
                               a.media_type + ", " + std::to_string(a.content.size()) + " bytes" +
                               (a.covered && signer.good ? ", signed" : ", not signed") + ")";
        const std::string author = u.mail.from_name.empty() ? u.mail.from_address
                                                            : u.mail.from_name + " <" + u.mail.from_address + ">";
        for (const auto& a : u.mail.attachments)
            KZ_TRY(c.Exec("INSERT INTO mail_attachments(inbound_id, filename, media_type, content, sha256, covered)"
                          " VALUES (?, ?, ?, ?, ?, ?)",
                          {id, a.filename, a.media_type, store::Blob{a.content}, Sha256Hex(a.content),
                           std::int64_t{a.covered && signer.good ? 1 : 0}}));
        if (!thread.empty()) {
            std::string body = note + "\nSubject: " + u.mail.subject + "\n\n" + u.body;
            if (!u.outside.empty()) body += "\n\n" + std::string(kOutsideMarker) + "\n" + u.outside;
            if (!attachment_list.empty()) body += "\n\nAttachments (on the mail page and the case page):" + attachment_list;
            KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                          {*case_id, thread, author, std::string("vendor"), body, now}));
            const std::int64_t message_row = c.LastInsertId();
            KZ_TRY(c.Exec("INSERT INTO case_events(case_id, at, actor, kind, text, vendor_id) VALUES (?, ?, ?, ?, ?, ?)",
                          {*case_id, now, author, std::string("mail.received"),
                           "e-mail to thread " + thread + (u.encrypted ? " (encrypted)" : "") + ", signed by " +
                               signer.fingerprint,
                           store::Value(who.party->id)}));
            KZ_TRY(c.Exec("UPDATE mail_inbound SET state = 'routed', reason = '', warnings = ?, subject = ?,"
                          " from_address = ?, pgp = ?, signer = ?, signature_status = ?, signer_validity = ?,"
                          " verification = 'attributed', party = ?, case_id = ?, thread = ?, message_row = ?,"
                          " processed_at = ?, attempts = attempts + 1 WHERE id = ?",
                          {Join(u.mail.anomalies, ","), u.mail.subject, u.mail.from_address,
                           std::string(Name(u.mail.pgp)), signer.fingerprint, signer.status, signer.validity,
                           PartyRef(who.party), *case_id, thread, message_row, now, id}));
            result.state = "routed";
            result.case_id = case_id;
            result.thread = thread;
            return result;
        }
        const std::string verification(who.verdict == Verdict::kAttributed ? "attributed" : Name(who.verdict));
        KZ_TRY(c.Exec("INSERT INTO mail_reports(inbound_id, from_address, from_name, subject, body, unsigned_body, signer,"
                      " signature_status, encrypted, verification, party, party_name, verification_reason, case_hint,"
                      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      {id, u.mail.from_address, u.mail.from_name, u.mail.subject, u.body, u.outside, signer.fingerprint,
                       signer.status, std::int64_t{u.encrypted ? 1 : 0}, verification, PartyRef(who.party),
                       who.party ? who.party->name : std::string(), who.reason,
                       case_id ? store::Value(*case_id) : store::Null(), now}));
        const std::int64_t report = c.LastInsertId();
        KZ_TRY(c.Exec("UPDATE mail_inbound SET state = 'routed', reason = '', warnings = ?, subject = ?, from_address = ?,"
                      " pgp = ?, signer = ?, signature_status = ?, signer_validity = ?, verification = ?, party = ?,"
                      " report_id = ?, processed_at = ?, attempts = attempts + 1 WHERE id = ?",
                      {Join(u.mail.anomalies, ","), u.mail.subject, u.mail.from_address, std::string(Name(u.mail.pgp)),
                       signer.fingerprint, signer.status, signer.validity, verification, PartyRef(who.party), report,
                       now, id}));
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

namespace {

constexpr char kReportColumns[] =
    "SELECT id, inbound_id, from_address, from_name, subject, body, signer, signature_status, encrypted, case_hint,"
    " created_at, unsigned_body, verification, party, party_name, verification_reason, case_id FROM mail_reports";

MailAttachmentInfo AttachmentInfo(const store::Row& a) {
    return {a.Int(0), a.Text(1), a.Text(2), a.Int(3), a.Int(4) != 0};
}

core::Result<MailReport> ReportFromRow(store::Connection& c, const store::Row& r) {
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
    m.unsigned_body = r.Text(11);
    m.verification = r.Text(12);
    m.party = r.Text(13);
    m.party_name = r.Text(14);
    m.verification_reason = r.Text(15);
    if (!r.IsNull(16)) m.case_id = r.Int(16);
    KZ_ASSIGN(auto atts, c.Query("SELECT id, filename, media_type, length(content), covered FROM mail_attachments"
                                 " WHERE inbound_id = ? ORDER BY id",
                                 {m.inbound_id}));
    for (const auto& a : atts) {
        m.files.push_back(AttachmentInfo(a));
        m.attachments.push_back((a.Text(1).empty() ? std::string("(unnamed)") : a.Text(1)) + " (" + a.Text(2) + ", " +
                                std::to_string(a.Int(3)) + " bytes)");
    }
    return m;
}

}  // namespace

core::Result<std::vector<MailReport>> InboundService::Reports(int limit) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query(std::string(kReportColumns) + " ORDER BY id DESC LIMIT ?", {std::int64_t{limit}}));
    std::vector<MailReport> out;
    for (const auto& r : rows) {
        KZ_ASSIGN(auto m, ReportFromRow(*lease, r));
        out.push_back(std::move(m));
    }
    return out;
}

core::Result<MailReport> InboundService::Report(std::int64_t report_id) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne(std::string(kReportColumns) + " WHERE id = ?", {report_id}));
    if (!row) return core::NotFound("no mail report " + std::to_string(report_id));
    return ReportFromRow(*lease, *row);
}

core::Result<StoredAttachment> InboundService::Attachment(std::int64_t attachment_id) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT a.id, a.filename, a.media_type, length(a.content), a.covered, a.content,"
                                        " a.inbound_id, coalesce(i.case_id, r.case_id), i.thread FROM mail_attachments a"
                                        " JOIN mail_inbound i ON i.id = a.inbound_id"
                                        " LEFT JOIN mail_reports r ON r.inbound_id = a.inbound_id WHERE a.id = ?",
                                        {attachment_id}));
    if (!row) return core::NotFound("no mail attachment " + std::to_string(attachment_id));
    StoredAttachment out;
    out.info = AttachmentInfo(*row);
    out.content = row->Text(5);
    out.inbound_id = row->Int(6);
    if (!row->IsNull(7)) out.case_id = row->Int(7);
    out.thread = row->Text(8);
    return out;
}

core::Result<std::vector<MailAttachmentInfo>> InboundService::CaseAttachments(std::int64_t case_id,
                                                                              const std::string& thread) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT a.id, a.filename, a.media_type, length(a.content), a.covered"
                                      " FROM mail_attachments a JOIN mail_inbound i ON i.id = a.inbound_id"
                                      " LEFT JOIN mail_reports r ON r.inbound_id = a.inbound_id"
                                      " WHERE i.state = 'routed' AND coalesce(i.case_id, r.case_id) = ?"
                                      " AND (? = '' OR i.thread = ?) ORDER BY a.id",
                                      {case_id, thread, thread}));
    std::vector<MailAttachmentInfo> out;
    for (const auto& r : rows) out.push_back(AttachmentInfo(r));
    return out;
}

core::Result<std::string> InboundService::Raw(std::int64_t inbound_id) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT raw FROM mail_inbound WHERE id = ?", {inbound_id}));
    if (!row) return core::NotFound("no inbound message " + std::to_string(inbound_id));
    return row->Text(0);
}

core::Status InboundService::LinkReportToCase(std::int64_t report_id, std::int64_t case_id) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT inbound_id, case_id FROM mail_reports WHERE id = ?", {report_id}));
        if (!row) return core::NotFound("no mail report " + std::to_string(report_id));
        if (!row->IsNull(1))
            return core::FailedPrecondition("the report already became case " + std::to_string(row->Int(1)));
        KZ_TRY(c.Exec("UPDATE mail_reports SET case_id = ?, state = 'triaged' WHERE id = ?", {case_id, report_id}));
        return c.Exec("UPDATE mail_inbound SET case_id = ? WHERE id = ?", {case_id, row->Int(0)});
    });
}

}  // namespace kizuna::mail
