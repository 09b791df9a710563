/** What other projects' tests may use: the simulator, to run in-process. */
export * from './sim.app';
