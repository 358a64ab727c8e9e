// V1 vendor registry: organisations, contact points, OpenPGP keys, products with their software
// composition (manual or CycloneDX/SPDX), technology keyword answers, registration kind and workflow,
// agreement to the registration terms, and the portal accounts (users) that act for a vendor.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"
#include "vuln/matcher.hpp"
#include "vuln/mail_templates.hpp"
#include "vuln/types.hpp"

namespace kizuna::vuln {

struct NewVendor {
    std::string name;
    std::string name_en;
    RegistrationKind kind = RegistrationKind::kGeneral;
    std::string website;
    std::string postal_address;
};

struct Contact {
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::string phone;
    bool primary = false;
    MailLang lang = MailLang::kJa;  // the language of the mail this contact gets (issue 13)
};

struct VendorKey {
    std::string fingerprint;
    std::string user_ids;  // newline-separated
    std::string expires_at;  // "" = never
    bool can_encrypt = false;
    std::string imported_at;
};

struct Component {
    std::string name;
    std::string version;
    std::string purl;
};

struct Product {
    std::int64_t id = 0;
    std::string name;
    std::vector<Component> components;
};

struct Vendor {
    VendorId id;
    std::string name;
    std::string name_en;
    RegistrationKind kind;
    RegistrationState state;
    std::string terms_version;
    std::string terms_agreed_at;
    std::string website;
    std::string postal_address;
    std::string created_at;
    std::string registered_at;
    // V17: unsigned (or not attributable) mail claiming this vendor is held for a coordinator as unverified
    // when true, quarantined when false. Mail reaches the vendor's thread only with its registered key's
    // good signature either way.
    bool accept_unsigned_mail = true;
    std::vector<Contact> contacts;
    std::vector<VendorKey> keys;
    std::vector<std::string> keywords;
    std::vector<Product> products;
};

struct VendorCountPoint {
    std::string month;  // "2026-04"
    std::int64_t registered;  // cumulative, by registered_at
};

// The registration states a vendor of this kind may move to from `from`: the workflow Advance enforces
// (its other preconditions — terms, a contact point — are checked by Advance itself).
std::vector<RegistrationState> NextRegistrationStates(RegistrationKind kind, RegistrationState from);

class VendorRegistry {
  public:
    VendorRegistry(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    // General registrations start as `applied`; individual ones as `registration_requested`;
    // unregistered vendors (found during coordination) as `unregistered`.
    core::Result<VendorId> Create(const NewVendor& vendor, std::string_view actor);
    // Moves the registration workflow one step (see RegistrationState). Registering a general vendor
    // needs its agreement to the terms; registering any vendor needs a contact point.
    core::Status Advance(VendorId vendor, RegistrationState to, std::string_view actor, std::string_view note);
    core::Status AgreeToTerms(VendorId vendor, std::string_view terms_version, std::string_view actor);
    core::Result<std::int64_t> AddContact(VendorId vendor, const Contact& contact, std::string_view actor);
    // The language of one contact's mail; NotFound when the contact is not the vendor's. Audited.
    core::Status SetContactLanguage(VendorId vendor, std::int64_t contact, MailLang lang, std::string_view actor);
    // Imports an ASCII-armored OpenPGP public key after checking it with GPGME; returns what was found.
    core::Result<VendorKey> ImportKey(VendorId vendor, std::string_view armored, std::string_view actor);
    core::Result<std::int64_t> AddProduct(VendorId vendor, std::string_view name, const std::vector<Component>& components,
                                          std::string_view actor);
    // Adds a product whose composition comes from a CycloneDX or SPDX JSON document.
    core::Result<std::int64_t> ImportSbom(VendorId vendor, std::string_view product_name, std::string_view sbom_json,
                                          std::string_view actor);
    // Replaces the vendor's technology keyword answers; unknown keywords are added to the list.
    core::Status SetKeywords(VendorId vendor, const std::vector<std::string>& keywords, std::string_view actor);
    // Whether unsigned mail claiming the vendor is held as unverified (true) or quarantined (false). Staff.
    core::Status SetAcceptUnsignedMail(VendorId vendor, bool accept, std::string_view actor);
    // Links a portal account (role vendor) to the vendor.
    core::Status AddMember(VendorId vendor, auth::UserId user, std::string_view actor);

    core::Result<Vendor> Get(VendorId vendor);
    core::Result<std::optional<VendorId>> FindByName(std::string_view name);
    core::Result<std::vector<Vendor>> List();  // without products/keys detail
    // The vendor a portal account acts for, if any.
    core::Result<std::optional<VendorId>> VendorOf(auth::UserId user);
    // Cumulative registered vendors per month from the first registration to `until`.
    core::Result<std::vector<VendorCountPoint>> CountOverTime();
    // Every keyword answer and component of registered vendors, for the matcher.
    core::Result<std::vector<IndexEntry>> MatcherEntries();
    // The matcher over MatcherEntries(), rebuilt only after this registry changed something (a
    // generation counter bumped by every write). Thread-safe.
    core::Result<std::shared_ptr<const VendorMatcher>> Matcher();

  private:
    core::Status Audit(store::Connection& c, std::string_view actor, std::string_view action, VendorId vendor,
                       std::string detail = {});

    void Changed() { generation_.fetch_add(1, std::memory_order_relaxed); }

    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
    std::atomic<std::uint64_t> generation_{1};
    std::mutex matcher_mu_;
    std::uint64_t matcher_generation_ = 0;  // guarded by matcher_mu_
    std::shared_ptr<const VendorMatcher> matcher_;  // guarded by matcher_mu_
};

}  // namespace kizuna::vuln
