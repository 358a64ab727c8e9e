// OutboundSender: key check → build PGP/MIME → durable 'sending' → SMTP → 'sent' (or retry / wait).
#include "mail/outbound.hpp"

#include <curl/curl.h>
#include <glib.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <mutex>

#include "core/ids.hpp"
#include "mail/queue.hpp"

namespace kizuna::mail {
namespace {

constexpr auto kWaitingRecheck = std::chrono::minutes(5);
constexpr auto kFirstBackoff = std::chrono::seconds(30);
constexpr auto kMaxBackoff = std::chrono::hours(1);

void EnsureCurl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IsAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string Base64(std::string_view bytes) {
    gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
    std::string out(encoded);
    g_free(encoded);
    return out;
}

// RFC 2047 encoded-word for non-ASCII header text (one word per 45 bytes of input, never splitting a
// UTF-8 sequence), the text itself otherwise. CR/LF never reach a header.
std::string EncodeHeader(std::string_view text) {
    std::string clean;
    for (char c : text) clean += (c == '\r' || c == '\n') ? ' ' : c;
    if (IsAscii(clean)) return clean;
    std::string out;
    std::size_t i = 0;
    while (i < clean.size()) {
        std::size_t end = std::min(clean.size(), i + 45);
        while (end < clean.size() && (static_cast<unsigned char>(clean[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + Base64(std::string_view(clean).substr(i, end - i)) + "?=";
        i = end;
    }
    return out;
}

std::string Wrap76(const std::string& b64) {
    std::string out;
    for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
    return out;
}

std::string ToCrlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 40);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    return out;
}

std::string RfcDate(core::WallTime t) {
    static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t secs = static_cast<std::time_t>(core::ToUnixMicros(t) / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string Domain(const std::string& address) {
    const auto at = address.rfind('@');
    return at == std::string::npos ? std::string("localhost") : address.substr(at + 1);
}

struct Upload {
    const std::string* data;
    std::size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
    auto* up = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, up->data->size() - up->offset);
    std::memcpy(buffer, up->data->data() + up->offset, n);
    up->offset += n;
    return n;
}

std::optional<core::WallTime> ParseTime(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return core::ParseRfc3339(s);
}

}  // namespace

SubmitOutcome SubmitSmtp(const RelayOptions& relay, const std::string& envelope_from, const std::string& rcpt,
                         const std::string& message) {
    EnsureCurl();
    SubmitOutcome out;
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        out.error = "libcurl: cannot create a handle";
        return out;
    }
    const std::string url = "smtp://" + relay.host + ":" + std::to_string(relay.port) + "/" + Domain(envelope_from);
    curl_slist* rcpts = curl_slist_append(nullptr, ("<" + rcpt + ">").c_str());
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt_list(rcpts, curl_slist_free_all);
    Upload upload{&message, 0};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    const std::string from = "<" + envelope_from + ">";
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt_list.get());
    curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(relay.timeout_seconds));
    if (relay.starttls) curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    const CURLcode rc = curl_easy_perform(curl.get());
    long code = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
    out.reply_code = static_cast<int>(code);
    if (rc == CURLE_OK) {
        out.ok = true;
        return out;
    }
    out.error = std::string("SMTP to ") + relay.host + ":" + std::to_string(relay.port) + ": " +
                (error_buffer[0] ? error_buffer : curl_easy_strerror(rc));
    if (code != 0) out.error += " (reply " + std::to_string(code) + ")";
    return out;
}

OutboundSender::OutboundSender(store::Database& db, const core::Clock& clock, core::Logger& log, CenterKeyring& keyring,
                               RelayOptions relay)
    : db_(db), clock_(clock), log_(log), keyring_(keyring), relay_(std::move(relay)) {}

OutboundSender::~OutboundSender() { Stop(); }

core::Result<SendReport> OutboundSender::SendDue() {
    if (relay_.host.empty()) return core::FailedPrecondition("no relay configured (mail.relay_host)");
    const core::WallTime now = clock_.Now();
    std::vector<std::int64_t> due;
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_ASSIGN(auto rows, lease->Query("SELECT q.id, o.state, o.next_attempt_at FROM mail_queue q"
                                          " LEFT JOIN mail_outbound o ON o.mail_id = q.id"
                                          " WHERE q.state IN ('queued','sending')"
                                          " AND (o.state IS NULL OR o.state IN ('waiting','retry','sending'))"
                                          " ORDER BY q.id LIMIT 500"));
        for (const auto& r : rows) {
            const auto next = ParseTime(r.Text(2));
            if (r.IsNull(1) || !next || *next <= now) due.push_back(r.Int(0));
        }
    }
    SendReport report;
    for (auto id : due) KZ_TRY(SendOne(id, report));
    return report;
}

