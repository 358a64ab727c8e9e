#include "formats/advisory_doc.hpp"

#include <set>

namespace kizuna::formats {
namespace {

bool IsKey(std::string_view key) {
    if (key.empty() || key.size() > 64) return false;
    for (char c : key) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool IsCveId(std::string_view id) {
    // CVE-YYYY-NNNN with four or more digits (CVE JSON 5 pattern ^CVE-[0-9]{4}-[0-9]{4,19}$).
    if (id.size() < 13 || id.size() > 28 || id.substr(0, 4) != "CVE-" || id[8] != '-') return false;
    for (std::size_t i = 4; i < id.size(); ++i) {
        if (i == 8) continue;
        if (id[i] < '0' || id[i] > '9') return false;
    }
    return true;
}

}  // namespace

std::string_view Name(AdvisoryVendorStatus status) {
    switch (status) {
        case AdvisoryVendorStatus::kUnknown: return "unknown";
        case AdvisoryVendorStatus::kAffected: return "affected";
        case AdvisoryVendorStatus::kAffectedInvestigating: return "affected_investigating";
        case AdvisoryVendorStatus::kNotAffected: return "not_affected";
        case AdvisoryVendorStatus::kNotAffectedInvestigating: return "not_affected_investigating";
    }
    return "unknown";
}

std::string_view Name(AdvisorySource source) {
    switch (source) {
        case AdvisorySource::kDomestic: return "domestic";
        case AdvisorySource::kCertCc: return "cert_cc";
        case AdvisorySource::kCpni: return "cpni";
    }
    return "domestic";
}

std::string AdvisoryUrlSegment(std::string_view advisory_id) {
    std::string out;
    for (char c : advisory_id) {
        if (c != '#') out += c;
    }
    return out;
}

core::Result<void> CheckAdvisoryDoc(const AdvisoryDoc& doc) {
    if (doc.id.empty()) return core::InvalidArgument("must not be empty", "id");
    if (doc.revisions.empty()) return core::InvalidArgument("a published advisory has at least one revision", "revisions");
    std::set<std::string, std::less<>> vendor_keys;
    for (std::size_t i = 0; i < doc.vendors.size(); ++i) {
        const AdvisoryVendor& vendor = doc.vendors[i];
        const std::string vfield = "vendors[" + std::to_string(i) + "]";
        if (!IsKey(vendor.vendor_key)) {
            return core::InvalidArgument("must be 1-64 characters of [A-Za-z0-9._-]", vfield + ".vendor_key");
        }
        if (!vendor_keys.insert(vendor.vendor_key).second) {
            return core::InvalidArgument("duplicate vendor key '" + vendor.vendor_key + "'", vfield + ".vendor_key");
        }
        std::set<std::string, std::less<>> product_keys;
        for (std::size_t j = 0; j < vendor.products.size(); ++j) {
            const AdvisoryProduct& product = vendor.products[j];
            const std::string pfield = vfield + ".products[" + std::to_string(j) + "]";
            if (!IsKey(product.product_key)) {
                return core::InvalidArgument("must be 1-64 characters of [A-Za-z0-9._-]", pfield + ".product_key");
            }
            if (!product_keys.insert(product.product_key).second) {
                return core::InvalidArgument("duplicate product key '" + product.product_key + "'",
                                             pfield + ".product_key");
            }
            std::set<std::string, std::less<>> labels;
            for (std::size_t k = 0; k < product.versions.size(); ++k) {
                const std::string field = pfield + ".versions[" + std::to_string(k) + "].label";
                if (product.versions[k].label.empty()) return core::InvalidArgument("must not be empty", field);
                if (!labels.insert(product.versions[k].label).second) {
                    return core::InvalidArgument("duplicate version range '" + product.versions[k].label + "'", field);
                }
            }
        }
    }
    std::set<std::string, std::less<>> cves;
    for (std::size_t i = 0; i < doc.cve_ids.size(); ++i) {
        const std::string field = "cve_ids[" + std::to_string(i) + "]";
        if (!IsCveId(doc.cve_ids[i])) {
            return core::InvalidArgument("'" + doc.cve_ids[i] + "' is not a CVE id (CVE-YYYY-NNNN)", field);
        }
        if (!cves.insert(doc.cve_ids[i]).second) return core::InvalidArgument("duplicate CVE id", field);
    }
    return {};
}

}  // namespace kizuna::formats
