#include "incident/internal/tlds.hpp"

#include <algorithm>
#include <iterator>

namespace kizuna::incident::detail {
namespace {

// ISO 3166 country-code TLDs in use, and the generic TLDs that reports and abuse feeds actually show.
// Sorted for binary search.
constexpr std::string_view kTlds[] = {
    "ac", "accountant", "ad", "adult", "ae", "aero", "af", "ag", "agency", "ai", "al", "am", "ao", "app", "aq", "ar",
    "arpa", "as", "asia", "at", "au", "aw", "ax", "az", "ba", "bank", "bar", "bb", "bd", "be", "best", "bet", "bf",
    "bg", "bh", "bi", "bid", "biz", "bj", "black", "blog", "blue", "bm", "bn", "bo", "br", "bs", "bt", "business",
    "buzz", "bw", "by", "bz", "ca", "casino", "cat", "cc", "cd", "center", "cf", "cg", "ch", "cheap", "ci", "ck",
    "cl", "click", "cloud", "club", "cm", "cn", "co", "com", "company", "cool", "coop", "cr", "cricket", "cu", "cv",
    "cw", "cx", "cy", "cz", "date", "dating", "de", "deals", "dev", "digital", "dj", "dk", "dm", "do", "download",
    "dz", "ec", "edu", "ee", "eg", "email", "er", "es", "et", "eu", "faith", "fi", "finance", "financial", "fit",
    "fj", "fk", "fm", "fo", "fr", "free", "fun", "ga", "game", "games", "gb", "gd", "ge", "gf", "gg", "gh", "gi",
    "gl", "global", "gm", "gn", "gold", "gov", "gp", "gq", "gr", "green", "group", "gs", "gt", "gu", "guru", "gw",
    "gy", "hk", "hm", "hn", "host", "hr", "ht", "hu", "icu", "id", "ie", "il", "im", "in", "info", "int", "io", "iq",
    "ir", "is", "it", "je", "jm", "jo", "jobs", "jp", "ke", "kg", "kh", "ki", "km", "kn", "kp", "kr", "kw", "ky",
    "kyoto", "kz", "la", "lb", "lc", "li", "life", "link", "live", "lk", "loan", "love", "lr", "ls", "lt", "lu", "lv",
    "ly", "ma", "marketing", "mc", "md", "me", "media", "men", "mg", "mh", "mil", "mk", "ml", "mm", "mn", "mo",
    "mobi", "moe", "money", "monster", "mp", "mq", "mr", "ms", "mt", "mu", "museum", "mv", "mw", "mx", "my", "mz",
    "na", "nagoya", "name", "nc", "ne", "net", "network", "news", "nf", "ng", "ni", "ninja", "nl", "no", "np", "nr",
    "nu", "nz", "okinawa", "om", "one", "online", "org", "osaka", "pa", "page", "party", "pe", "pf", "pg", "ph",
    "pink", "pk", "pl", "plus", "pm", "pn", "poker", "porn", "post", "pr", "press", "pro", "promo", "ps", "pt", "pw",
    "py", "qa", "racing", "re", "red", "rest", "review", "ro", "rs", "ru", "run", "rw", "sa", "sale", "sb", "sc",
    "science", "sd", "se", "services", "sex", "sg", "sh", "shop", "si", "site", "sk", "sl", "sm", "sn", "so",
    "solutions", "space", "sr", "ss", "st", "store", "stream", "su", "support", "sv", "sx", "sy", "systems", "sz",
    "tc", "td", "tech", "tel", "tf", "tg", "th", "tj", "tk", "tl", "tm", "tn", "to", "today", "tokyo", "top", "tr",
    "trade", "travel", "tt", "tv", "tw", "tz", "ua", "ug", "uk", "us", "uy", "uz", "va", "vc", "ve", "vg", "vi",
    "vip", "vn", "vu", "webcam", "website", "wf", "wiki", "win", "work", "world", "ws", "xxx", "xyz", "ye",
    "yokohama", "yt", "za", "zm", "zone", "zw"
};

constexpr std::string_view kFileLike[] = {"md", "mov", "pl", "pm", "ps", "py", "rs", "sh", "so", "zip"};

}  // namespace

bool IsKnownTld(std::string_view tld) { return std::binary_search(std::begin(kTlds), std::end(kTlds), tld); }

bool IsFileLikeTld(std::string_view tld) { return std::binary_search(std::begin(kFileLike), std::end(kFileLike), tld); }

}  // namespace kizuna::incident::detail
