#include "vuln/vendors.hpp"

#include <algorithm>

#include "formats/sbom.hpp"
#include "mail/openpgp.hpp"

namespace kizuna::vuln {
namespace {

std::string Lower(std::string_view s) {
    std::string out;
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    for (char c : s.substr(b, e - b)) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

bool AllowedTransition(RegistrationKind kind, RegistrationState from, RegistrationState to) {
    using S = RegistrationState;
    if (to == S::kRefused) return from != S::kRegistered && from != S::kRefused;
    if (kind == RegistrationKind::kGeneral) {
        return (from == S::kApplied && to == S::kDocumentsReceived) ||
               (from == S::kDocumentsReceived && to == S::kMeeting) || (from == S::kMeeting && to == S::kRegistered);
    }
    // Individual registration by e-mail; an unregistered vendor is first asked to register.
    return (from == S::kUnregistered && to == S::kRegistrationRequested) ||
           ((from == S::kRegistrationRequested || from == S::kUnregistered) && to == S::kRegistered);
}

}  // namespace

std::vector<RegistrationState> NextRegistrationStates(RegistrationKind kind, RegistrationState from) {
    using S = RegistrationState;
    if (kind == RegistrationKind::kUnregistered) kind = RegistrationKind::kIndividual;  // as Advance does
    std::vector<RegistrationState> out;
    for (S to : {S::kDocumentsReceived, S::kMeeting, S::kRegistrationRequested, S::kRegistered, S::kRefused})
        if (AllowedTransition(kind, from, to)) out.push_back(to);
    return out;
}

core::Status VendorRegistry::Audit(store::Connection& c, std::string_view actor, std::string_view action,
                                   VendorId vendor, std::string detail) {
    auto seq = audit_.Append(c, {std::string(actor), std::string(action), "vendor:" + std::to_string(vendor.value()),
                                 std::move(detail), ""});
    if (!seq.ok()) return seq.error();
    return core::Ok();
}

core::Result<VendorId> VendorRegistry::Create(const NewVendor& v, std::string_view actor) {
    Changed();
    if (v.name.empty() || v.name.size() > 200) return core::InvalidArgument("must be 1-200 characters", "name");
    if (v.name_en.size() > 200) return core::InvalidArgument("must be at most 200 characters", "name_en");
    const RegistrationState state = v.kind == RegistrationKind::kGeneral      ? RegistrationState::kApplied
                                    : v.kind == RegistrationKind::kIndividual ? RegistrationState::kRegistrationRequested
                                                                              : RegistrationState::kUnregistered;
    const std::string now = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction<VendorId>([&](store::Connection& c) -> core::Result<VendorId> {
        core::Status st = c.Exec(
            "INSERT INTO vendors(name, name_en, registration_kind, registration_state, website, postal_address,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {v.name, v.name_en, std::string(Name(v.kind)), std::string(Name(state)), v.website, v.postal_address, now});
        if (!st.ok()) {
            if (st.error().code() == core::ErrorCode::kAlreadyExists)
                return core::AlreadyExists("a vendor named '" + v.name + "' exists", "name");
            return st.error();
        }
        const VendorId id(c.LastInsertId());
        KZ_TRY(c.Exec("INSERT INTO vendor_registration_events(vendor_id, from_state, to_state, at, actor)"
                      " VALUES (?, '', ?, ?, ?)",
                      {id.value(), std::string(Name(state)), now, std::string(actor)}));
        KZ_TRY(Audit(c, actor, "vendor.create", id, "{\"kind\":\"" + std::string(Name(v.kind)) + "\"}"));
        return id;
    });
}

core::Status VendorRegistry::Advance(VendorId vendor, RegistrationState to, std::string_view actor,
                                     std::string_view note) {
    const std::string now = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT registration_kind, registration_state, terms_version FROM vendors"
                                       " WHERE id = ?",
                                       {vendor.value()}));
        if (!row) return core::NotFound("no vendor " + std::to_string(vendor.value()));
        KZ_ASSIGN(RegistrationKind kind, ParseRegistrationKind(row->Text(0)));
        KZ_ASSIGN(RegistrationState from, ParseRegistrationState(row->Text(1)));
        if (kind == RegistrationKind::kUnregistered && to != RegistrationState::kRefused) kind = RegistrationKind::kIndividual;
        if (!AllowedTransition(kind, from, to))
            return core::FailedPrecondition("a " + std::string(Name(kind)) + " registration cannot go from " +
                                            std::string(Name(from)) + " to " + std::string(Name(to)));
        if (to == RegistrationState::kRegistered) {
            if (kind == RegistrationKind::kGeneral && row->Text(2).empty())
                return core::FailedPrecondition("the vendor has not agreed to the registration terms");
            KZ_ASSIGN(auto contacts, c.QueryInt("SELECT count(*) FROM vendor_contacts WHERE vendor_id = ?",
                                                {vendor.value()}));
            if (contacts == 0) return core::FailedPrecondition("the vendor has no registered contact point");
        }
        KZ_TRY(c.Exec("UPDATE vendors SET registration_state = ?, registration_kind = ?,"
                      " registered_at = CASE WHEN ? = 'registered' THEN ? ELSE registered_at END WHERE id = ?",
                      {std::string(Name(to)), std::string(Name(kind)), std::string(Name(to)), now, vendor.value()}));
        KZ_TRY(c.Exec("INSERT INTO vendor_registration_events(vendor_id, from_state, to_state, at, actor, note)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      {vendor.value(), std::string(Name(from)), std::string(Name(to)), now, std::string(actor),
                       std::string(note)}));
        return Audit(c, actor, "vendor.registration", vendor, "{\"to\":\"" + std::string(Name(to)) + "\"}");
    });
}

