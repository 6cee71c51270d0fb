/**
 * The Virtual Volunteer topics, in menu order, after the Philippine Red Cross
 * Virtual Volunteer. A topic without `flow` is listed but not built yet; the
 * menu says so instead of hiding it, so people learn what is coming.
 */
export interface Topic {
  id: string;
  /** The flow that answers this topic, once it exists. */
  flow?: string;
}

export const TOPICS: readonly Topic[] = [
  { id: 'services' },
  { id: 'packing', flow: 'packing' },
  { id: 'wellbeing' },
  { id: 'contacts' },
  { id: 'firstAid' },
  { id: 'danger' },
  { id: 'recruitment' },
  { id: 'passport' },
  { id: 'familyEmergency' },
  { id: 'rfl' },
];

export const topicPayload = (topic: Topic): string => `topic.open:${topic.id}`;
export const topicLabel = (topic: Topic): string => `menu:topics.${topic.id}`;
