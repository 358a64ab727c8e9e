// Who gets a mail and in which language (issue 13): every e-mail contact of a vendor gets its own mail in
// its own language (contact column `lang`), encrypted to the vendor's newest encryption-capable key.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/store.hpp"
#include "vuln/mail_templates.hpp"
#include "vuln/types.hpp"

namespace kizuna::vuln::detail {

struct MailRecipient {
    std::string address;
    MailLang lang = MailLang::kJa;
    std::string encrypt_to;  // '' = clear (or a key the sender finds for the address)
};

// The vendor's e-mail contacts, primary first, each with the vendor's newest encryption-capable key.
core::Result<std::vector<MailRecipient>> VendorRecipients(store::Connection& c, VendorId vendor);

struct QueuedRecipientMail {
    std::int64_t mail_id = 0;
    MailRecipient to;
    MailText text;
};

// Renders `template_name` once per language present among `recipients` (values from `values(lang)`; an
// entry of `edited` replaces the rendering for its language) and queues one mail per recipient.
core::Result<std::vector<QueuedRecipientMail>> QueueForRecipients(
    store::Connection& c, const core::Clock& clock, CaseId id, std::optional<VendorId> vendor,
    const std::vector<MailRecipient>& recipients, std::string_view template_name,
    const std::function<MailValues(MailLang)>& values, const std::map<MailLang, MailText>& edited = {});

}  // namespace kizuna::vuln::detail