core::Status OutboundSender::SendOne(std::int64_t mail_id, SendReport& report) {
    const core::WallTime now_time = clock_.Now();
    const std::string now = core::FormatRfc3339(now_time);
    std::string to, subject, body, fingerprint, message_id, payload, previous_state, previous_reason;
    std::optional<std::int64_t> case_id, vendor_id;
    std::vector<std::string> candidates;
    std::vector<QueuedAttachment> attachments;
    std::string identifier;
    int attempts = 0;
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_ASSIGN(auto row, lease->QueryOne("SELECT q.to_address, q.subject, q.body, q.encrypt_to, q.case_id, q.vendor_id,"
                                            " o.state, o.message_id, o.payload, o.attempts, o.reason,"
                                            " (SELECT identifier FROM cases WHERE id = q.case_id)"
                                            " FROM mail_queue q LEFT JOIN mail_outbound o ON o.mail_id = q.id"
                                            " WHERE q.id = ?",
                                            {mail_id}));
        if (!row) return core::Ok();
        to = row->Text(0);
        subject = row->Text(1);
        body = row->Text(2);
        fingerprint = row->Text(3);
        if (!row->IsNull(4)) case_id = row->Int(4);
        if (!row->IsNull(5)) vendor_id = row->Int(5);
        previous_state = row->Text(6);
        message_id = row->Text(7);
        payload = row->Text(8);
        attempts = static_cast<int>(row->Int(9));
        previous_reason = row->Text(10);
        identifier = row->Text(11);
        // The key named when the mail was queued first, then the vendor's registered keys, newest first: a
        // vendor whose key was missing, expired or revoked may have registered a new one since.
        if (!fingerprint.empty()) candidates.push_back(fingerprint);
        if (vendor_id) {
            KZ_ASSIGN(auto keys, lease->Query("SELECT fingerprint FROM vendor_keys WHERE vendor_id = ? ORDER BY id DESC",
                                              {*vendor_id}));
            for (const auto& k : keys)
                if (k.Text(0) != fingerprint) candidates.push_back(k.Text(0));
        } else {
            // Recipients that are not vendors (partner CSIRTs): the keys registered for the address, newest first.
            KZ_ASSIGN(auto keys, lease->Query("SELECT fingerprint FROM mail_recipient_keys WHERE lower(address) = lower(?)"
                                              " ORDER BY added_at DESC, fingerprint",
                                              {to}));
            for (const auto& k : keys)
                if (k.Text(0) != fingerprint) candidates.push_back(k.Text(0));
        }
        KZ_ASSIGN(attachments, QueuedAttachments(*lease, mail_id));
    }
    auto event = [&](store::Connection& c, std::string_view kind, const std::string& text) -> core::Status {
        if (!case_id) return core::Ok();
        return c.Exec("INSERT INTO case_events(case_id, at, actor, kind, text, vendor_id) VALUES (?, ?, 'mail', ?, ?, ?)",
                      {*case_id, now, std::string(kind), text, vendor_id ? store::Value(*vendor_id) : store::Null()});
    };

    if (payload.empty()) {
        // Never in clear: no usable key, no message. The first usable candidate wins; when none is usable the
        // reason given is the first candidate's.
        RecipientKey recipient;
        recipient.reason = "no OpenPGP key on file for the recipient";
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            std::string armored;
            {
                KZ_ASSIGN(auto lease, db_.Acquire());
                KZ_ASSIGN(auto key, lease->QueryOne("SELECT armored FROM vendor_keys WHERE upper(fingerprint) = upper(?)"
                                                    " UNION ALL SELECT armored FROM infra_keys WHERE upper(fingerprint) = upper(?)"
                                                    " UNION ALL SELECT armored FROM mail_recipient_keys"
                                                    " WHERE upper(fingerprint) = upper(?) LIMIT 1",
                                                    {candidates[i], candidates[i], candidates[i]}));
                if (key) armored = key->Text(0);
            }
            KZ_ASSIGN(RecipientKey checked, keyring_.CheckRecipient(armored, candidates[i]));
            if (checked.usable || i == 0) recipient = std::move(checked);
            if (recipient.usable) break;
        }
        fingerprint = recipient.fingerprint;
        if (!recipient.usable) {
            const std::string reason = recipient.reason + "; the message to " + to + " waits (never sent in clear)";
            KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
                KZ_TRY(c.Exec("INSERT INTO mail_outbound(mail_id, message_id, state, reason, recipient_key,"
                              " next_attempt_at, updated_at) VALUES (?, ?, 'waiting', ?, ?, ?, ?)"
                              " ON CONFLICT(mail_id) DO UPDATE SET state = 'waiting', reason = excluded.reason,"
                              " recipient_key = excluded.recipient_key, next_attempt_at = excluded.next_attempt_at,"
                              " updated_at = excluded.updated_at",
                              {mail_id, message_id.empty() ? "pending-" + std::to_string(mail_id) : message_id, reason,
                               fingerprint, core::FormatRfc3339(now_time + kWaitingRecheck), now}));
                if (previous_state != "waiting" || previous_reason != reason)
                    KZ_TRY(event(c, "mail.waiting", "mail \"" + subject + "\" to " + to + " not sent: " + recipient.reason));
                return core::Ok();
            }));
            if (previous_state != "waiting" || previous_reason != reason)
                log_.Warn("outbound mail waits", {{"mail_id", mail_id}, {"to", to}, {"reason", recipient.reason}});
            ++report.waiting;
            return core::Ok();
        }
        KZ_ASSIGN(std::string signer, keyring_.Fingerprint());
        if (message_id.empty() || message_id.rfind("pending-", 0) == 0)
            message_id = "kizuna." + std::to_string(mail_id) + "." + core::RandomHex(8) + "@" + Domain(relay_.from_address);
        // Threading: answer the newest message this party sent us about the case.
        std::string in_reply_to;
        if (case_id && vendor_id) {
            KZ_ASSIGN(auto lease, db_.Acquire());
            KZ_ASSIGN(auto last, lease->QueryOne("SELECT message_id FROM mail_inbound WHERE case_id = ? AND thread = ?"
                                                 " AND message_id NOT LIKE 'sha256:%' ORDER BY id DESC LIMIT 1",
                                                 {*case_id, "vendor:" + std::to_string(*vendor_id)}));
            if (last) in_reply_to = last->Text(0);
        }
        // Subjects carry the identifier so replies thread back even without In-Reply-To.
        if (!identifier.empty() && subject.find(identifier) == std::string::npos) subject = "[" + identifier + "] " + subject;
        std::string inner = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                            Wrap76(Base64(body));
        if (!attachments.empty()) {
            // Attachments travel inside the encrypted part: multipart/mixed of the text and each file.
            const std::string mixed = "kizuna-mixed-" + core::RandomHex(12);
            std::string m = "Content-Type: multipart/mixed; boundary=\"" + mixed + "\"\r\n\r\n";
            m += "--" + mixed + "\r\n" + inner;
            for (const auto& a : attachments) {
                m += "--" + mixed + "\r\nContent-Type: " + a.content_type + "; name=\"" + a.filename +
                     "\"\r\nContent-Disposition: attachment; filename=\"" + a.filename +
                     "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Wrap76(Base64(a.data));
            }
            m += "--" + mixed + "--\r\n";
            inner = std::move(m);
        }
        KZ_ASSIGN(std::string ciphertext, keyring_.SignEncrypt(inner, signer, recipient.fingerprint));
        const std::string boundary = "kizuna-" + core::RandomHex(12);
        std::string m;
        m += "From: " + EncodeHeader(relay_.from_name) + " <" + relay_.from_address + ">\r\n";
        m += "To: <" + to + ">\r\n";
        m += "Subject: " + EncodeHeader(subject) + "\r\n";
        m += "Date: " + RfcDate(now_time) + "\r\n";
        m += "Message-ID: <" + message_id + ">\r\n";
        if (!in_reply_to.empty()) m += "In-Reply-To: <" + in_reply_to + ">\r\nReferences: <" + in_reply_to + ">\r\n";
        if (!identifier.empty()) m += "X-Kizuna-Case: " + identifier + "\r\n";
        m += "MIME-Version: 1.0\r\n";
        m += "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n boundary=\"" + boundary +
             "\"\r\n\r\n";
        m += "This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n";
        m += "--" + boundary + "\r\nContent-Type: application/pgp-encrypted\r\n"
             "Content-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n";
        m += "--" + boundary + "\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
             "Content-Description: OpenPGP encrypted message\r\n"
             "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n";
        m += ToCrlf(ciphertext);
        m += "\r\n--" + boundary + "--\r\n";
        payload = std::move(m);
    }

    // Durably 'sending' before the relay sees a byte. The claim is conditional, so two senders never both
    // submit the same row.
    bool claimed = false;
    const std::string lease_until =
        core::FormatRfc3339(now_time + std::chrono::seconds(relay_.timeout_seconds + 60));
    KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto current, c.QueryOne("SELECT state FROM mail_queue WHERE id = ?", {mail_id}));
        if (!current || (current->Text(0) != "queued" && current->Text(0) != "sending")) return core::Ok();
        KZ_TRY(c.Exec("INSERT INTO mail_outbound(mail_id, message_id, state, reason, recipient_key, payload, attempts,"
                      " next_attempt_at, updated_at) VALUES (?, ?, 'sending', '', ?, ?, 1, ?, ?)"
                      " ON CONFLICT(mail_id) DO UPDATE SET state = 'sending', message_id = excluded.message_id,"
                      " payload = excluded.payload, recipient_key = excluded.recipient_key, attempts = attempts + 1,"
                      " next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at",
                      {mail_id, message_id, fingerprint, store::Blob{payload}, lease_until, now}));
        KZ_TRY(c.Exec("UPDATE mail_queue SET state = 'sending', attempts = attempts + 1 WHERE id = ?", {mail_id}));
        claimed = true;
        return core::Ok();
    }));
    if (!claimed) return core::Ok();
    ++attempts;

    const SubmitOutcome outcome = SubmitSmtp(relay_, relay_.from_address, to, payload);
    const std::string done_at = core::FormatRfc3339(clock_.Now());
    if (outcome.ok) {
        KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
            KZ_TRY(c.Exec("UPDATE mail_outbound SET state = 'sent', reason = '', sent_at = ?, updated_at = ? WHERE mail_id = ?",
                          {done_at, done_at, mail_id}));
            KZ_TRY(c.Exec("UPDATE mail_queue SET state = 'sent' WHERE id = ?", {mail_id}));
            return event(c, "mail.sent", "mail \"" + subject + "\" to " + to + " sent, signed and encrypted to " + fingerprint);
        }));
        log_.Info("outbound mail sent", {{"mail_id", mail_id}, {"to", to}, {"message_id", message_id}});
        ++report.sent;
        return core::Ok();
    }
    const bool permanent = outcome.reply_code >= 500 && outcome.reply_code < 600;
    const bool give_up = permanent || attempts >= relay_.max_attempts;
    auto backoff = kFirstBackoff * (1 << std::min(attempts - 1, 16));
    if (backoff > kMaxBackoff) backoff = std::chrono::duration_cast<std::chrono::seconds>(kMaxBackoff);
    KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("UPDATE mail_outbound SET state = ?, reason = ?, next_attempt_at = ?, updated_at = ? WHERE mail_id = ?",
                      {std::string(give_up ? "failed" : "retry"), outcome.error,
                       core::FormatRfc3339(clock_.Now() + backoff), done_at, mail_id}));
        KZ_TRY(c.Exec("UPDATE mail_queue SET state = ? WHERE id = ?",
                      {std::string(give_up ? "failed" : "queued"), mail_id}));
        if (give_up) KZ_TRY(event(c, "mail.failed", "mail \"" + subject + "\" to " + to + " failed: " + outcome.error));
        return core::Ok();
    }));
    log_.Warn(give_up ? "outbound mail failed" : "outbound mail will be retried",
              {{"mail_id", mail_id}, {"to", to}, {"error", outcome.error}, {"attempts", attempts}});
    ++(give_up ? report.failed : report.retrying);
    return core::Ok();
}

