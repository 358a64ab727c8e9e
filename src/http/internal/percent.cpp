#include "http/internal/percent.hpp"

namespace kizuna::http::detail {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Shared loop; `strict` decides whether a malformed escape fails or is copied through.
bool Decode(std::string_view in, PlusMode plus, bool strict, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            bool complete = i + 2 < in.size();
            int hi = complete ? HexValue(in[i + 1]) : -1;
            int lo = complete ? HexValue(in[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
            if (strict) return false;
            out.push_back(c);
        } else if (c == '+' && plus == PlusMode::kSpace) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view in, PlusMode plus) {
    std::string out;
    if (!Decode(in, plus, /*strict=*/true, out)) return std::nullopt;
    return out;
}

std::string PercentDecodeLenient(std::string_view in, PlusMode plus) {
    std::string out;
    Decode(in, plus, /*strict=*/false, out);
    return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
    }
    return true;
}

std::string_view TrimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace kizuna::http::detail