core::Status VendorRegistry::AgreeToTerms(VendorId vendor, std::string_view terms_version, std::string_view actor) {
    if (terms_version.empty() || terms_version.size() > 40)
        return core::InvalidArgument("must be 1-40 characters", "terms_version");
    const std::string now = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("UPDATE vendors SET terms_version = ?, terms_agreed_at = ? WHERE id = ?",
                      {std::string(terms_version), now, vendor.value()}));
        if (c.ChangedRows() == 0) return core::NotFound("no vendor " + std::to_string(vendor.value()));
        return Audit(c, actor, "vendor.terms", vendor, "{\"version\":\"" + std::string(terms_version) + "\"}");
    });
}

core::Result<std::int64_t> VendorRegistry::AddContact(VendorId vendor, const Contact& contact, std::string_view actor) {
    if (contact.name.empty() || contact.name.size() > 200) return core::InvalidArgument("must be 1-200 characters", "name");
    if (contact.email.empty() && contact.phone.empty())
        return core::InvalidArgument("a contact point needs an e-mail address or a phone number", "email");
    if (!contact.email.empty() && (contact.email.find('@') == std::string::npos || contact.email.size() > 254))
        return core::InvalidArgument("must be an e-mail address", "email");
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(auto exists, c.QueryInt("SELECT count(*) FROM vendors WHERE id = ?", {vendor.value()}));
        if (exists == 0) return core::NotFound("no vendor " + std::to_string(vendor.value()));
        KZ_ASSIGN(auto count, c.QueryInt("SELECT count(*) FROM vendor_contacts WHERE vendor_id = ?", {vendor.value()}));
        const bool primary = contact.primary || count == 0;
        if (primary) KZ_TRY(c.Exec("UPDATE vendor_contacts SET is_primary = 0 WHERE vendor_id = ?", {vendor.value()}));
        KZ_TRY(c.Exec("INSERT INTO vendor_contacts(vendor_id, name, email, phone, is_primary, lang)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      {vendor.value(), contact.name, contact.email, contact.phone, std::int64_t{primary ? 1 : 0},
                       std::string(Name(contact.lang))}));
        const std::int64_t id = c.LastInsertId();
        KZ_TRY(Audit(c, actor, "vendor.contact", vendor));
        return id;
    });
}

core::Status VendorRegistry::SetContactLanguage(VendorId vendor, std::int64_t contact, MailLang lang,
                                               std::string_view actor) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto n, c.QueryInt("SELECT count(*) FROM vendor_contacts WHERE id = ? AND vendor_id = ?",
                                     {contact, vendor.value()}));
        if (n == 0) return core::NotFound("no such contact");
        KZ_TRY(c.Exec("UPDATE vendor_contacts SET lang = ? WHERE id = ?", {std::string(Name(lang)), contact}));
        return Audit(c, actor, "vendor.contact", vendor,
                     "{\"contact\":" + std::to_string(contact) + ",\"lang\":\"" + std::string(Name(lang)) + "\"}");
    });
}

