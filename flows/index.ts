import { menuFlow } from './menu/machine';
import { packingFlow } from './packing/machine';
import type { FlowDefinition } from './types';

/** Every flow the engine can run. The menu is required; the others are its topics. */
export const allFlows: FlowDefinition[] = [menuFlow, packingFlow];
