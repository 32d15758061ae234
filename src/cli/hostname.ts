// `hostname`: the machine's name. Network namespaces share the UTS namespace, so every
// namespace prints World.hostname ("nslab" unless the world was made with another name).
import type { Tool } from './tool.ts';

export const hostname: Tool = (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length === 0) {
    ctx.io.out(`${ctx.world.hostname}\n`);
    return 0;
  }
  if (args.length === 1 && (args[0] === '-s' || args[0] === '--short')) {
    ctx.io.out(`${ctx.world.hostname.split('.')[0]}\n`);
    return 0;
  }
  // Setting the name needs CAP_SYS_ADMIN in the UTS namespace; nslab keeps it fixed.
  ctx.io.err('hostname: you must be root to change the host name\n');
  return 1;
};
