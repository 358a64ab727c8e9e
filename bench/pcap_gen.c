/* pcap_gen: writes a classic pcap (Ethernet, microsecond) of synthetic Internet-scan packets for the observe
 * benchmarks, with the skew real darknet traffic shows (CAIDA / ISDAS reports): a few ports take most packets
 * (23, 445, 22, 80, 8080, 3389, ...), a long random tail; a Zipf-like pool of scanner sources (a few very
 * busy scanners, many occasional ones); TCP SYN ~85 %, UDP ~10 %, ICMP echo ~5 %; destinations spread over
 * a /16 "telescope". Deterministic for a given seed.
 *
 * SOURCES "diverse" instead gives (almost) every packet its own random public source address, as a /8
 * darknet sees spoofed and Internet-wide scans: n packets have about n - n^2 / 7e9 distinct sources.
 *
 *   pcap_gen OUTPUT PACKETS [SEED] [START_EPOCH_SECONDS] [SPAN_SECONDS] [zipf|diverse]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint64_t next_random(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static double uniform(void) { return (double)(next_random() >> 11) / 9007199254740992.0; }

/* Popular scan targets and their relative weights (order of magnitude as in public darknet reports). */
static const uint16_t kTcpPorts[] = {23, 445, 22, 80, 8080, 3389, 443, 2323, 81, 1433, 5555, 8443, 37215, 52869,
                                     6379, 5900, 3306, 21, 25, 8888, 9200, 7547, 60001, 8081, 1723};
static const double kTcpWeights[] = {30, 18, 12, 8, 6, 5, 4, 3, 2.5, 2, 2, 1.5, 1.5, 1.2, 1, 1, 1, 0.8, 0.8, 0.7,
                                     0.6, 0.6, 0.5, 0.5, 0.4};
static const uint16_t kUdpPorts[] = {53, 123, 161, 1900, 5060, 137, 11211, 389, 500, 19};
static const double kUdpWeights[] = {25, 20, 15, 12, 10, 6, 4, 3, 3, 2};

#define NPORTS(a) (sizeof(a) / sizeof((a)[0]))
#define SOURCES 200000

static uint32_t sources[SOURCES];

static uint16_t pick_port(const uint16_t* ports, const double* weights, size_t n, double tail_share) {
    if (uniform() < tail_share) return (uint16_t)(1 + next_random() % 65535); /* random tail */
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += weights[i];
    double r = uniform() * total;
    for (size_t i = 0; i < n; ++i) {
        if (r < weights[i]) return ports[i];
        r -= weights[i];
    }
    return ports[n - 1];
}

static void put16(uint8_t* p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: pcap_gen OUTPUT PACKETS [SEED] [START_EPOCH_SECONDS] [SPAN_SECONDS] [zipf|diverse]\n");
        return 2;
    }
    const char* output = argv[1];
    uint64_t packets = strtoull(argv[2], NULL, 10);
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
    uint64_t start = argc > 4 ? strtoull(argv[4], NULL, 10) : 1793491200ULL; /* 2026-11-01T00:00:00Z */
    uint64_t span = argc > 5 ? strtoull(argv[5], NULL, 10) : 86400ULL;
    const int diverse = argc > 6 && strcmp(argv[6], "diverse") == 0;
    if (argc > 6 && !diverse && strcmp(argv[6], "zipf") != 0) {
        fprintf(stderr, "pcap_gen: sources must be zipf or diverse\n");
        return 2;
    }
    if (packets == 0 || span == 0) {
        fprintf(stderr, "pcap_gen: PACKETS and SPAN_SECONDS must be positive\n");
        return 2;
    }
    /* Scanner pool: public-looking unicast addresses (first octet 1..223, not 10/127). */
    for (size_t i = 0; i < SOURCES; ++i) {
        uint32_t a;
        do {
            a = (uint32_t)next_random();
        } while ((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 24) >= 224);
        sources[i] = a;
    }
    FILE* out = fopen(output, "wb");
    if (!out) {
        perror(output);
        return 1;
    }
    static char buffer[1 << 20];
    setvbuf(out, buffer, _IOFBF, sizeof buffer);
    uint8_t global[24] = {0};
    uint32_t magic = 0xa1b2c3d4, snaplen = 65535, linktype = 1;
    uint16_t major = 2, minor = 4;
    memcpy(global, &magic, 4);
    memcpy(global + 4, &major, 2);
    memcpy(global + 6, &minor, 2);
    memcpy(global + 16, &snaplen, 4);
    memcpy(global + 20, &linktype, 4);
    fwrite(global, 1, sizeof global, out);

    const double zipf_s = 1.1; /* source popularity */
    const double log_n = log((double)SOURCES);
    uint64_t span_micros = span * 1000000ULL;
    for (uint64_t i = 0; i < packets; ++i) {
        uint64_t t = start * 1000000ULL + (i * span_micros) / packets;
        /* Zipf-like source rank by inverse transform of a power law on [1, SOURCES]. */
        double u = uniform();
        size_t rank = (size_t)(exp(u * log_n * (2.0 - zipf_s)) ) % SOURCES;
        uint32_t src = sources[rank];
        if (diverse) {
            do {
                src = (uint32_t)next_random();
            } while ((src >> 24) == 0 || (src >> 24) == 10 || (src >> 24) == 127 || (src >> 24) >= 224);
        }
        uint32_t dst = (198u << 24) | (18u << 16) | (uint32_t)(next_random() & 0xFFFF); /* 198.18.0.0/16 */
        double kind = uniform();
        uint8_t frame[14 + 20 + 20];
        memset(frame, 0, sizeof frame);
        frame[0] = 0x02;
        frame[6] = 0x02;
        frame[11] = 1;
        put16(frame + 12, 0x0800);
        uint8_t* ip = frame + 14;
        ip[0] = 0x45;
        ip[8] = (uint8_t)(32 + next_random() % 220);
        put32(ip + 12, src);
        put32(ip + 16, dst);
        put16(ip + 4, (uint16_t)next_random());
        uint8_t* l4 = ip + 20;
        size_t l4_len;
        if (kind < 0.85) {
            ip[9] = 6;
            put16(l4, (uint16_t)(1024 + next_random() % 64000));
            put16(l4 + 2, pick_port(kTcpPorts, kTcpWeights, NPORTS(kTcpPorts), 0.15));
            put32(l4 + 4, (uint32_t)next_random());
            l4[12] = 0x50;
            l4[13] = 0x02; /* SYN */
            put16(l4 + 14, 1024);
            l4_len = 20;
        } else if (kind < 0.95) {
            ip[9] = 17;
            put16(l4, (uint16_t)(1024 + next_random() % 64000));
            put16(l4 + 2, pick_port(kUdpPorts, kUdpWeights, NPORTS(kUdpPorts), 0.2));
            put16(l4 + 4, 8);
            l4_len = 8;
        } else {
            ip[9] = 1;
            l4[0] = 8; /* echo request */
            put16(l4 + 4, (uint16_t)next_random());
            l4_len = 8;
        }
        uint16_t ip_len = (uint16_t)(20 + l4_len);
        put16(ip + 2, ip_len);
        uint32_t caplen = 14u + ip_len;
        uint32_t record[4] = {(uint32_t)(t / 1000000ULL), (uint32_t)(t % 1000000ULL), caplen, caplen};
        fwrite(record, 1, sizeof record, out);
        fwrite(frame, 1, caplen, out);
    }
    if (fclose(out) != 0) {
        perror(output);
        return 1;
    }
    return 0;
}
