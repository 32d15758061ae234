#!/usr/bin/env bash
# Records test/cli/extra/route-*.txt: `ip route`, `ip rule`, `ip neigh`, `ip netns` and `sysctl`
# behaviour the fixtures/ip cases do not show, from the real tools (Linux 6.18, iproute2 6.1,
# procps-ng 4.0.2), in the fixtures/ip/README.md format. Needs root. Each case makes the
# namespaces it uses (nsl-ipr-a, nsl-ipr-b, nsl-ipr-c; IPv6 off), keeps both ends of every veth
# inside them, runs every command there (`ip -n`, `ip netns exec`), and deletes them at the end.
# The whole script runs in a private mount namespace with an empty tmpfs on /run/netns (as
# fixtures/ip/record.sh does), so `ip netns list` shows only its own namespaces.
#
#   sudo test/cli/extra/record-route.sh            # every case
#   sudo test/cli/extra/record-route.sh neigh      # only these
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C
if [[ -z ${NSL_IPR_PRIVATE:-} ]]; then
	exec unshare --mount --propagation private env NSL_IPR_PRIVATE=1 "$0" "$@"
fi
mkdir -p /run/netns
mount -t tmpfs -o mode=0755,size=1m nsl-ipr-netns /run/netns || exit 1
W=$(mktemp -d)
cleanup() { local f; for f in /run/netns/nsl-ipr-*; do [[ -e $f ]] && ip netns del "${f##*/}"; done; true; }
trap 'cleanup; rm -rf "$W"' EXIT
run() {
	local cmd=$1 rc
	case $cmd in *nsl-ipr-*|sleep*|"ip netns"*|"ip -j netns"*|"ip -j -p netns"*) ;; *) echo "refusing: $cmd" >&2; exit 2 ;; esac
	(eval "$cmd") >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	printf '$ %s\n' "$cmd"
	if [[ -s $W/out ]]; then
		cat "$W/out"
		[[ $(tail -c1 "$W/out" | od -An -c | tr -d ' ') == '\n' ]] || { echo; echo '! stdout-no-eol'; }
	fi
	((rc == 0)) || echo "! exit=$rc"
	[[ -s $W/err ]] && sed 's/^/!stderr: /' "$W/err"
	true
}
record() {
	local name=$1 desc=$2
	cleanup
	{
		echo "# case: $name"
		echo "# description: $desc"
		[[ $name == *neigh ]] && echo "# volatile: order of the entries of an ip neigh listing (kernel hash order, randomly seeded per namespace): compare as a set"
		while IFS= read -r cmd; do run "$cmd"; done
	} >"$HERE/$name.txt"
	cleanup
}
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx route-get; then
record route-get 'ip route get: output and input routes, sources, broadcast/multicast, martians, errors' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.0.1/24 dev veth0
ip netns exec nsl-ipr-b ip addr add 10.0.0.2/24 dev veth1
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-b ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip netns exec nsl-ipr-a ip route del 10.0.0.0/24 table 999
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 table 999
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 table 999
ip netns exec nsl-ipr-a ip route add blackhole 10.10.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add 10.11.0.0/16 via 10.0.0.2 src 10.0.0.9
ip netns exec nsl-ipr-a ip route add 10.11.0.0/16 via 10.0.0.2 src 127.0.0.5
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route add 10.12.0.0/16 via 10.0.0.2 mtu 1400 advmss 1360
ip netns exec nsl-ipr-a ip route add 10.13.0.0/16 via 10.0.0.2 mtu lock 1400 tos 0x10 metric 7
ip netns exec nsl-ipr-a ip route add 10.14.0.0/16 via 192.168.1.1 dev veth0 onlink
ip netns exec nsl-ipr-a ip route add 10.15.0.0/16 via 192.168.1.1 onlink
ip netns exec nsl-ipr-a ip route add local 10.16.0.0/16 dev lo scope link
ip netns exec nsl-ipr-a ip route add 10.17.0.0/16 dev veth0 proto 99 scope host
ip netns exec nsl-ipr-a ip route add 10.18.0.0/16 via 10.0.0.2 scope link
ip netns exec nsl-ipr-a ip route add unreachable 10.19.0.0/16 metric 3
ip netns exec nsl-ipr-a ip route add prohibit 10.20.0.0/16 table 5
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip -d route
ip netns exec nsl-ipr-a ip -j route
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip route get 10.12.1.1
ip netns exec nsl-ipr-a ip route get 10.13.1.1
ip netns exec nsl-ipr-a ip route get 10.13.1.1 tos 0x10
ip netns exec nsl-ipr-a ip route get 10.14.1.1
ip netns exec nsl-ipr-a ip -d route get 10.14.1.1
ip netns exec nsl-ipr-a ip route get 10.17.1.1
ip netns exec nsl-ipr-a ip route get 10.0.0.2 mark 5
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.1 oif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 127.0.0.1
ip netns exec nsl-ipr-a ip route get 10.0.0.2 oif lo
ip netns exec nsl-ipr-a ip route get 10.9.9.9 oif veth0
ip netns exec nsl-ipr-a ip route get 127.0.0.1 oif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.1 oif veth0
ip netns exec nsl-ipr-a ip -d route get 10.0.0.2
ip netns exec nsl-ipr-a ip route get fibmatch 10.0.0.2
ip netns exec nsl-ipr-a ip route get 10.0.0.2 connected
ip netns exec nsl-ipr-a ip route get 10.0.0.2 iif lo
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.255 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.0 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 255.255.255.255 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 224.0.0.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.1 from 10.0.0.1 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.1 from 127.0.0.1 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.1 iif veth0
ip netns exec nsl-ipr-a ip route get 0.0.0.0
ip netns exec nsl-ipr-a ip route get 127.0.0.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 tos 0x10
ip netns exec nsl-ipr-a ip route get 10.0.0.1
ip netns exec nsl-ipr-a ip -d route get 10.0.0.1
ip netns exec nsl-ipr-a ip route get fibmatch 10.0.0.1
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 table default
ip netns exec nsl-ipr-a ip route get 10.9.1.1
ip netns exec nsl-ipr-a ip rule add from 1.2.3.4 table 5
ip netns exec nsl-ipr-a ip route get 10.0.0.1
ip netns exec nsl-ipr-a ip route get 10.0.0.2
ip netns exec nsl-ipr-a ip route get fibmatch 10.0.0.1
ip netns exec nsl-ipr-a ip route get 10.0.0.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.1 iif veth0
ip netns exec nsl-ipr-a ip rule del from 1.2.3.4 table 5
ip netns exec nsl-ipr-a ip route get 10.0.0.1
ip netns exec nsl-ipr-a ip route add 10.7.0.0/16 via 10.0.0.1
ip netns exec nsl-ipr-a ip route get 10.7.1.1
ip netns exec nsl-ipr-a ip route show 10.7.0.0/16
ip netns exec nsl-ipr-a ip route get fibmatch 10.9.9.9
ip netns exec nsl-ipr-a ip route get 10.0.0.2 uid 5
ip netns exec nsl-ipr-a ip -j route get 10.0.0.2 from 10.0.0.1 iif veth0 mark 0x20
ip netns exec nsl-ipr-a ip route get 10.0.0.2 iif nosuch
ip netns exec nsl-ipr-a ip route get 10.0.0.2 oif nosuch
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.1/24
ip netns exec nsl-ipr-a ip route get 10.0.0.2/24
ip netns exec nsl-ipr-a ip route get to
ip netns exec nsl-ipr-a ip route get 10.0.0.2 tos bogus
ip netns exec nsl-ipr-a ip route get 10.0.0.2 mark bogus
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx route-policy; then
record route-policy 'route lookups through policy rules, rp_filter, redirects, reject routes and rules, suppress, goto' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.0.1/24 dev veth0
ip netns exec nsl-ipr-b ip addr add 10.0.0.2/24 dev veth1
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-b ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip -n nsl-ipr-a link add veth2 address 02:00:00:00:02:01 type veth peer name veth3 address 02:00:00:00:02:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.1.1/24 dev veth2
ip netns exec nsl-ipr-b ip addr add 10.0.1.2/24 dev veth3
ip netns exec nsl-ipr-a ip link set veth2 up
ip netns exec nsl-ipr-b ip link set veth3 up
ip netns exec nsl-ipr-a ip addr add 10.0.0.5/24 dev veth0
ip netns exec nsl-ipr-a ip addr add 192.168.7.1/24 dev veth0
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route show table local
ip netns exec nsl-ipr-a ip route get 10.0.0.2
ip netns exec nsl-ipr-a ip route get 192.168.7.9
ip netns exec nsl-ipr-a ip route get 10.0.1.2
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.5
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.1.1
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 192.168.7.1
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.2 iif veth2
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.ip_forward=1
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.1.2 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.99.0.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.1 from 10.0.1.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.1.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.255 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route get 10.0.1.255 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.conf.veth0.rp_filter=1
ip netns exec nsl-ipr-a ip route get 10.0.1.2 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.1.2 from 10.0.1.9 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.1.2 from 10.9.9.9 iif veth0
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.conf.veth0.rp_filter=2
ip netns exec nsl-ipr-a ip route get 10.0.1.2 from 10.0.1.9 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.1.2 from 10.9.9.9 iif veth0
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.conf.veth0.rp_filter=0
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.conf.veth0.forwarding=0
ip netns exec nsl-ipr-a ip route get 10.0.1.2 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.conf.veth0.forwarding=1
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.conf.all.send_redirects=0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.3 iif veth0
ip netns exec nsl-ipr-a sysctl -qw net.ipv4.conf.veth0.send_redirects=0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.3 iif veth0
ip netns exec nsl-ipr-a ip route add 10.50.0.0/16 via 10.0.0.2 src 10.0.1.1
ip netns exec nsl-ipr-a ip route get 10.50.1.1
ip netns exec nsl-ipr-a ip route add 10.51.0.0/16 via 10.0.0.2 mtu 1300
ip netns exec nsl-ipr-a ip -j route get 10.51.1.1
ip netns exec nsl-ipr-a ip -j -p route get 10.51.1.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route add unreachable 10.60.0.0/16
ip netns exec nsl-ipr-a ip route get 10.60.0.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route add prohibit 10.61.0.0/16
ip netns exec nsl-ipr-a ip route get 10.61.0.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route add blackhole 10.62.0.0/16
ip netns exec nsl-ipr-a ip route get 10.62.0.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route get 10.63.0.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route add throw 10.64.0.0/16
ip netns exec nsl-ipr-a ip route get 10.64.0.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route get 10.64.0.1
ip netns exec nsl-ipr-a ip rule add from 10.0.1.0/24 lookup 200
ip netns exec nsl-ipr-a ip route add 10.70.0.0/16 via 10.0.0.2 table 200
ip netns exec nsl-ipr-a ip route get 10.70.0.1
ip netns exec nsl-ipr-a ip route get 10.70.0.1 from 10.0.1.1
ip netns exec nsl-ipr-a ip route get 10.70.0.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip -d route get 10.70.0.1 from 10.0.1.2 iif veth2
ip netns exec nsl-ipr-a ip route get 10.0.0.1
ip netns exec nsl-ipr-a ip rule add iif veth0 lookup 201
ip netns exec nsl-ipr-a ip route add default via 10.0.1.2 table 201
ip netns exec nsl-ipr-a ip route get 8.8.8.8 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip rule add fwmark 0x10/0xf0 lookup 202 pref 10
ip netns exec nsl-ipr-a ip route add blackhole default table 202
ip netns exec nsl-ipr-a ip route get 8.8.8.8 mark 0x1f
ip netns exec nsl-ipr-a ip route get 8.8.8.8 mark 0x2f
ip netns exec nsl-ipr-a ip rule add to 8.8.4.0/24 lookup main suppress_prefixlength 0 pref 5
ip netns exec nsl-ipr-a ip route add default via 10.0.0.2
ip netns exec nsl-ipr-a ip route get 8.8.4.4
ip netns exec nsl-ipr-a ip route get 8.8.8.8
ip netns exec nsl-ipr-a ip rule add tos 0x10 lookup 203 pref 6
ip netns exec nsl-ipr-a ip route add unreachable default table 203
ip netns exec nsl-ipr-a ip route get 1.1.1.1 tos 0x10
ip netns exec nsl-ipr-a ip route get 1.1.1.1 tos 0x14
ip netns exec nsl-ipr-a ip route get 1.1.1.1 tos 0x08
ip netns exec nsl-ipr-a ip rule add oif veth2 lookup 204 pref 7
ip netns exec nsl-ipr-a ip route add prohibit default table 204
ip netns exec nsl-ipr-a ip route get 1.1.1.1 oif veth2
ip netns exec nsl-ipr-a ip route get 1.1.1.1 oif veth0
ip netns exec nsl-ipr-a ip rule add not to 1.0.0.0/8 lookup 205 pref 8
ip netns exec nsl-ipr-a ip route add 2.2.2.0/24 via 10.0.1.2 table 205
ip netns exec nsl-ipr-a ip route get 2.2.2.2
ip netns exec nsl-ipr-a ip rule add goto 100 pref 9 from 3.3.3.3
ip netns exec nsl-ipr-a ip rule
ip netns exec nsl-ipr-a ip rule add nop pref 100
ip netns exec nsl-ipr-a ip rule
ip netns exec nsl-ipr-a ip rule del pref 100
ip netns exec nsl-ipr-a ip rule
ip netns exec nsl-ipr-a ip -j rule
ip netns exec nsl-ipr-a ip route get 9.9.9.9 from 10.0.0.1
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx route-table; then
record route-table 'route types and their checks, scopes, onlink, listings and filters, link down/up, replace/append/prepend/change/del, metrics, realms, tos' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.0.1/24 dev veth0
ip netns exec nsl-ipr-b ip addr add 10.0.0.2/24 dev veth1
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-b ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip route add 10.17.0.0/16 dev veth0 scope host
ip netns exec nsl-ipr-a ip route add local 10.18.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add 10.19.0.0/16 via 10.0.0.1
ip netns exec nsl-ipr-a ip route add 10.20.0.0/16 via 192.168.5.5 dev veth0 onlink
ip netns exec nsl-ipr-a ip route add 10.21.0.0/16 via 10.0.0.255
ip netns exec nsl-ipr-a ip route add 10.22.0.0/16 via 10.0.0.1 onlink dev veth0
ip netns exec nsl-ipr-a ip route add 10.23.0.0/16 via 10.0.0.2 dev veth0 scope link
ip netns exec nsl-ipr-a ip route add 10.24.0.0/16 via 224.0.0.1 dev veth0 onlink
ip netns exec nsl-ipr-a ip route add 10.25.0.0/16 dev veth0 src 10.0.0.2
ip netns exec nsl-ipr-a ip route add 10.26.0.0/16 dev veth0 src 127.0.0.9
ip netns exec nsl-ipr-a ip route add 10.27.0.0/16 dev lo
ip netns exec nsl-ipr-a ip route add broadcast 10.28.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add anycast 10.29.0.1 dev veth0
ip netns exec nsl-ipr-a ip route add multicast 224.1.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add nat 10.30.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip route add xresolve 10.31.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add 5 10.32.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip -d route show table all
ip netns exec nsl-ipr-a ip route show default
ip netns exec nsl-ipr-a ip route show all
ip netns exec nsl-ipr-a ip route show any
ip netns exec nsl-ipr-a ip route show match default
ip netns exec nsl-ipr-a ip route show root default
ip netns exec nsl-ipr-a ip route show exact 0/0
ip netns exec nsl-ipr-a ip route show 10.9.0.0/16 table all
ip netns exec nsl-ipr-a ip route show match 10.17.1.1 table all
ip netns exec nsl-ipr-a ip route show type local table all
ip netns exec nsl-ipr-a ip route show scope host table all
ip netns exec nsl-ipr-a ip route show proto boot
ip netns exec nsl-ipr-a ip route show proto all
ip netns exec nsl-ipr-a ip route show scope all
ip netns exec nsl-ipr-a ip route show table main type unicast scope link
ip netns exec nsl-ipr-a ip -o -d route
ip netns exec nsl-ipr-a ip -j -p route show table local
ip netns exec nsl-ipr-a ip link set veth0 down
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip route get 10.17.1.1
ip netns exec nsl-ipr-a ip route get 10.18.1.1
ip netns exec nsl-ipr-a ip route get 10.0.0.1
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 metric 10
ip netns exec nsl-ipr-a ip route append 10.9.0.0/16 dev veth0 metric 10
ip netns exec nsl-ipr-a ip route prepend 10.9.0.0/16 via 10.0.0.1 metric 10
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route replace 10.9.0.0/16 dev veth0 metric 10
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route replace 10.9.0.0/16 via 10.0.0.2 metric 10 proto static
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route change 10.9.0.0/16 via 10.0.0.2 metric 10 proto static mtu 1000
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 metric 10 mtu 1000
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 dev veth0 metric 10
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 via 10.0.0.1
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 scope link
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 proto static
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 src 10.0.0.1
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 type unicast
ip netns exec nsl-ipr-a ip route del local 10.18.0.0/16
ip netns exec nsl-ipr-a ip route del local 10.18.0.0/16 table main
ip netns exec nsl-ipr-a ip route del 10.18.0.0/16 table local
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip route flush table local
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip route get 10.0.0.1
ip netns exec nsl-ipr-a ip route flush table main
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip route show table main
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip route add 10.0.0.0/24 dev veth0 proto kernel scope link src 10.0.0.1
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip -6 route
ip netns exec nsl-ipr-a ip -6 route show table all
ip netns exec nsl-ipr-a ip -6 rule
ip netns exec nsl-ipr-a ip -6 neigh
ip netns exec nsl-ipr-a ip -4 route show table all
ip netns exec nsl-ipr-a ip -4 rule
ip netns exec nsl-ipr-a ip -4 neigh
ip netns exec nsl-ipr-a ip -0 route
ip netns exec nsl-ipr-a ip -0 neigh
ip netns exec nsl-ipr-a ip -j -6 route
ip netns exec nsl-ipr-a ip -j -6 rule
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 tos 0x12
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 tos AF11
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 tos CS1 metric 2
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip -N route
ip netns exec nsl-ipr-a ip route get 10.9.0.1 tos 0x08
ip netns exec nsl-ipr-a ip route get 10.9.0.1 tos 0x20
ip netns exec nsl-ipr-a ip route get 10.9.0.1 tos 0x28
ip netns exec nsl-ipr-a ip route add 10.10.0.0/16 via 10.0.0.2 rtt 100 rttvar 20 rto_min 300 window 1000 cwnd 10 initcwnd 5 initrwnd 6 ssthresh 7 reordering 8 hoplimit 9 features ecn quickack 1 fastopen_no_cookie 1
ip netns exec nsl-ipr-a ip route show 10.10.0.0/16
ip netns exec nsl-ipr-a ip -j route show 10.10.0.0/16
ip netns exec nsl-ipr-a ip route add 10.11.0.0/16 via 10.0.0.2 rtt 2s rttvar lock 1.5s mtu lock 1400 advmss lock 1000
ip netns exec nsl-ipr-a ip route show 10.11.0.0/16
ip netns exec nsl-ipr-a ip route get 10.11.0.5
ip netns exec nsl-ipr-a ip -j -p route get 10.11.0.5
ip netns exec nsl-ipr-a ip route get 10.0.0.2 connected
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.1 connected
ip netns exec nsl-ipr-a ip -o route get 10.0.0.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route add 10.12.0.0/16 via 10.0.0.2 hoplimit 300
ip netns exec nsl-ipr-a ip route add 10.12.0.0/16 via 10.0.0.2 quickack 2
ip netns exec nsl-ipr-a ip route add 10.12.0.0/16 via 10.0.0.2 features foo
ip netns exec nsl-ipr-a ip route add 10.12.0.0/16 via 10.0.0.2 rtt xyz
ip netns exec nsl-ipr-a ip route add 10.12.0.0/16 via 10.0.0.2 expires 10
ip netns exec nsl-ipr-a ip route add 10.13.0.0/16 via 10.0.0.2 from 10.0.0.0/24
ip netns exec nsl-ipr-a ip route add 10.14.0.0/16 via 10.0.0.2 pref high
ip netns exec nsl-ipr-a ip route add 10.15.0.0/16 via 10.0.0.2 ttl-propagate enabled
ip netns exec nsl-ipr-a ip route add 10.16.0.0/16 via 10.0.0.2 realm 5
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route help
ip netns exec nsl-ipr-a ip route add help
ip netns exec nsl-ipr-a ip route show table help
ip netns exec nsl-ipr-a ip route get help
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx route-modify; then
record route-modify 'flush with -s, replace/append/prepend groups, del by attribute, tos routes, filters by tos/metric/src/via' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.0.1/24 dev veth0
ip netns exec nsl-ipr-b ip addr add 10.0.0.2/24 dev veth1
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-b ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip route add 10.8.0.0/16 via 10.0.0.2 proto static
ip netns exec nsl-ipr-a ip -s route flush proto static
ip netns exec nsl-ipr-a ip -s -s route flush 10.9.0.0/16
ip netns exec nsl-ipr-a ip route flush
ip netns exec nsl-ipr-a ip route flush cache
ip netns exec nsl-ipr-a ip -s route flush cache
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 tos 0x10
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 metric 5
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 dev veth0 metric 5
ip netns exec nsl-ipr-a ip route prepend 10.9.0.0/16 dev veth0 metric 5 proto static
ip netns exec nsl-ipr-a ip route append 10.9.0.0/16 dev veth0 metric 5 proto static
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route replace 10.9.0.0/16 dev veth0 metric 5 proto static
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route replace 10.9.0.0/16 dev veth0 metric 5 proto 42
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16 metric 5
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route del 10.9.0.0/16
ip netns exec nsl-ipr-a ip route change 10.9.0.0/16 via 10.0.0.2 tos 0x10 metric 9
ip netns exec nsl-ipr-a ip route
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2 tos 0x11
ip netns exec nsl-ipr-a ip route show tos 0x10
ip netns exec nsl-ipr-a ip route show 10.9.0.0/16 tos 0x10
ip netns exec nsl-ipr-a ip route show exact 10.9.0.0/16 tos 0
ip netns exec nsl-ipr-a ip route show match 10.9.1.1 table all
ip netns exec nsl-ipr-a ip route show root 10.9.0.0/15
ip netns exec nsl-ipr-a ip route show metric 5
ip netns exec nsl-ipr-a ip route show src 10.0.0.1
ip netns exec nsl-ipr-a ip route show type local
ip netns exec nsl-ipr-a ip route show table local type local dev lo
ip netns exec nsl-ipr-a ip route show table local scope host
ip netns exec nsl-ipr-a ip route show table local proto kernel scope link
ip netns exec nsl-ipr-a ip route show table all type broadcast
ip netns exec nsl-ipr-a ip route show table all dev lo
ip netns exec nsl-ipr-a ip route show dev nosuch
ip netns exec nsl-ipr-a ip route show proto bogus
ip netns exec nsl-ipr-a ip route show scope bogus
ip netns exec nsl-ipr-a ip route show type bogus
ip netns exec nsl-ipr-a ip route show 10.9.0.0/33
ip netns exec nsl-ipr-a ip route show from 10.0.0.0/8
ip netns exec nsl-ipr-a ip route show via 10.0.0.0/24
ip netns exec nsl-ipr-a ip -o route show table local
ip netns exec nsl-ipr-a ip route list table cache
ip netns exec nsl-ipr-a ip route show cached
ip netns exec nsl-ipr-a ip route add 10.20.0.0/16 dev veth0 table main table 100
ip netns exec nsl-ipr-a ip route add 10.21.0.0/16 dev veth0 dev lo
ip netns exec nsl-ipr-a ip route add 10.22.0.0/16 via 10.0.0.2 via 10.0.0.3
ip netns exec nsl-ipr-a ip route add 10.23.0.0/16 10.24.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add dev veth0
ip netns exec nsl-ipr-a ip route add
ip netns exec nsl-ipr-a ip route add to 10.25.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add to unicast 10.26.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add 10.27 dev veth0
ip netns exec nsl-ipr-a ip route add 10.28.0.0/255.255.0.0 dev veth0
ip netns exec nsl-ipr-a ip route add default dev veth0 table 7
ip netns exec nsl-ipr-a ip route add 0/0 dev veth0 table 8
ip netns exec nsl-ipr-a ip route add all dev veth0 table 9
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip route add 10.29.0.0/16 dev veth0 proto bogus
ip netns exec nsl-ipr-a ip route add 10.29.0.0/16 dev veth0 scope bogus
ip netns exec nsl-ipr-a ip route add bogus 10.29.0.0/16 dev veth0
ip netns exec nsl-ipr-a ip route add 10.29.0.0/16 dev veth0 tos bogus
ip netns exec nsl-ipr-a ip route add 10.29.0.0/16 dev veth0 mtu bogus
ip netns exec nsl-ipr-a ip route add 10.29.0.0/16 dev veth0 metric 4294967296
ip netns exec nsl-ipr-a ip route add 10.30.0.0/16 dev veth0 metric 4294967295
ip netns exec nsl-ipr-a ip route add 10.31.0.0/16 dev veth0 mtu 100000
ip netns exec nsl-ipr-a ip route add 10.32.0.0/16 dev veth0 mtu 10
ip netns exec nsl-ipr-a ip route add 10.33.0.0/16 dev veth0 advmss 1
ip netns exec nsl-ipr-a ip route
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx rules; then
record route-rules 'ip rule: actions, selectors, automatic priorities, del matching, show filters, flush, JSON, route get through rules' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.0.1/24 dev veth0
ip netns exec nsl-ipr-b ip addr add 10.0.0.2/24 dev veth1
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-b ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip netns exec nsl-ipr-a ip route get 224.0.0.1 oif veth0
ip netns exec nsl-ipr-a ip route get 255.255.255.255 oif veth0
ip netns exec nsl-ipr-a ip route get 239.1.1.1 oif veth0
ip netns exec nsl-ipr-a ip route add default via 10.0.0.2
ip netns exec nsl-ipr-a ip route get 224.0.0.1
ip netns exec nsl-ipr-a ip -d route get 224.0.0.1
ip netns exec nsl-ipr-a ip route get 239.1.1.1
ip netns exec nsl-ipr-a ip route get 255.255.255.255
ip netns exec nsl-ipr-a ip route get 0.1.2.3
ip netns exec nsl-ipr-a ip route get 239.1.1.1 from 10.0.0.2 iif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.1
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.1 iif veth0
ip netns exec nsl-ipr-a ip rule add from all fwmark 7 unreachable
ip netns exec nsl-ipr-a ip route get 10.0.0.2 mark 7
ip netns exec nsl-ipr-a ip rule add from all fwmark 8 blackhole
ip netns exec nsl-ipr-a ip route get 10.0.0.2 mark 8
ip netns exec nsl-ipr-a ip rule add from all fwmark 9 prohibit
ip netns exec nsl-ipr-a ip route get 10.0.0.2 mark 9
ip netns exec nsl-ipr-a ip rule add fwmark 10 table 100 pref 100
ip netns exec nsl-ipr-a ip route add throw 10.0.0.0/8 table 100
ip netns exec nsl-ipr-a ip route get 10.0.0.2 mark 10
ip netns exec nsl-ipr-a ip route add unreachable 10.0.0.0/8 table 100 metric 5
ip netns exec nsl-ipr-a ip route show table 100
ip netns exec nsl-ipr-a ip route get 10.0.0.2 mark 10
ip netns exec nsl-ipr-a ip rule add fwmark 11 goto 32766 pref 90
ip netns exec nsl-ipr-a ip rule add fwmark 11 goto 50 pref 95
ip netns exec nsl-ipr-a ip rule add fwmark 11 nop pref 96
ip netns exec nsl-ipr-a ip rule add fwmark 11 table 100 pref 97 suppress_prefixlength 8 
ip netns exec nsl-ipr-a ip rule add fwmark 11 table 100 pref 98 suppress_ifgroup 0
ip netns exec nsl-ipr-a ip rule add iif veth0 oif lo table 100 pref 99 tos 0x10
ip netns exec nsl-ipr-a ip rule add from 10.0.0.0/24 to 10.1.0.0/16 fwmark 0/0xff table main pref 99
ip netns exec nsl-ipr-a ip rule add from 10.0.0.0/24 to 10.1.0.0/16 fwmark 0/0xff table main pref 99
ip netns exec nsl-ipr-a ip rule add dev veth0 table 5 proto 42
ip netns exec nsl-ipr-a ip rule add uidrange 100-200 ipproto tcp sport 80 dport 1000-2000 table 5
ip netns exec nsl-ipr-a ip rule
ip netns exec nsl-ipr-a ip -d rule
ip netns exec nsl-ipr-a ip -j rule
ip netns exec nsl-ipr-a ip rule del fwmark 11
ip netns exec nsl-ipr-a ip rule del table 100 pref 97
ip netns exec nsl-ipr-a ip rule del not iif veth0 oif lo
ip netns exec nsl-ipr-a ip rule del unreachable
ip netns exec nsl-ipr-a ip rule show
ip netns exec nsl-ipr-a ip rule show not
ip netns exec nsl-ipr-a ip rule show from 10.0.0.0/24
ip netns exec nsl-ipr-a ip rule show from 10.0.0.1
ip netns exec nsl-ipr-a ip rule show to 10.1.0.0/16
ip netns exec nsl-ipr-a ip rule show iif veth0
ip netns exec nsl-ipr-a ip rule show fwmark 11
ip netns exec nsl-ipr-a ip rule show lookup main
ip netns exec nsl-ipr-a ip rule show pref 99
ip netns exec nsl-ipr-a ip rule add from 10.0.0.0/33 table 5
ip netns exec nsl-ipr-a ip rule add tos 0x11 table 5
ip netns exec nsl-ipr-a ip rule add goto 5
ip netns exec nsl-ipr-a ip rule add table 0 from 1.2.3.4
ip netns exec nsl-ipr-a ip rule
ip netns exec nsl-ipr-a ip rule flush table 5
ip netns exec nsl-ipr-a ip rule
ip netns exec nsl-ipr-a ip rule del pref 0
ip netns exec nsl-ipr-a ip rule
ip netns exec nsl-ipr-a ip route get 10.0.0.2
ip netns exec nsl-ipr-a ip rule add
ip netns exec nsl-ipr-a ip rule del
ip netns exec nsl-ipr-a ip -s rule
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx neigh; then
record route-neigh 'ip neigh: states, lladdr forms, router, -s ages and timers, proxy, get, change/replace/del, flush with -s, link down' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.0.1/24 dev veth0
ip netns exec nsl-ipr-b ip addr add 10.0.0.2/24 dev veth1
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-b ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip netns exec nsl-ipr-a ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev veth0 router
ip netns exec nsl-ipr-a ip neigh add 10.0.0.10 dev veth0
ip netns exec nsl-ipr-a ip neigh add 10.0.0.10 dev veth0 nud reachable
ip netns exec nsl-ipr-a ip neigh add 10.0.0.11 dev veth0 nud none
ip netns exec nsl-ipr-a ip neigh add 10.0.0.12 dev veth0 nud incomplete
ip netns exec nsl-ipr-a ip neigh add 10.0.0.13 lladdr 02:00:00:00:00:0d dev veth0 nud failed
ip netns exec nsl-ipr-a ip neigh add 10.0.0.14 lladdr 02:00:00:00:00:0e dev veth0 nud delay
ip netns exec nsl-ipr-a ip neigh add 10.0.0.15 lladdr 02:00:00:00:00:0f dev veth0 nud probe
ip netns exec nsl-ipr-a ip neigh add 10.0.0.16 lladdr 02:00:00:00:00:10 dev veth0 nud stale
ip netns exec nsl-ipr-a ip neigh add 10.0.0.17 lladdr 02:00:00:00:00:11 dev lo
ip netns exec nsl-ipr-a ip neigh add 10.0.0.18 lladdr 02:00:00:00:00:12:13 dev veth0
ip netns exec nsl-ipr-a ip neigh add 10.0.0.19 lladdr 0200.0000.0013 dev veth0
ip netns exec nsl-ipr-a ip neigh add 10.0.0.20 lladdr 02:00:00:00:00:14 dev veth0 nud 0x02
ip netns exec nsl-ipr-a ip neigh add 10.0.0.21 lladdr 02:00:00:00:00:15 dev veth0 nud 0x03
ip netns exec nsl-ipr-a ip neigh add 10.0.0.22 lladdr null dev veth0
ip netns exec nsl-ipr-a ip neigh add 10.0.0.23 lladdr 02:00:00:00:00:17 dev veth0 nud perm
ip netns exec nsl-ipr-a ip neigh
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip -s neigh show nud all
ip netns exec nsl-ipr-a ip -s -s neigh
ip netns exec nsl-ipr-a ip -j -s neigh
ip netns exec nsl-ipr-a ip neigh show 10.0.0.0/30
ip netns exec nsl-ipr-a ip neigh show to 10.0.0.14
ip netns exec nsl-ipr-a ip neigh show nud stale nud delay
ip netns exec nsl-ipr-a ip neigh show nud none
ip netns exec nsl-ipr-a ip neigh show dev lo
ip netns exec nsl-ipr-a ip -br neigh show nud all
ip netns exec nsl-ipr-a ip -4 -br -j neigh
ip netns exec nsl-ipr-a ip neigh show proxy
ip netns exec nsl-ipr-a ip neigh add proxy 10.0.0.50 dev veth0
ip netns exec nsl-ipr-a ip neigh show proxy
ip netns exec nsl-ipr-a ip neigh
ip netns exec nsl-ipr-a ip neigh get 10.0.0.9 dev veth0
ip netns exec nsl-ipr-a ip neigh get 10.0.0.99 dev veth0
ip netns exec nsl-ipr-a ip neigh change 10.0.0.9 dev veth0
ip netns exec nsl-ipr-a ip neigh show 10.0.0.9
ip netns exec nsl-ipr-a ip neigh change 10.0.0.9 dev veth0 nud stale
ip netns exec nsl-ipr-a ip neigh show 10.0.0.9
ip netns exec nsl-ipr-a ip neigh del 10.0.0.9 lladdr 02:00:00:00:00:01 dev veth0
ip netns exec nsl-ipr-a ip -s neigh flush dev veth0
ip netns exec nsl-ipr-a ip -s -s neigh flush nud all
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip neigh flush to 10.0.0.0/24 nud all
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev veth0
ip netns exec nsl-ipr-a ip neigh replace 10.0.0.9 lladdr 02:00:00:00:00:19 dev veth0 nud reachable
ip netns exec nsl-ipr-a ip neigh
ip netns exec nsl-ipr-a ip link set veth0 down
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip neigh add 10.0.0.30 lladdr 02:00:00:00:00:1e dev veth0 nud noarp
ip netns exec nsl-ipr-a ip neigh add 10.0.0.31 lladdr 02:00:00:00:00:1f dev veth0 nud reachable
ip netns exec nsl-ipr-a ip neigh flush dev veth0
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip neigh add 10.0.0.32 dev veth0 lladdr 02:00:00:00:00:20 nud reachable
ip netns exec nsl-ipr-a ip neigh del 10.0.0.9 dev veth0 nud stale
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip neigh add 10.0.0.9
ip netns exec nsl-ipr-a ip neigh add dev veth0
ip netns exec nsl-ipr-a ip neigh add 10.0.0.9 10.0.0.10 dev veth0
ip netns exec nsl-ipr-a ip neigh show dev nosuch
ip netns exec nsl-ipr-a ip neigh add 300.0.0.1 dev veth0
ip netns exec nsl-ipr-a ip neigh add 10.0.0.40 lladdr 02:00:00:00:00:28 dev veth0 lladdr 02:00:00:00:00:29
ip netns exec nsl-ipr-a ip neigh flush dev veth0 nud bogus
ip netns exec nsl-ipr-a ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev veth0
ip netns exec nsl-ipr-a ip neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev veth0 nud stale
ip netns exec nsl-ipr-a ip neigh add 10.0.0.11 lladdr 02:00:00:00:00:0b dev veth0 nud noarp
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev veth0 nud stale
ip -n nsl-ipr-a link set veth0 down
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip neigh add 10.0.0.12 lladdr 02:00:00:00:00:0c dev veth0
ip netns exec nsl-ipr-a ip neigh show nud all
ip -n nsl-ipr-a link set veth0 up
ip netns exec nsl-ipr-a ip neigh show nud all
ip netns exec nsl-ipr-a ip route add 10.9.0.0/16 via 10.0.0.2
ip netns exec nsl-ipr-a ip neigh add 10.0.0.32 dev veth0 lladdr 02:00:00:00:00:20 nud reachable
ip netns exec nsl-ipr-a ip neigh add 10.0.0.33 dev veth0 lladdr 02:00:00:00:00:21 nud stale
ip netns exec nsl-ipr-a ip neigh add 10.0.0.35 dev veth0 nud incomplete
sleep 2
ip netns exec nsl-ipr-a ip -s neigh show nud all
sleep 5
ip netns exec nsl-ipr-a ip -s neigh show nud all
ip netns exec nsl-ipr-a ip neigh change 10.0.0.33 dev veth0 lladdr 02:00:00:00:00:21 nud stale
ip netns exec nsl-ipr-a ip neigh change 10.0.0.32 dev veth0 lladdr 02:00:00:00:00:30
ip netns exec nsl-ipr-a ip -s neigh show nud all
sleep 50
ip netns exec nsl-ipr-a ip -s neigh show nud all
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx sysctl; then
record route-sysctl 'sysctl: reading, writing (C integer forms, ranges, extra values), default propagation, forwarding, options and errors' <<'CMDS'
ip netns add nsl-ipr-a
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl -a -r 'conf.lo.rp'
ip netns exec nsl-ipr-a sysctl -N net.ipv4.conf.lo
ip netns exec nsl-ipr-a sysctl net.ipv4.neigh.lo
ip netns exec nsl-ipr-a sysctl -n net.ipv4.tcp_rmem net.ipv4.ip_local_port_range
ip netns exec nsl-ipr-a sysctl -b net.ipv4.ip_local_port_range
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_local_port_range="40000 50000"
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_local_port_range
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_local_port_range=45000
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_local_port_range
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_local_port_range="500 600"
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_local_port_range="50000 40000"
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_default_ttl=0
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_default_ttl=256
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_default_ttl=0x20
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_default_ttl
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_default_ttl=070
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_default_ttl
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_default_ttl=" 33 "
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_default_ttl="33x"
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_default_ttl=" "
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_forward net.ipv4.conf.default.forwarding net.ipv4.conf.lo.forwarding net.ipv4.conf.all.accept_redirects
ip netns exec nsl-ipr-a sysctl -w net.ipv4.conf.all.forwarding=0
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_forward net.ipv4.conf.default.forwarding net.ipv4.conf.lo.forwarding net.ipv4.conf.all.accept_redirects
ip netns exec nsl-ipr-a sysctl -w net.ipv4.conf.default.forwarding=1
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_forward net.ipv4.conf.default.forwarding net.ipv4.conf.lo.forwarding
ip -n nsl-ipr-a link add veth0 type veth peer name veth1
ip netns exec nsl-ipr-a sysctl net.ipv4.conf.veth0.forwarding net.ipv4.conf.veth0.rp_filter
ip netns exec nsl-ipr-a sysctl -w net.ipv4.conf.default.rp_filter=2
ip -n nsl-ipr-a link add veth2 type veth peer name veth3
ip netns exec nsl-ipr-a sysctl net.ipv4.conf.veth2.forwarding net.ipv4.conf.veth2.rp_filter net.ipv4.conf.veth0.rp_filter
ip netns exec nsl-ipr-a sysctl -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec nsl-ipr-a sysctl net.ipv6.conf.veth0.disable_ipv6 net.ipv6.conf.default.disable_ipv6
ip netns exec nsl-ipr-a sysctl -w net.ipv6.conf.veth0.disable_ipv6=0
ip netns exec nsl-ipr-a sysctl -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec nsl-ipr-a sysctl net.ipv6.conf.veth0.disable_ipv6
ip netns exec nsl-ipr-a sysctl -w net.ipv6.conf.all.disable_ipv6=0
ip netns exec nsl-ipr-a sysctl net.ipv6.conf.veth0.disable_ipv6 net.ipv6.conf.lo.disable_ipv6 net.ipv6.conf.default.disable_ipv6
ip netns exec nsl-ipr-a sysctl -w net.ipv4.tcp_congestion_control=reno
ip netns exec nsl-ipr-a sysctl -w net.ipv4.ip_local_reserved_ports=1000
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_local_reserved_ports
ip netns exec nsl-ipr-a sysctl -e -N net.ipv4.nosuch net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl -q net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl -qn net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_forward=1 net.ipv4.nosuch=1 net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl net/ipv4/conf/veth0/forwarding
ip netns exec nsl-ipr-a sysctl net.ipv4/conf
ip netns exec nsl-ipr-a sysctl -w net.ipv4.neigh.veth0.base_reachable_time_ms=20000
ip netns exec nsl-ipr-a sysctl net.ipv4.neigh.veth0.base_reachable_time_ms
ip netns exec nsl-ipr-a sysctl -x -o net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl --values net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl --names net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl -w --quiet net.ipv4.ip_forward=0
ip netns exec nsl-ipr-a sysctl --dry-run -w net.ipv4.ip_forward=1
ip netns exec nsl-ipr-a sysctl net.ipv4.ip_forward
ip netns exec nsl-ipr-a sysctl -p
ip netns exec nsl-ipr-a sysctl -p /nonexistent
ip netns exec nsl-ipr-a sysctl -r
ip netns exec nsl-ipr-a sysctl --pattern
ip netns exec nsl-ipr-a sysctl --d
ip netns exec nsl-ipr-a sysctl --nosuch
ip netns exec nsl-ipr-a sysctl -z
ip netns exec nsl-ipr-a sysctl -V
ip netns exec nsl-ipr-a sysctl -h
ip netns exec nsl-ipr-a sysctl
ip netns exec nsl-ipr-a sysctl -n
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx netns; then
record route-netns 'ip netns: list order, ids, set, list-id, identify, add/del errors (recorded in a private /run/netns)' <<'CMDS'
ip netns list
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns add nsl-ipr-c
ip netns
ip netns show
ip netns lst
ip netns l
ip -j netns list
ip -j -p netns
ip -n nsl-ipr-a netns list-id
ip netns exec nsl-ipr-a ip netns set nsl-ipr-c 5
ip netns exec nsl-ipr-a ip netns set nsl-ipr-b auto
ip netns exec nsl-ipr-a ip netns list
ip netns exec nsl-ipr-a ip netns list-id
ip netns exec nsl-ipr-a ip -j netns list-id
ip netns exec nsl-ipr-a ip netns list-id nsid 5
ip netns exec nsl-ipr-a ip netns list-id nsid 7
ip netns exec nsl-ipr-a ip netns set nsl-ipr-c 6
ip netns exec nsl-ipr-a ip netns set nsl-ipr-b 5
ip netns exec nsl-ipr-a ip netns set nsl-ipr-nosuch 5
ip netns exec nsl-ipr-a ip netns set nsl-ipr-c
ip netns exec nsl-ipr-a ip netns set
ip netns exec nsl-ipr-a ip netns set nsl-ipr-c -1
ip netns exec nsl-ipr-a ip netns set nsl-ipr-c x
ip netns exec nsl-ipr-a ip netns identify
ip netns exec nsl-ipr-a ip netns identify 1 2
ip netns exec nsl-ipr-a ip netns identify abc
ip netns del nsl-ipr-b
ip netns exec nsl-ipr-a ip netns list
ip netns exec nsl-ipr-a ip netns list-id
ip netns add nsl-ipr-b
ip netns list
ip netns add nsl-ipr-a/x
ip netns add ..
ip netns delete
ip netns add
ip netns exec
ip netns foo
ip netns help
ip netns exec nsl-ipr-a ip -n nsl-ipr-c netns list-id
ip netns exec nsl-ipr-a ip netns exec nsl-ipr-c ip netns list-id
ip netns del nsl-ipr-c
ip netns del nsl-ipr-b
ip netns del nsl-ipr-a
ip netns list
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx route-misc; then
record route-misc 'proxy neighbours, routes on a down device, host-scope routes, table dump order by hash bucket, rules asking for table 0' <<'CMDS'
ip netns add nsl-ipr-c
ip netns exec nsl-ipr-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-c link add v0 address 02:00:00:00:05:01 type veth peer name v1 address 02:00:00:00:05:02
ip netns exec nsl-ipr-c ip addr add 10.0.0.1/24 dev v0
ip netns exec nsl-ipr-c ip route add 10.9.0.0/16 dev v0
ip netns exec nsl-ipr-c ip route add 10.9.0.0/16 via 1.2.3.4 dev v0 onlink
ip netns exec nsl-ipr-c ip route add 10.7.0.0/16 via 10.0.0.1
ip netns exec nsl-ipr-c ip route add local 10.18.0.0/16 dev v0
ip netns exec nsl-ipr-c ip route add 10.19.0.0/16 dev v0 scope host
ip netns exec nsl-ipr-c ip route
ip netns exec nsl-ipr-c ip route show table local
ip netns exec nsl-ipr-c ip route get 10.18.0.1
ip netns exec nsl-ipr-c ip route get 10.19.0.1
ip netns exec nsl-ipr-c ip link set v0 up
ip netns exec nsl-ipr-c ip route get 10.19.0.1
ip netns exec nsl-ipr-c ip route get 10.0.0.9
ip netns exec nsl-ipr-c ip link set v1 up
ip netns exec nsl-ipr-c ip route get 10.0.0.9 from 10.0.0.2 iif v1
ip netns exec nsl-ipr-c ip neigh add proxy 10.0.0.50 dev v0
ip netns exec nsl-ipr-c ip neigh add proxy 10.0.0.51 dev v1
ip netns exec nsl-ipr-c ip neigh show proxy
ip netns exec nsl-ipr-c ip neigh show proxy dev v0
ip netns exec nsl-ipr-c ip -j neigh show proxy
ip netns exec nsl-ipr-c ip neigh flush proxy dev v0
ip netns exec nsl-ipr-c ip neigh show proxy
ip netns exec nsl-ipr-c ip neigh del proxy 10.0.0.51 dev v1
ip netns exec nsl-ipr-c ip neigh del proxy 10.0.0.51 dev v1
ip netns exec nsl-ipr-c ip neigh show proxy
ip netns exec nsl-ipr-c ip link set v0 down
ip netns exec nsl-ipr-c ip route show table all
ip netns exec nsl-ipr-c ip link del v0
ip netns exec nsl-ipr-c ip route show table all
ip netns del nsl-ipr-c
ip netns add nsl-ipr-c
ip netns exec nsl-ipr-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-c ip link set lo up
ip netns exec nsl-ipr-c ip route add blackhole 10.1.0.0/16 table 257
ip netns exec nsl-ipr-c ip route add blackhole 10.2.0.0/16 table 1
ip netns exec nsl-ipr-c ip route add blackhole 10.3.0.0/16 table 2
ip netns exec nsl-ipr-c ip route add blackhole 10.4.0.0/16 table 513
ip netns exec nsl-ipr-c ip route add blackhole 10.5.0.0/16 table default
ip netns exec nsl-ipr-c ip route add blackhole 10.6.0.0/16 table 510
ip netns exec nsl-ipr-c ip route show table all
ip netns exec nsl-ipr-c ip -d route show table all
ip netns exec nsl-ipr-c ip route show table 257
ip netns exec nsl-ipr-c ip -j route show table 257
ip netns exec nsl-ipr-c ip route get 10.5.0.1
ip netns exec nsl-ipr-c ip rule add from 1.1.1.1 table 0
ip netns exec nsl-ipr-c ip rule add from 1.1.1.2 table 0
ip netns exec nsl-ipr-c ip rule
ip netns exec nsl-ipr-c ip route show table 3
ip netns exec nsl-ipr-c ip route show table 4
ip netns del nsl-ipr-c
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx route-ipv6; then
record route-ipv6 'the IPv6 routes addrconf makes (IPv6 left on in these two namespaces)' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip -n nsl-ipr-a link add veth2 address 02:00:00:00:02:01 type veth peer name veth3 address 02:00:00:00:02:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip netns exec nsl-ipr-a ip link set veth2 up
ip netns exec nsl-ipr-b ip link set veth3 up
ip netns exec nsl-ipr-a ip -6 route
ip netns exec nsl-ipr-a ip -6 route show table local
sleep 3
ip netns exec nsl-ipr-a ip -6 route
ip netns exec nsl-ipr-a ip -6 route show table local
ip netns exec nsl-ipr-a ip route show table all
ip netns exec nsl-ipr-a ip -j -6 route
ip netns exec nsl-ipr-a ip -6 route show dev veth0
ip netns exec nsl-ipr-a ip -6 -d route
ip netns exec nsl-ipr-a ip -6 rule
ip netns exec nsl-ipr-a ip -6 neigh
CMDS
fi
if [[ $# -eq 0 ]] || printf "%s\n" "$@" | grep -qx route-oif; then
record route-oif 'ip route get with oif, from and own addresses on other devices, limited broadcast and multicast from a source, a device down' <<'CMDS'
ip netns add nsl-ipr-a
ip netns add nsl-ipr-b
ip netns exec nsl-ipr-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-ipr-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-ipr-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.0.1/24 dev veth0
ip netns exec nsl-ipr-b ip addr add 10.0.0.2/24 dev veth1
ip netns exec nsl-ipr-a ip link set lo up
ip netns exec nsl-ipr-b ip link set lo up
ip netns exec nsl-ipr-a ip link set veth0 up
ip netns exec nsl-ipr-b ip link set veth1 up
ip -n nsl-ipr-a link add veth2 address 02:00:00:00:02:01 type veth peer name veth3 address 02:00:00:00:02:02 netns nsl-ipr-b
ip netns exec nsl-ipr-a ip addr add 10.0.1.1/24 dev veth2
ip netns exec nsl-ipr-a ip link set veth2 up
ip netns exec nsl-ipr-b ip link set veth3 up
ip netns exec nsl-ipr-a ip route get 10.0.1.1 oif veth0
ip netns exec nsl-ipr-a ip route get 10.0.1.5 oif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.1.1 oif veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.1.1 oif veth2
ip netns exec nsl-ipr-a ip route get 127.0.0.1 oif lo
ip netns exec nsl-ipr-a ip route get 127.0.0.2 from 10.0.0.1
ip netns exec nsl-ipr-a ip route get 255.255.255.255 from 10.0.1.1
ip netns exec nsl-ipr-a ip route get 224.0.0.5 from 10.0.1.1
ip netns exec nsl-ipr-a ip route get 10.0.0.255 oif veth2
ip netns exec nsl-ipr-a ip route get 10.0.1.255 from 10.0.0.1
ip netns exec nsl-ipr-a ip addr add 10.0.0.3/24 dev veth0
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.0.3
ip netns exec nsl-ipr-a ip route get 10.0.0.3
ip netns exec nsl-ipr-a ip route get 10.0.0.9 tos 0x1
ip netns exec nsl-ipr-a ip link set veth2 down
ip netns exec nsl-ipr-a ip route get 10.0.1.1
ip netns exec nsl-ipr-a ip route get 10.0.1.5
ip netns exec nsl-ipr-a ip route get 10.0.1.5 oif veth2
ip netns exec nsl-ipr-a ip route get 10.0.0.2 from 10.0.1.1
CMDS
fi