core::Result<VendorKey> VendorRegistry::ImportKey(VendorId vendor, std::string_view armored, std::string_view actor) {
    KZ_ASSIGN(mail::PublicKeyInfo info, mail::InspectPublicKey(armored, clock_.Now()));
    VendorKey key;
    key.fingerprint = info.fingerprint;
    for (const auto& uid : info.user_ids) key.user_ids += (key.user_ids.empty() ? "" : "\n") + uid;
    key.expires_at = info.expires ? core::FormatRfc3339(*info.expires) : "";
    key.can_encrypt = info.can_encrypt;
    key.imported_at = core::FormatRfc3339(clock_.Now());
    if (info.revoked) return core::InvalidArgument("the key is revoked", "key");
    return db_.InTransaction<VendorKey>([&](store::Connection& c) -> core::Result<VendorKey> {
        KZ_ASSIGN(auto exists, c.QueryInt("SELECT count(*) FROM vendors WHERE id = ?", {vendor.value()}));
        if (exists == 0) return core::NotFound("no vendor " + std::to_string(vendor.value()));
        core::Status st = c.Exec(
            "INSERT INTO vendor_keys(vendor_id, fingerprint, user_ids, expires_at, can_encrypt, armored, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            {vendor.value(), key.fingerprint, key.user_ids, key.expires_at, std::int64_t{key.can_encrypt ? 1 : 0},
             std::string(armored), key.imported_at});
        if (!st.ok() && st.error().code() == core::ErrorCode::kAlreadyExists)
            return core::AlreadyExists("this key is already registered for the vendor", "key");
        KZ_TRY(st);
        KZ_TRY(Audit(c, actor, "vendor.key", vendor, "{\"fingerprint\":\"" + key.fingerprint + "\"}"));
        return key;
    });
}

core::Result<std::int64_t> VendorRegistry::AddProduct(VendorId vendor, std::string_view name,
                                                      const std::vector<Component>& components,
                                                      std::string_view actor) {
    Changed();
    if (name.empty() || name.size() > 200) return core::InvalidArgument("must be 1-200 characters", "product");
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(auto exists, c.QueryInt("SELECT count(*) FROM vendors WHERE id = ?", {vendor.value()}));
        if (exists == 0) return core::NotFound("no vendor " + std::to_string(vendor.value()));
        core::Status st = c.Exec("INSERT INTO products(vendor_id, name) VALUES (?, ?)", {vendor.value(), std::string(name)});
        if (!st.ok() && st.error().code() == core::ErrorCode::kAlreadyExists)
            return core::AlreadyExists("the vendor already has a product named '" + std::string(name) + "'", "product");
        KZ_TRY(st);
        const std::int64_t product = c.LastInsertId();
        for (const Component& comp : components) {
            const std::string normalized = formats::NormalizeComponentName(comp.name);
            if (normalized.empty()) continue;
            KZ_TRY(c.Exec("INSERT INTO product_components(product_id, name, version, purl, source) VALUES (?, ?, ?, ?, ?)",
                          {product, normalized, comp.version, comp.purl,
                           std::string(comp.purl.empty() ? "manual" : "manual")}));
        }
        KZ_TRY(Audit(c, actor, "vendor.product", vendor, "{\"product\":" + std::to_string(product) + "}"));
        return product;
    });
}

core::Result<std::int64_t> VendorRegistry::ImportSbom(VendorId vendor, std::string_view product_name,
                                                      std::string_view sbom_json, std::string_view actor) {
    KZ_ASSIGN(formats::Sbom sbom, formats::ParseSbom(sbom_json));
    std::vector<Component> components;
    components.reserve(sbom.components.size());
    for (const auto& c : sbom.components) components.push_back({c.name, c.version, c.purl});
    std::string name(product_name);
    if (name.empty()) name = sbom.subject;
    KZ_ASSIGN(std::int64_t product, AddProduct(vendor, name, components, actor));
    const std::string source = sbom.format == formats::SbomFormat::kCycloneDx ? "cyclonedx" : "spdx";
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_TRY(lease->Exec("UPDATE product_components SET source = ? WHERE product_id = ?", {source, product}));
    return product;
}

