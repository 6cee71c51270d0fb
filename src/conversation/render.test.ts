import type { Choice, Output } from '../../flows/types';
import type { Capabilities } from './channel';
import { Translator } from './i18n';
import { buttonLabel, matchChoice, render, shortLabelKey } from './render';

/**
 * Button labels on a channel with tight limits (WhatsApp: 20 characters):
 * the full label when it fits, else the language's own short form
 * (`short:<namespace>.<key>`), else the whole message as a numbered list.
 */

const WHATSAPP_LIKE: Capabilities = {
  buttons: true,
  maxButtons: 10,
  maxButtonLabel: 20,
  linkButtons: false,
  maxTextLength: 4096,
};

const tr = new Translator({
  en: {
    menu: {
      prompt: 'Who are you?',
      audience: {
        abroad: 'I am abroad',
        preparing: 'I am preparing to go abroad',
        family: 'My family member is abroad',
      },
    },
    countries: { PH: 'the Philippines' },
    contacts: { call: 'Call the embassy of {{country}} now' },
    short: {
      menu: { audience: { preparing: 'I am going abroad', family: 'My family is abroad' } },
      contacts: { call: 'Call {{country}}' },
    },
  },
  fil: {
    menu: {
      prompt: 'Sino kayo?',
      audience: {
        abroad: 'Nasa ibang bansa ako',
        preparing: 'Naghahanda akong pumunta sa ibang bansa',
        family: 'Nasa ibang bansa ang kapamilya ko',
      },
    },
    countries: { PH: 'Pilipinas' },
    contacts: { call: 'Tawagan ang embahada ng {{country}}' },
    // No short form of `family` here: English's must not stand in for it.
    short: {
      menu: { audience: { preparing: 'Naghahandang umalis' } },
      contacts: { call: 'Tawag sa {{country}}' },
    },
  },
  ne: {
    menu: {
      prompt: 'तपाईं को हो?',
      audience: { abroad: 'म विदेशमा छु', preparing: 'म विदेश जाने तयारी गर्दै छु', family: 'मेरो आफन्त विदेशमा' },
    },
    // A short form that is still too long for the channel.
    short: { menu: { audience: { preparing: 'म विदेश जाने तयारीमा छु है' } } },
  },
});

const abroad: Choice = { label: 'menu:audience.abroad', payload: 'menu.audience:abroad' };
const preparing: Choice = { label: 'menu:audience.preparing', payload: 'menu.audience:preparing' };
const family: Choice = { label: 'menu:audience.family', payload: 'menu.audience:family' };
const call: Choice = { label: 'contacts:call', payload: 'call', params: { country: { key: 'countries:PH' } } };

const prompt = (...choices: Choice[]): Output => ({ key: 'menu:prompt', choices });

describe('shortLabelKey', () => {
  it('puts the namespace first under short', () => {
    expect(shortLabelKey('menu:audience.preparing')).toBe('short:menu.audience.preparing');
    expect(shortLabelKey('plain')).toBeUndefined();
  });
});

describe('buttonLabel', () => {
  it('keeps the full label when it fits, even where a short form exists', () => {
    expect(buttonLabel(abroad, 'fil', 20, tr)).toBe('Nasa ibang bansa ako');
    expect(buttonLabel(preparing, 'en', 40, tr)).toBe('I am preparing to go abroad');
  });

  it('takes the short form of the person’s language when the label is too long', () => {
    expect(buttonLabel(preparing, 'en', 20, tr)).toBe('I am going abroad');
    expect(buttonLabel(preparing, 'fil', 20, tr)).toBe('Naghahandang umalis');
  });

  it('fills the short form’s placeholders, nested phrases translated', () => {
    expect(buttonLabel(call, 'en', 20, tr)).toBe('Call the Philippines');
    expect(buttonLabel(call, 'fil', 20, tr)).toBe('Tawag sa Pilipinas');
  });

  it('never borrows the English short form for another language', () => {
    expect(buttonLabel(family, 'en', 20, tr)).toBe('My family is abroad');
    expect(buttonLabel(family, 'fil', 20, tr)).toBe('Nasa ibang bansa ang kapamilya ko');
  });

  it('gives the full label back when the short form is too long as well', () => {
    expect(buttonLabel(preparing, 'ne', 20, tr)).toBe('म विदेश जाने तयारी गर्दै छु');
  });
});

describe('render on a channel with 20-character buttons', () => {
  it('shows full labels that fit as buttons', () => {
    const [message] = render([prompt(abroad)], 'fil', WHATSAPP_LIKE, tr);
    expect(message!.text).toBe('Sino kayo?');
    expect(message!.buttons).toEqual([{ label: 'Nasa ibang bansa ako', payload: 'menu.audience:abroad' }]);
  });

  it('shows a long label by its short form, in the person’s language', () => {
    const [message] = render([prompt(abroad, preparing)], 'fil', WHATSAPP_LIKE, tr);
    expect(message!.text).toBe('Sino kayo?');
    expect(message!.buttons).toEqual([
      { label: 'Nasa ibang bansa ako', payload: 'menu.audience:abroad' },
      { label: 'Naghahandang umalis', payload: 'menu.audience:preparing' },
    ]);
  });

  it('numbers the choices, each in full, when one label has a short form only in English: no English on the screen', () => {
    const [message] = render([prompt(abroad, preparing, family)], 'fil', WHATSAPP_LIKE, tr);
    expect(message!.buttons).toBeUndefined();
    expect(message!.text).toBe(
      'Sino kayo?\n\n1. Nasa ibang bansa ako\n2. Naghahanda akong pumunta sa ibang bansa\n3. Nasa ibang bansa ang kapamilya ko',
    );
    expect(message!.text).not.toMatch(/family|abroad|going/i);
  });

  it('numbers the choices when the short form is too long as well', () => {
    const [message] = render([prompt(abroad, preparing)], 'ne', WHATSAPP_LIKE, tr);
    expect(message!.buttons).toBeUndefined();
    expect(message!.text).toBe('तपाईं को हो?\n\n1. म विदेशमा छु\n2. म विदेश जाने तयारी गर्दै छु');
  });

  it('keeps full labels on a channel with room for them', () => {
    const [message] = render([prompt(preparing, family)], 'en', { ...WHATSAPP_LIKE, maxButtonLabel: 64 }, tr);
    expect(message!.buttons?.map((b) => b.label)).toEqual(['I am preparing to go abroad', 'My family member is abroad']);
  });
});

describe('matchChoice with short labels', () => {
  const choices = [abroad, preparing, family, call];

  it('accepts the short label as it was shown on the button', () => {
    expect(matchChoice('Naghahandang umalis', choices, 'fil', tr)).toBe(preparing);
    expect(matchChoice('naghahandang  umalis!', choices, 'fil', tr)).toBe(preparing);
    expect(matchChoice('Tawag sa Pilipinas', choices, 'fil', tr)).toBe(call);
    expect(matchChoice('I am going abroad', choices, 'en', tr)).toBe(preparing);
  });

  it('still accepts the full label, and English typed in another language', () => {
    expect(matchChoice('Naghahanda akong pumunta sa ibang bansa', choices, 'fil', tr)).toBe(preparing);
    expect(matchChoice('My family is abroad', choices, 'fil', tr)).toBe(family);
  });

  it('matches nothing else', () => {
    expect(matchChoice('Naghahanda', choices, 'fil', tr)).toBeUndefined();
  });
});
