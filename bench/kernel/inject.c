/*
 * inject: send one Ethernet frame in a tight loop through an AF_PACKET socket.
 *
 *   inject -i IFNAME -f HEXFRAME [-s SECONDS] [-c CPU] [-b BATCH]
 *
 * Opens an AF_PACKET SOCK_RAW socket bound to IFNAME (protocol 0, so it never receives),
 * asks for PACKET_QDISC_BYPASS, pins itself to CPU (sched_setaffinity), then sends the
 * frame given as hex (the whole frame from the destination MAC on, no FCS) with sendmmsg
 * in batches of BATCH for SECONDS seconds (CLOCK_MONOTONIC, checked after every batch).
 * Prints one line:  sent=N errors=E seconds=T pps=R
 * Part of nslab's bench/kernel (root only; see README.md there). Built by run.sh with cc -O2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME 1514
#define MAX_BATCH 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void usage(void) {
  fprintf(stderr, "usage: inject -i IFNAME -f HEXFRAME [-s SECONDS] [-c CPU] [-b BATCH]\n");
  exit(2);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses hex digits (colons, spaces and dashes ignored) into buf; returns the length or -1. */
static int parse_hex(const char *s, unsigned char *buf, int cap) {
  int n = 0, hi = -1;
  for (; *s; s++) {
    if (*s == ':' || *s == ' ' || *s == '-') continue;
    int v = hexval((unsigned char)*s);
    if (v < 0) return -1;
    if (hi < 0) {
      hi = v;
    } else {
      if (n >= cap) return -1;
      buf[n++] = (unsigned char)(hi << 4 | v);
      hi = -1;
    }
  }
  return hi < 0 ? n : -1;
}

int main(int argc, char **argv) {
  const char *ifname = NULL, *hex = NULL;
  double seconds = 5;
  int cpu = -1, batch = 64, opt;
  while ((opt = getopt(argc, argv, "i:f:s:c:b:")) != -1) {
    switch (opt) {
      case 'i': ifname = optarg; break;
      case 'f': hex = optarg; break;
      case 's': seconds = atof(optarg); break;
      case 'c': cpu = atoi(optarg); break;
      case 'b': batch = atoi(optarg); break;
      default: usage();
    }
  }
  if (!ifname || !hex || seconds <= 0 || batch < 1 || batch > MAX_BATCH) usage();

  static unsigned char frame[MAX_FRAME];
  int len = parse_hex(hex, frame, sizeof frame);
  if (len < ETH_HLEN) {
    fprintf(stderr, "inject: bad frame (need at least %d bytes of hex)\n", ETH_HLEN);
    return 2;
  }

  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
      perror("inject: sched_setaffinity");
      return 1;
    }
  }

  unsigned int ifindex = if_nametoindex(ifname);
  if (ifindex == 0) {
    fprintf(stderr, "inject: no interface %s\n", ifname);
    return 1;
  }
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) {
    perror("inject: socket(AF_PACKET)");
    return 1;
  }
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)ifindex;
  sll.sll_protocol = 0; /* send only: no receive hook */
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
    perror("inject: bind");
    return 1;
  }
  int one = 1;
  /* Best effort: skip the qdisc layer (veth is noqueue anyway). */
  (void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);

  static struct iovec iov[MAX_BATCH];
  static struct mmsghdr msgs[MAX_BATCH];
  for (int i = 0; i < batch; i++) {
    iov[i].iov_base = frame;
    iov[i].iov_len = (size_t)len;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  unsigned long long sent = 0, errors = 0;
  double start = now(), end = start + seconds, t = start;
  while (!stop) {
    int r = sendmmsg(fd, msgs, (unsigned int)batch, 0);
    if (r > 0) {
      sent += (unsigned long long)r;
    } else if (r < 0) {
      if (errno == EINTR) continue;
      if (errno != ENOBUFS && errno != EAGAIN) {
        perror("inject: sendmmsg");
        close(fd);
        return 1;
      }
      errors++;
    }
    t = now();
    if (t >= end) break;
  }
  double took = t - start;
  printf("sent=%llu errors=%llu seconds=%.6f pps=%.0f\n", sent, errors, took,
         took > 0 ? (double)sent / took : 0.0);
  close(fd);
  return 0;
}