core::Status VendorRegistry::SetKeywords(VendorId vendor, const std::vector<std::string>& keywords,
                                         std::string_view actor) {
    Changed();
    if (keywords.size() > 500) return core::InvalidArgument("at most 500 keywords", "keywords");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto exists, c.QueryInt("SELECT count(*) FROM vendors WHERE id = ?", {vendor.value()}));
        if (exists == 0) return core::NotFound("no vendor " + std::to_string(vendor.value()));
        KZ_TRY(c.Exec("DELETE FROM vendor_keywords WHERE vendor_id = ?", {vendor.value()}));
        for (const std::string& raw : keywords) {
            const std::string kw = Lower(raw);
            if (kw.empty() || kw.size() > 100) return core::InvalidArgument("each keyword must be 1-100 characters", "keywords");
            KZ_TRY(c.Exec("INSERT INTO tech_keywords(keyword) VALUES (?) ON CONFLICT(keyword) DO NOTHING", {kw}));
            KZ_TRY(c.Exec("INSERT OR IGNORE INTO vendor_keywords(vendor_id, keyword_id)"
                          " SELECT ?, id FROM tech_keywords WHERE keyword = ?",
                          {vendor.value(), kw}));
        }
        return Audit(c, actor, "vendor.keywords", vendor);
    });
}

core::Status VendorRegistry::SetAcceptUnsignedMail(VendorId vendor, bool accept, std::string_view actor) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto exists, c.QueryInt("SELECT count(*) FROM vendors WHERE id = ?", {vendor.value()}));
        if (exists == 0) return core::NotFound("no vendor " + std::to_string(vendor.value()));
        KZ_TRY(c.Exec("UPDATE vendors SET accept_unsigned_mail = ? WHERE id = ?",
                      {std::int64_t{accept ? 1 : 0}, vendor.value()}));
        return Audit(c, actor, "vendor.mail_policy", vendor,
                     accept ? "unsigned mail held as unverified" : "unsigned mail quarantined");
    });
}

core::Status VendorRegistry::AddMember(VendorId vendor, auth::UserId user, std::string_view actor) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto role, c.QueryOne("SELECT role FROM users WHERE id = ?", {user.value()}));
        if (!role) return core::NotFound("no user " + std::to_string(user.value()));
        if (role->Text(0) != "vendor") return core::InvalidArgument("only vendor accounts can act for a vendor", "user");
        core::Status st = c.Exec("INSERT INTO vendor_members(vendor_id, user_id) VALUES (?, ?)", {vendor.value(), user.value()});
        if (!st.ok() && st.error().code() == core::ErrorCode::kAlreadyExists)
            return core::AlreadyExists("the account already acts for a vendor", "user");
        KZ_TRY(st);
        return Audit(c, actor, "vendor.member", vendor, "{\"user\":" + std::to_string(user.value()) + "}");
    });
}

core::Result<Vendor> VendorRegistry::Get(VendorId id) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    store::Connection& c = *lease;
    KZ_ASSIGN(auto row, c.QueryOne("SELECT id, name, name_en, registration_kind, registration_state, terms_version,"
                                   " terms_agreed_at, website, postal_address, created_at, registered_at,"
                                   " accept_unsigned_mail FROM vendors WHERE id = ?",
                                   {id.value()}));
    if (!row) return core::NotFound("no vendor " + std::to_string(id.value()));
    Vendor v;
    v.id = VendorId(row->Int(0));
    v.name = row->Text(1);
    v.name_en = row->Text(2);
    KZ_ASSIGN(v.kind, ParseRegistrationKind(row->Text(3)));
    KZ_ASSIGN(v.state, ParseRegistrationState(row->Text(4)));
    v.terms_version = row->Text(5);
    v.terms_agreed_at = row->Text(6);
    v.website = row->Text(7);
    v.postal_address = row->Text(8);
    v.created_at = row->Text(9);
    v.registered_at = row->Text(10);
    v.accept_unsigned_mail = row->Int(11) != 0;
    KZ_ASSIGN(auto contacts, c.Query("SELECT id, name, email, phone, is_primary, lang FROM vendor_contacts WHERE vendor_id = ?"
                                     " ORDER BY is_primary DESC, id",
                                     {id.value()}));
    for (const auto& r : contacts)
        v.contacts.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4) != 0, MailLangOr(r.Text(5))});
    KZ_ASSIGN(auto keys, c.Query("SELECT fingerprint, user_ids, expires_at, can_encrypt, imported_at FROM vendor_keys"
                                 " WHERE vendor_id = ? ORDER BY id",
                                 {id.value()}));
    for (const auto& r : keys) v.keys.push_back({r.Text(0), r.Text(1), r.Text(2), r.Int(3) != 0, r.Text(4)});
    KZ_ASSIGN(auto kws, c.Query("SELECT k.keyword FROM vendor_keywords vk JOIN tech_keywords k ON k.id = vk.keyword_id"
                                " WHERE vk.vendor_id = ? ORDER BY k.keyword",
                                {id.value()}));
    for (const auto& r : kws) v.keywords.push_back(r.Text(0));
    KZ_ASSIGN(auto products, c.Query("SELECT id, name FROM products WHERE vendor_id = ? ORDER BY name", {id.value()}));
    for (const auto& r : products) {
        Product p{r.Int(0), r.Text(1), {}};
        KZ_ASSIGN(auto comps, c.Query("SELECT name, version, purl FROM product_components WHERE product_id = ?"
                                      " ORDER BY name",
                                      {p.id}));
        for (const auto& cr : comps) p.components.push_back({cr.Text(0), cr.Text(1), cr.Text(2)});
        v.products.push_back(std::move(p));
    }
    return v;
}

