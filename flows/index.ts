import type { FlowDeps } from './directory';
import { createContactsFlow } from './contacts/machine';
import { createDangerFlow } from './danger/machine';
import { createFamilyEmergencyFlow } from './family-emergency/machine';
import { createFirstAidFlow } from './first-aid/machine';
import { menuFlow } from './menu/machine';
import { packingFlow } from './packing/machine';
import { createPassportFlow } from './passport/machine';
import { createPersonFlow } from './person/machine';
import { createRecruitmentFlow } from './recruitment/machine';
import { createRflFlow } from './rfl/machine';
import { createServicesFlow } from './services/machine';
import { createSituationFlow } from './situation/machine';
import type { FlowDefinition } from './types';
import { createWellbeingFlow } from './wellbeing/machine';

/**
 * Every flow the engine can run. The menu is required; the others are its
 * topics. Flows that show country facts are built from the injected lookup,
 * so they stay pure.
 */
export function createFlows(deps: FlowDeps): FlowDefinition[] {
  return [
    menuFlow,
    createSituationFlow(deps),
    createServicesFlow(deps),
    packingFlow,
    createWellbeingFlow(deps),
    createContactsFlow(deps),
    createFirstAidFlow(deps),
    createDangerFlow(deps),
    createRecruitmentFlow(deps),
    createPassportFlow(deps),
    createFamilyEmergencyFlow(deps),
    createRflFlow(deps),
    createPersonFlow(deps),
  ];
}
