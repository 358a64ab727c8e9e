// Top-level domains the extractor accepts for bare names in text ("example.co.jp", not "report.pdf").
// Names inside a URL or an e-mail address accept any alphabetic TLD; bare names need one of these.
#pragma once

#include <string_view>

namespace kizuna::incident::detail {

// `tld` in lower case, without the dot.
bool IsKnownTld(std::string_view tld);
// TLDs that are also common file extensions (sh, py, md, zip…): a bare two-label name ending in one of
// them ("install.sh") is taken for a file name.
bool IsFileLikeTld(std::string_view tld);

}  // namespace kizuna::incident::detail
