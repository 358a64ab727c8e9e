// Front door of vuln/: vulnerability coordination (seed 001; MISSION.md V1-V19).
#pragma once

#include <span>

#include "store/store.hpp"
#include "vuln/advisories.hpp"
#include "vuln/cases.hpp"
#include "vuln/early_notice.hpp"
#include "vuln/international.hpp"
#include "vuln/mail_templates.hpp"
#include "vuln/matcher.hpp"
#include "vuln/schedule.hpp"
#include "vuln/secondary.hpp"
#include "vuln/types.hpp"
#include "vuln/vendors.hpp"
#include "vuln/work_queue.hpp"

namespace kizuna::vuln {

// Schema of vuln/ (versions 1000-1999).
std::span<const store::Migration> Migrations();

}  // namespace kizuna::vuln
