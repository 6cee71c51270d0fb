/**
 * The self-care topics and their steps, in the order they are told, from
 * IFRC PS Centre, Red Cross and WHO material (facts.md §6) and the
 * communication plan of facts.md §4. Each step id is also its locale key
 * (`wellbeing:<topic>.<step>`); each topic id is its event (`wellbeing.<topic>`).
 */
export const WELLBEING_TOPICS = {
  stress: ['normal', 'body', 'routine', 'habits'],
  homesick: ['feelings', 'connect', 'plan'],
  // One short guided exercise: slow breathing, then grounding.
  breathe: ['settle', 'breathe', 'ground'],
} as const;

export type WellbeingTopic = keyof typeof WELLBEING_TOPICS;

export const TOPIC_IDS = Object.keys(WELLBEING_TOPICS) as WellbeingTopic[];
