// What the bridge recordings call volatile, masked in a command's output: the values of
// running timers (`ip -d link`, `brctl showstp`, `brctl showmacs` ageing timers), which depend
// on how long the recorder took between commands, and whether a port's hold timer was running
// (`config_pending`, brctl's CONFIG_PENDING flag).

/** Timer values of `ip -d link` (text and JSON), `brctl showstp` and `brctl showmacs`. */
export function maskTimers(text: string): string {
  return text
    .replace(/\b(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer) +\d+\.\d\d /g, '$1 <t> ')
    .replace(/"(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer)":\d+\.\d\d/g, '"$1":<t>')
    .replace(/(timer\t+) *\d+\.\d\d/g, '$1<t>')
    .replace(/^( *\d+\t[0-9a-f:]{17}\t(?:yes|no)\t\t) *\d+\.\d\d$/gm, '$1<t>')
    .replace(/\bconfig_pending [01] /g, 'config_pending <p> ')
    .replace(/^( flags\t\t\t)CONFIG_PENDING /gm, '$1');
}
