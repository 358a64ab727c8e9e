// Who someone is to the center. A closed set; every access decision starts from the role.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace kizuna::auth {

enum class Role {
    kAdmin,        // runs the installation: users, tokens, audit
    kCoordinator,  // center staff: cases, incidents, observation, publications
    kVendor,       // a vendor's registered contact (製品開発者の窓口)
    kReporter,     // finder, researcher, other reporter
    kPartner,      // partner CSIRT (domestic or overseas coordinator)
    kSensor,       // an observation sensor (API tokens only)
};

// "admin", "coordinator", "vendor", "reporter", "partner", "sensor".
std::string_view RoleName(Role role);
// Accepts the names above and the long forms "vendor-contact" and "partner-csirt".
core::Result<Role> ParseRole(std::string_view name);

struct UserTag;
using UserId = core::Id<UserTag>;

// The authenticated caller of a request, as the policy sees it.
struct Principal {
    UserId id;
    std::string name;
    std::string display_name;
    Role role;
    bool via_token = false;  // API bearer token rather than a browser session
};

}  // namespace kizuna::auth
