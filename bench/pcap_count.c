/* pcap_count: the floor for observe_ingest.sh — reads a pcap with libpcap's pcap_next_ex and counts packets per
 * destination port (IPv4 over Ethernet, TCP/UDP), nothing else. Prints "packets N ports M top PORT:COUNT".
 *
 *   pcap_count FILE
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t counts[2][65536];

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_count FILE\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "pcap_count: %s\n", errbuf);
        return 1;
    }
    struct pcap_pkthdr* h;
    const u_char* d;
    uint64_t packets = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        ++packets;
        if (h->caplen < 14 + 20 + 4 || d[12] != 0x08 || d[13] != 0x00) continue;
        const u_char* ip = d + 14;
        unsigned ihl = (ip[0] & 0x0F) * 4u;
        if (h->caplen < 14 + ihl + 4) continue;
        int proto = ip[9] == 6 ? 0 : ip[9] == 17 ? 1 : -1;
        if (proto < 0) continue;
        const u_char* l4 = ip + ihl;
        counts[proto][(unsigned)l4[2] << 8 | l4[3]]++;
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_count: %s\n", pcap_geterr(p));
        return 1;
    }
    unsigned ports = 0, top = 0;
    for (unsigned i = 0; i < 65536; ++i) {
        if (counts[0][i]) ++ports;
        if (counts[0][i] > counts[0][top]) top = i;
    }
    printf("packets %llu tcp_ports %u top %u:%llu\n", (unsigned long long)packets, ports, top,
           (unsigned long long)counts[0][top]);
    pcap_close(p);
    return 0;
}
