#include "auth/roles.hpp"

namespace kizuna::auth {

std::string_view RoleName(Role role) {
    switch (role) {
        case Role::kAdmin: return "admin";
        case Role::kCoordinator: return "coordinator";
        case Role::kVendor: return "vendor";
        case Role::kReporter: return "reporter";
        case Role::kPartner: return "partner";
        case Role::kSensor: return "sensor";
    }
    return "reporter";
}

core::Result<Role> ParseRole(std::string_view name) {
    if (name == "admin") return Role::kAdmin;
    if (name == "coordinator") return Role::kCoordinator;
    if (name == "vendor" || name == "vendor-contact") return Role::kVendor;
    if (name == "reporter") return Role::kReporter;
    if (name == "partner" || name == "partner-csirt") return Role::kPartner;
    if (name == "sensor") return Role::kSensor;
    return core::InvalidArgument(
        "unknown role '" + std::string(name) + "' (admin, coordinator, vendor, reporter, partner, sensor)", "role");
}

}  // namespace kizuna::auth
