import { PACKING_STEPS } from '../../flows/packing/steps';
import { Translator, loadLocaleResources } from '../../src/conversation/i18n';
import { LOCALES_DIR } from '../workload/packing';

/**
 * The English texts a hand-written bot would hard-code for this conversation,
 * rendered once from the locale files, so that peers answer with the same
 * words as the engine and their replies can be checked the same way.
 */
export interface PeerTexts {
  welcome: string;
  where: string;
  menu: string;
  intro: string;
  steps: string[];
  done: string;
  notUnderstood: string;
  labels: { yes: string; next: string; back: string; menu: string; skip: string; packing: string };
}

export function peerTexts(tr = new Translator(loadLocaleResources(LOCALES_DIR))): PeerTexts {
  const total = PACKING_STEPS.length;
  const en = (key: string, params?: Record<string, string | number>) => tr.t(key, 'en', params);
  return {
    welcome: en('common:welcome', { language: 'English' }),
    where: en('situation:where'),
    menu: en('menu:prompt'),
    intro: en('packing:intro', { total }),
    steps: PACKING_STEPS.map((step, i) => en(`packing:${step}`, { step: i + 1, total })),
    done: en('packing:done'),
    notUnderstood: en('common:notUnderstood'),
    labels: {
      yes: en('common:choice.yes'),
      next: en('common:choice.next'),
      back: en('common:choice.back'),
      menu: en('common:choice.menu'),
      skip: en('situation:choice.skip'),
      packing: en('menu:topics.packing'),
    },
  };
}
