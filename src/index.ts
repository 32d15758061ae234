// nslab's library entry point: run scripts against an emulated machine and read its state back.
export { runScenario, openSession, type ScenarioOptions, type ScenarioResult } from './scenario/run.ts';
export { World, type WorldOptions } from './kernel/world.ts';
export { NetNs } from './kernel/netns.ts';
export { NetDevice } from './kernel/device.ts';
export { KernelError } from './kernel/errors.ts';
export { ScriptError } from './scenario/shell/index.ts';
export type { Tool, ToolContext } from './cli/tool.ts';
export { tuneV8 } from './tuning.ts';
