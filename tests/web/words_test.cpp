// The web seam's words for domain errors (form_errors) and for what the mail gateway stores
// (mail_words): each known message of the domain becomes a sentence of the catalogs in ja and en, with
// the values it carried; nothing comes back in the domain's English or as a catalog key.
#include <gtest/gtest.h>

#include "web/i18n.hpp"
#include "web/internal/form_errors.hpp"
#include "web/internal/mail_words.hpp"

namespace kizuna::web::detail {
namespace {

struct ErrorCase {
    core::Error error;
    std::string ja;
    std::string en;
};

TEST(FormErrorsTest, DomainMessagesBecomeSentencesInBothLanguages) {
    const std::vector<ErrorCase> cases = {
        {core::InvalidArgument("must not be empty", "title"), "この項目は必須です。", "This field is required."},
        {core::InvalidArgument("is required", "email"), "この項目は必須です。", "This field is required."},
        {core::InvalidArgument("must be 1-200 characters", "name"), "1〜200 文字で入力してください。",
         "Enter 1 to 200 characters."},
        {core::InvalidArgument("name must be 1-200 characters", "name"), "1〜200 文字で入力してください。",
         "Enter 1 to 200 characters."},
        {core::InvalidArgument("sensor name must be 1..64 of [A-Za-z0-9._-]", "sensor"),
         "英数字と「.」「_」「-」で 1〜64 文字にしてください。", "Use 1 to 64 letters, digits, '.', '_' or '-'."},
        {core::InvalidArgument("must be at most 4000 characters", "reason"), "4000 文字以内で入力してください。",
         "Enter at most 4000 characters."},
        {core::InvalidArgument("note is longer than 2000 characters", "note"), "2000 文字以内で入力してください。",
         "Enter at most 2000 characters."},
        {core::InvalidArgument("at most 20 related cases", "case_ids"), "20 件までにしてください。",
         "Give at most 20 entries."},
        {core::InvalidArgument("must be an e-mail address", "email"), "メールアドレスを入力してください。",
         "Enter an e-mail address."},
        {core::InvalidArgument("not a mail address: x@", "email"), "メールアドレスを入力してください。",
         "Enter an e-mail address."},
        {core::InvalidArgument("must be an RFC 3339 date-time such as 2026-05-16T10:00:00+09:00", "at"),
         "日付と時刻を正しく入力してください。", "Enter a valid date and time."},
        {core::InvalidArgument("must be in the future", "at"), "未来の日時を指定してください。",
         "Choose a date and time in the future."},
        {core::InvalidArgument("the key has expired", "key"), "この鍵は有効期限切れです。", "This key has expired."},
        {core::InvalidArgument("at least one country code, e.g. KR", "countries"),
         "国コード（例: JP, KR）を入力してください。", "Enter country codes such as JP, KR."},
        {core::InvalidArgument("something nobody wrote a rule for", "x"), "入力内容を確認してください。",
         "Please check this entry."},
        {core::AlreadyExists("email taken", "email"), "同じものがすでに登録されています。", "This already exists."},
        {core::FailedPrecondition("the case is already published"), "この案件はすでに公表されています。",
         "The case is already published."},
        {core::FailedPrecondition("some new rule"), "現在の状態ではこの操作はできません。",
         "This cannot be done in the current state."},
        {core::ResourceExhausted("too many"), "短時間に操作が多すぎます。しばらくしてからやり直してください。",
         "Too many attempts. Please try again later."},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(ErrorSentence(Lang::kJa, c.error), c.ja) << c.error.ToString();
        EXPECT_EQ(ErrorSentence(Lang::kEn, c.error), c.en) << c.error.ToString();
    }
}

TEST(FormErrorsTest, FieldsHaveNamesAndUnknownFieldsNoRawName) {
    EXPECT_EQ(FieldLabel(Lang::kJa, "email"), "メールアドレス");
    EXPECT_EQ(FieldLabel(Lang::kEn, "public_reason"), "Public reason");
    EXPECT_EQ(FieldLabel(Lang::kJa, "urls[2]"), "URL");
    EXPECT_EQ(FieldLabel(Lang::kJa, "title.ja"), "タイトル");
    EXPECT_EQ(FieldLabel(Lang::kJa, "some_internal_name"), "入力項目");
    EXPECT_EQ(ErrorWithField(Lang::kJa, core::InvalidArgument("must not be empty", "title")), "タイトル：この項目は必須です。");
    EXPECT_EQ(ErrorWithField(Lang::kEn, core::InvalidArgument("must not be empty", "title")), "Title: This field is required.");
    EXPECT_EQ(ErrorWithField(Lang::kEn, core::FailedPrecondition("verify the report first: handling has not started")),
              "Verify the report first.");
}

TEST(FormErrorsTest, ErrorsGoBesideTheirFieldOrOnTheBanner) {
    FormErrors errors(Lang::kJa);
    EXPECT_TRUE(errors.empty());
    errors.Add(core::InvalidArgument("must not be empty", "name"));
    errors.Add(core::InvalidArgument("must be an e-mail address", "contacts[0].email"));
    errors.Add(core::FailedPrecondition("the case is already published"));
    errors.Add("note", "words_err_too_large");
    EXPECT_FALSE(errors.empty());
    EXPECT_EQ(errors.Banner(), "この案件はすでに公表されています。");
    const View view = errors.ToView();
    ASSERT_TRUE(view.is_object());
    EXPECT_EQ(view.get("name")->string_value(), "この項目は必須です。");
    EXPECT_EQ(view.get("contacts")->string_value(), "メールアドレスを入力してください。");
    EXPECT_EQ(view.get("note")->string_value(), "大きすぎます。");
    EXPECT_EQ(view.get("title"), nullptr);
}

TEST(FormErrorsTest, EverySentenceKeyExistsInBothCatalogs) {
    // Each rule's sentence: a missing key would come back as the key itself.
    for (const char* message : {"must not be empty", "must be 1-200 characters", "must be 1..64 of [a-z]",
                                "must be at most 5 characters", "at most 5 items", "must be 1..9", "must be at least 2",
                                "must be at most 3", "must be an e-mail address", "must be an http:// or https:// URL",
                                "bad date", "must be in the future", "must not contain control characters",
                                "not an IP address: x", "value out of range", "not an OpenPGP key",
                                "the key is revoked", "the key has no usable encryption subkey", "the key is too large",
                                "the end of the period must be after its start", "period too long",
                                "the vendor is not part of this case", "unknown field", "???", "at least one country code"})
        for (Lang lang : {Lang::kJa, Lang::kEn}) {
            const std::string text = ErrorSentence(lang, core::InvalidArgument(message, "f"));
            EXPECT_EQ(text.find("words_"), std::string::npos) << message << " → " << text;
            EXPECT_EQ(text.find("{{"), std::string::npos) << message << " → " << text;
        }
    for (auto code : {core::ErrorCode::kUnauthenticated, core::ErrorCode::kPermissionDenied, core::ErrorCode::kNotFound,
                      core::ErrorCode::kAlreadyExists, core::ErrorCode::kFailedPrecondition,
                      core::ErrorCode::kResourceExhausted, core::ErrorCode::kTooLarge, core::ErrorCode::kUnavailable,
                      core::ErrorCode::kDataLoss, core::ErrorCode::kInternal})
        for (Lang lang : {Lang::kJa, Lang::kEn})
            EXPECT_EQ(ErrorSentence(lang, core::Error(code, "x")).find("words_"), std::string::npos);
}

struct ReasonCase {
    std::string reason;  // as mail/ writes it
    std::string ja;
    std::string en;
    std::string detail = {};
};

TEST(MailWordsTest, EveryReasonOfTheMailGatewayInWords) {
    const std::vector<ReasonCase> cases = {
        {"not signed", "署名がありません", "Not signed"},
        {"malformed: no sender address in From:", "差出人アドレス（From:）がありません", "No sender address in From:"},
        {"oversized: 2000000 bytes, the limit is 1000000", "大きすぎるメールです（2000000 バイト、上限 1000000 バイト）",
         "Too large (2000000 bytes, the limit is 1000000)"},
        {"bad signature (key ABCDEF01)", "署名が不正です（鍵 ABCDEF01）", "Bad signature (key ABCDEF01)"},
        {"signed with a revoked key", "失効した鍵で署名されています", "Signed with a revoked key"},
        {"signed by key ABCDEF01, which is registered to no party",
         "鍵 ABCDEF01 による署名ですが、この鍵はどの登録先にも属していません",
         "Signed by key ABCDEF01, which belongs to no registered party"},
        {"From: names Example Corp (vendor), but the signature is by the key of reporter of JVNVU#12345678 (reporter)",
         "差出人は Example Corp（製品開発者） ですが、署名は JVNVU#12345678 の届出者（届出者） の鍵によるものです",
         "The sender names Example Corp (vendor), but the signature is by the key of the reporter of JVNVU#12345678 "
         "(reporter)"},
        {"the signature cannot be verified (no public key, key ABCDEF01)",
         "署名を検証できません（公開鍵が未登録）（鍵 ABCDEF01）",
         "The signature cannot be verified (Public key not on file) (key ABCDEF01)"},
        {"not signed; Example Corp (vendor) accepts signed mail only",
         "署名がありません。Example Corp（製品開発者） は署名付きメールのみを受け付けます",
         "Not signed; Example Corp (vendor) accepts signed mail only"},
        {"no OpenPGP key on file for the recipient; the message to psirt@example.jp waits (never sent in clear)",
         "宛先の OpenPGP 鍵が登録されていません。psirt@example.jp 宛てのメールは送信を保留しています（暗号化せずには送りません）",
         "No OpenPGP key on file for the recipient; The message to psirt@example.jp waits (never sent unencrypted)"},
        {"the recipient's key ABCDEF01 has expired", "宛先の鍵 ABCDEF01 は有効期限切れです",
         "The recipient's key ABCDEF01 has expired"},
        {"malformed MIME: truncated, bad boundary", "MIME 構造が壊れています", "Broken MIME structure",
         "truncated, bad boundary"},
        {"undecryptable: No secret key", "復号できません", "Cannot be decrypted", "No secret key"},
        {"a reason added later", "その他の理由", "Other reason", "a reason added later"},
    };
    for (const auto& c : cases) {
        const MailReason ja = MailReasonWords(Lang::kJa, c.reason);
        const MailReason en = MailReasonWords(Lang::kEn, c.reason);
        EXPECT_EQ(ja.text, c.ja) << c.reason;
        EXPECT_EQ(en.text, c.en) << c.reason;
        EXPECT_EQ(ja.detail, c.detail) << c.reason;
    }
    EXPECT_EQ(MailReasonWords(Lang::kJa, "").text, "");
}

TEST(MailWordsTest, SignatureStatesAndDeliveryStatesInWords) {
    EXPECT_EQ(SignatureStatusWords(Lang::kJa, "good"), "有効な署名");
    EXPECT_EQ(SignatureStatusWords(Lang::kJa, "bad signature"), "不正な署名");
    EXPECT_EQ(SignatureStatusWords(Lang::kEn, "no public key"), "Public key not on file");
    EXPECT_EQ(SignatureStatusWords(Lang::kJa, "something new"), "検証できない署名");
    EXPECT_EQ(MailStateWords(Lang::kJa, "waiting"), "保留（鍵待ち）");
    EXPECT_EQ(MailStateWords(Lang::kEn, "sent"), "Sent");
    EXPECT_EQ(MailStateWords(Lang::kJa, ""), "未処理");
    EXPECT_EQ(MailStateWords(Lang::kJa, "odd"), "不明な状態");
    EXPECT_EQ(PartyNameWords(Lang::kJa, "reporter of JVNVU#12345678"), "JVNVU#12345678 の届出者");
    EXPECT_EQ(PartyNameWords(Lang::kJa, "Example Corp"), "Example Corp");
}

}  // namespace
}  // namespace kizuna::web::detail
