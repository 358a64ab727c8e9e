// `kizuna mail import PATH`: a Maildir (cur/ and new/) or an mbox file through the same inbound path as
// the listeners (stored raw, deduplicated by Message-ID, routed or quarantined).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "mail/inbound.hpp"

namespace kizuna::mail {

struct ImportReport {
    int messages = 0;
    int routed = 0;
    int quarantined = 0;
    int duplicates = 0;
};

// Splits an mbox (mboxrd/mboxo: "From " separator lines, ">From " unquoted) into messages.
std::vector<std::string> SplitMbox(std::string_view mbox);

core::Result<ImportReport> ImportPath(InboundService& inbound, const std::string& path);

}  // namespace kizuna::mail
