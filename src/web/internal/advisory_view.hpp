// The advisory as page data (figure 1) and one vendor's page (figure 2), shared by the public page and the
// coordinator's preview so that the preview is exactly what will be published.
#pragma once

#include <optional>
#include <string_view>

#include "vuln/advisories.hpp"
#include "web/internal/view.hpp"
#include "web/site.hpp"

namespace kizuna::web::detail {

// "2026年4月1日" (ja) or "2026-04-01" (en), in the site's time zone.
std::string AdvisoryDate(SiteServices& s, Lang lang, core::WallTime t);
std::string_view AdvisoryStatusName(formats::AdvisoryVendorStatus status);
View AdvisoryView(SiteServices& s, Lang lang, const vuln::AdvisoryRecord& rec);
// nullopt when `vendor_key` is not in the advisory's vendor table.
std::optional<View> AdvisoryVendorView(SiteServices& s, Lang lang, const vuln::AdvisoryRecord& rec,
                                       std::string_view vendor_key);

}  // namespace kizuna::web::detail
