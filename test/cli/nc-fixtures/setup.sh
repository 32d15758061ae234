# The two hosts every nc case starts from (run by record.sh on the real kernel, by nc.test.ts in nslab).
ip netns add nsl-udp-a
ip netns add nsl-udp-b
ip netns exec nsl-udp-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec nsl-udp-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n nsl-udp-a link set lo up
ip -n nsl-udp-b link set lo up
ip -n nsl-udp-a link add veth0 address 02:00:00:00:01:01 type veth peer name veth0 address 02:00:00:00:01:02 netns nsl-udp-b
ip -n nsl-udp-a addr add 10.0.0.1/24 dev veth0
ip -n nsl-udp-b addr add 10.0.0.2/24 dev veth0
ip -n nsl-udp-a link set veth0 up
ip -n nsl-udp-b link set veth0 up
