import { createFlows } from '../../flows';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';

/** The real flows, built from the real directory and default settings, once per test file. */
export const testDeps = flowDeps(loadConfig({}));
export const testFlows = createFlows(testDeps);
