import type { Choice } from '../types';

/**
 * The Virtual Volunteer topics, after the Philippine Red Cross Virtual
 * Volunteer (facts.md §7), and who each is for. The menu asks who the person
 * is first, so that everyone reaches their topic in two taps; danger is also
 * on the first screen, one tap away for anyone.
 */
export const TOPIC_IDS = [
  'danger',
  'passport',
  'recruitment',
  'contacts',
  'wellbeing',
  'familyEmergency',
  'rfl',
  'firstAid',
  'services',
  'packing',
] as const;

export type TopicId = (typeof TOPIC_IDS)[number];

export interface Topic {
  id: TopicId;
  /** The flow that answers this topic. */
  flow: string;
}

/** Each topic is answered by the flow of the same name. */
export const TOPICS: readonly Topic[] = TOPIC_IDS.map((id) => ({ id, flow: id }));

export const AUDIENCES = ['abroad', 'preparing', 'family'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** The topics shown to each audience, in order. */
export const AUDIENCE_TOPICS: Record<Audience, readonly TopicId[]> = {
  abroad: ['danger', 'passport', 'recruitment', 'contacts', 'wellbeing', 'familyEmergency', 'rfl', 'firstAid', 'services'],
  preparing: ['packing', 'recruitment', 'services', 'contacts', 'wellbeing', 'firstAid'],
  family: ['rfl', 'familyEmergency', 'services', 'wellbeing', 'contacts'],
};

export const topicPayload = (id: TopicId): string => `topic.open:${id}`;
export const topicLabel = (id: TopicId): string => `menu:topics.${id}`;
export const topicChoice = (id: TopicId): Choice => ({ label: topicLabel(id), payload: topicPayload(id) });

export const findTopic = (id: string | undefined): Topic | undefined => TOPICS.find((t) => t.id === id);
