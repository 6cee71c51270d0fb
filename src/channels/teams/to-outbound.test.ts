import type { OutboundMessage } from '../../conversation/channel';
import { HERO_CARD, toOutbound } from './to-outbound';

const base: OutboundMessage = { text: 'Would you like to see it?', locale: 'en', dir: 'ltr' };

describe('teams toOutbound', () => {
  it('sends plain text in the reply language', () => {
    expect(toOutbound(base)).toEqual({ type: 'message', text: base.text, textFormat: 'plain', locale: 'en' });
  });

  it('offers up to three choices as suggested actions carrying the payload', () => {
    const activity = toOutbound({
      ...base,
      buttons: [
        { label: 'Yes', payload: 'answer.yes' },
        { label: 'Main menu', payload: 'cmd.menu' },
      ],
    });
    expect(activity.attachments).toBeUndefined();
    expect(activity.suggestedActions).toEqual({
      to: [],
      actions: [
        { type: 'messageBack', title: 'Yes', text: 'Yes', displayText: 'Yes', value: { payload: 'answer.yes' } },
        { type: 'messageBack', title: 'Main menu', text: 'Main menu', displayText: 'Main menu', value: { payload: 'cmd.menu' } },
      ],
    });
  });

  it('puts more than three choices on a hero card', () => {
    const buttons = ['a', 'b', 'c', 'd'].map((x) => ({ label: x.toUpperCase(), payload: `p.${x}` }));
    const activity = toOutbound({ ...base, buttons });
    expect(activity.suggestedActions).toBeUndefined();
    expect(activity.attachments).toHaveLength(1);
    expect(activity.attachments?.[0]?.contentType).toBe(HERO_CARD);
    const cardButtons = (activity.attachments?.[0]?.content as { buttons: unknown[] }).buttons;
    expect(cardButtons).toHaveLength(4);
    expect(cardButtons[3]).toEqual({ type: 'messageBack', title: 'D', text: 'D', displayText: 'D', value: { payload: 'p.d' } });
  });

  it('shows links as openUrl buttons on a card, beside suggested actions', () => {
    const activity = toOutbound({
      ...base,
      buttons: [{ label: 'Back', payload: 'nav.back' }],
      links: [{ label: 'First Aid app', url: 'https://www.globalfirstaidcentre.org/' }],
    });
    expect(activity.suggestedActions?.actions).toHaveLength(1);
    expect(activity.attachments).toEqual([
      {
        contentType: HERO_CARD,
        content: { buttons: [{ type: 'openUrl', title: 'First Aid app', value: 'https://www.globalfirstaidcentre.org/' }] },
      },
    ]);
  });
});
