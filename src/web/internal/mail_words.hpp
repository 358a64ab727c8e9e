// Human words for what the mail gateway stores (/mail page): quarantine and attribution reasons, the
// signature status of GnuPG, outbound delivery states, and the kind of party a mail was attributed to.
//
// mail/ writes its reasons as English sentences for the log and the operator's CLI ("not signed",
// "bad signature (key ABCD…)", "From: names Example Corp (vendor), but the signature is by the key of
// …", "no OpenPGP key on file for the recipient; the message to x@y waits (never sent in clear)"). This
// layer reads those sentences — their fixed parts, not their free values — and says the same in the
// viewer's language, keeping the values (fingerprints, addresses, names). A reason it does not know
// becomes a generic sentence with the original as technical detail, so nothing is lost and nothing is
// guessed. Keep the patterns in mail_words.cpp in step with mail/attribution.cpp, mail/inbound.cpp,
// mail/pgp.cpp and mail/outbound.cpp (tests/web/mail_words_test.cpp covers each one).
#pragma once

#include <string>
#include <string_view>

#include "web/i18n.hpp"

namespace kizuna::web::detail {

struct MailReason {
    std::string text;    // in the viewer's language
    std::string detail;  // technical detail the words could not carry (a library's message), "" if none
};

// A quarantine, attribution or outbound reason ("" stays "").
MailReason MailReasonWords(Lang lang, std::string_view reason);

// "good", "bad signature", "no public key"… → "有効な署名", "不正な署名", "公開鍵が未登録"…
std::string SignatureStatusWords(Lang lang, std::string_view status);

// Outbound delivery state: waiting, retry, sending, sent, failed, queued, "" (not looked at yet).
std::string MailStateWords(Lang lang, std::string_view state);

// A party's name as mail/ describes it: "reporter of JVNVU#12345678" → "JVNVU#12345678 の届出者".
std::string PartyNameWords(Lang lang, std::string_view name);

}  // namespace kizuna::web::detail
