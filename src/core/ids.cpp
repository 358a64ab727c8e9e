#include "core/ids.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace kizuna::core {

void RandomBytes(void* out, std::size_t size) {
    auto* p = static_cast<unsigned char*>(out);
    while (size > 0) {
        ssize_t n = ::getrandom(p, size, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::fputs("kizuna: fatal: getrandom failed\n", stderr);
            std::abort();
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

std::string RandomHex(std::size_t bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::vector<unsigned char> buf(bytes);
    RandomBytes(buf.data(), buf.size());
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char b : buf) {
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
    return out;
}

std::string RandomBase32(std::size_t length) {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    std::vector<unsigned char> buf(length);
    RandomBytes(buf.data(), buf.size());
    std::string out;
    out.reserve(length);
    for (unsigned char b : buf) out += kAlphabet[b & 31];  // 256 is a multiple of 32: no bias
    return out;
}

std::string RandomIdGenerator::NewReceiptId(std::string_view prefix) {
    std::string out(prefix);
    if (!out.empty()) out += '-';
    out += RandomBase32(4) + "-" + RandomBase32(4) + "-" + RandomBase32(4);
    return out;
}

}  // namespace kizuna::core
