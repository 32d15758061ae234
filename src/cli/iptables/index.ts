// The iptables tools (iptables 1.8.9, nf_tables backend), for the lead to register.
export { iptables, iptablesSave, ctime } from './iptables.ts';
export { iptablesRestore } from './restore.ts';