void OutboundSender::Start(std::chrono::seconds interval) {
    {
        std::lock_guard lock(mu_);
        if (thread_.joinable()) return;
        stop_ = false;
    }
    RecoverInFlight();
    thread_ = std::thread([this, interval] {
        std::unique_lock lock(mu_);
        while (!stop_) {
            lock.unlock();
            auto result = SendDue();
            if (!result.ok()) log_.Error("outbound mail pass failed", {{"error", result.error().ToString()}});
            lock.lock();
            cv_.wait_for(lock, interval, [this] { return stop_ || wake_; });
            wake_ = false;
        }
    });
}

void OutboundSender::RecoverInFlight() {
    auto st = db_.InTransaction([&](store::Connection& c) -> core::Status {
        return c.Exec("UPDATE mail_outbound SET next_attempt_at = '' WHERE state = 'sending'");
    });
    if (!st.ok()) log_.Error("outbound mail recovery failed", {{"error", st.error().ToString()}});
}

void OutboundSender::Stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void OutboundSender::Wake() {
    {
        std::lock_guard lock(mu_);
        wake_ = true;
    }
    cv_.notify_all();
}

core::Result<std::vector<OutboundItem>> OutboundSender::List(bool pending_only, int limit) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT q.id, q.to_address, q.subject, q.state, coalesce(o.state, ''),"
                                      " coalesce(o.reason, ''), q.case_id, coalesce(c.identifier, ''),"
                                      " coalesce(o.attempts, 0), coalesce(o.next_attempt_at, ''), coalesce(o.message_id, '')"
                                      " FROM mail_queue q LEFT JOIN mail_outbound o ON o.mail_id = q.id"
                                      " LEFT JOIN cases c ON c.id = q.case_id"
                                      " WHERE (? = 0 OR q.state IN ('queued','sending','failed'))"
                                      " ORDER BY q.id DESC LIMIT ?",
                                      {std::int64_t{pending_only ? 1 : 0}, std::int64_t{limit}}));
    std::vector<OutboundItem> out;
    for (const auto& r : rows) {
        OutboundItem item;
        item.mail_id = r.Int(0);
        item.to = r.Text(1);
        item.subject = r.Text(2);
        item.state = r.Text(3);
        item.delivery_state = r.Text(4);
        item.reason = r.Text(5);
        if (!r.IsNull(6)) item.case_id = r.Int(6);
        item.case_identifier = r.Text(7);
        item.attempts = static_cast<int>(r.Int(8));
        item.next_attempt_at = r.Text(9);
        item.message_id = r.Text(10).rfind("pending-", 0) == 0 ? std::string() : r.Text(10);
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace kizuna::mail