core::Result<std::optional<VendorId>> VendorRegistry::FindByName(std::string_view name) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT id FROM vendors WHERE name = ? OR (name_en != '' AND name_en = ?)",
                                        {std::string(name), std::string(name)}));
    if (!row) return std::optional<VendorId>();
    return std::optional<VendorId>(VendorId(row->Int(0)));
}

core::Result<std::vector<Vendor>> VendorRegistry::List() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT id, name, name_en, registration_kind, registration_state, terms_version,"
                                      " terms_agreed_at, website, postal_address, created_at, registered_at,"
                                      " accept_unsigned_mail FROM vendors ORDER BY name"));
    std::vector<Vendor> out;
    for (const auto& r : rows) {
        Vendor v;
        v.id = VendorId(r.Int(0));
        v.name = r.Text(1);
        v.name_en = r.Text(2);
        v.kind = ParseRegistrationKind(r.Text(3)).value_or(RegistrationKind::kUnregistered);
        v.state = ParseRegistrationState(r.Text(4)).value_or(RegistrationState::kUnregistered);
        v.terms_version = r.Text(5);
        v.terms_agreed_at = r.Text(6);
        v.website = r.Text(7);
        v.postal_address = r.Text(8);
        v.created_at = r.Text(9);
        v.registered_at = r.Text(10);
        v.accept_unsigned_mail = r.Int(11) != 0;
        out.push_back(std::move(v));
    }
    return out;
}

core::Result<std::optional<VendorId>> VendorRegistry::VendorOf(auth::UserId user) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT vendor_id FROM vendor_members WHERE user_id = ?", {user.value()}));
    if (!row) return std::optional<VendorId>();
    return std::optional<VendorId>(VendorId(row->Int(0)));
}

core::Result<std::vector<VendorCountPoint>> VendorRegistry::CountOverTime() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT substr(registered_at, 1, 7) AS month, count(*) FROM vendors"
                                      " WHERE registration_state = 'registered' AND registered_at != ''"
                                      " GROUP BY month ORDER BY month"));
    std::vector<VendorCountPoint> out;
    std::int64_t total = 0;
    for (const auto& r : rows) {
        total += r.Int(1);
        out.push_back({r.Text(0), total});
    }
    return out;
}

core::Result<std::shared_ptr<const VendorMatcher>> VendorRegistry::Matcher() {
    std::lock_guard lock(matcher_mu_);
    const std::uint64_t generation = generation_.load(std::memory_order_relaxed);
    if (!matcher_ || matcher_generation_ != generation) {
        KZ_ASSIGN(auto entries, MatcherEntries());
        matcher_ = std::make_shared<const VendorMatcher>(std::move(entries));
        matcher_generation_ = generation;
    }
    return matcher_;
}

core::Result<std::vector<IndexEntry>> VendorRegistry::MatcherEntries() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    std::vector<IndexEntry> entries;
    KZ_ASSIGN(auto kws, lease->Query("SELECT vk.vendor_id, k.keyword FROM vendor_keywords vk"
                                     " JOIN tech_keywords k ON k.id = vk.keyword_id"));
    for (const auto& r : kws) entries.push_back({r.Int(0), MatchKind::kKeyword, r.Text(1), "", ""});
    KZ_ASSIGN(auto comps, lease->Query("SELECT p.vendor_id, pc.name, p.name, pc.version FROM product_components pc"
                                       " JOIN products p ON p.id = pc.product_id"));
    for (const auto& r : comps) entries.push_back({r.Int(0), MatchKind::kComponent, r.Text(1), r.Text(2), r.Text(3)});
    KZ_ASSIGN(auto products, lease->Query("SELECT vendor_id, name FROM products"));
    for (const auto& r : products)
        entries.push_back({r.Int(0), MatchKind::kProduct, Lower(r.Text(1)), r.Text(1), ""});
    return entries;
}

}  // namespace kizuna::vuln
