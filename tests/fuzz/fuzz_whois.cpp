// Fuzzes registry answers (I4): arbitrary bytes as a whois answer (RPSL, ARIN, the JPNIC/KRNIC HTML
// gateways) and as an RDAP JSON answer. Nothing may crash, throw or trip a sanitizer; an accepted answer
// has a range, no duplicate contact and only contacts with an '@'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "incident/whois.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

void CheckRecord(const kizuna::core::Result<kizuna::incident::NetworkRecord>& r) {
    if (!r.ok()) return;
    Check(r->first.has_value() && r->last.has_value());
    std::set<std::string> seen;
    for (const auto& c : r->contacts) {
        Check(c.email.find('@') != std::string::npos);
        Check(seen.insert(c.email).second);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto query = kizuna::incident::ParseIp(size % 2 ? "2001:db8::1" : "192.0.2.1");
    CheckRecord(kizuna::incident::ParseWhois(text, *query));
    CheckRecord(kizuna::incident::ParseRdap(text, *query));
    return 0;
}
