import { english, keyOf, translator } from '../support/english';

/** One reply as the person sees it, read from what the channel really sent. */
export interface ChannelReply {
  text: string;
  /** The payloads of the reply's buttons (link buttons carry none). */
  choices: string[];
}

export interface MessageHint {
  /** The language the channel reports for the person (browser, Telegram or Teams locale). */
  locale?: string;
}

/**
 * One person talking to the real app (port 0, a temporary SQLite file) over
 * one channel, with the channel's fake remote where it has one. Each call
 * returns the bot's replies to that message only.
 */
export interface ChannelDriver {
  /** Types a message. */
  say(text: string, hint?: MessageHint): Promise<ChannelReply[]>;
  /** Presses a button carrying this payload (or forges one). */
  press(payload: string, hint?: MessageHint): Promise<ChannelReply[]>;
  /** Stops the app and the fake remote, and removes the database. */
  close(): Promise<void>;
}

export interface ContractOptions {
  /**
   * The channel shows choices as a numbered list in the text (no buttons),
   * so only the list of the last question can be answered: a choice from an
   * earlier screen is out of reach, and the person goes through the screens
   * in between, as they would on their phone.
   */
  numberedChoices?: boolean;
}

const TOTAL = 8;
const VIETNAMESE = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;

const texts = (replies: readonly ChannelReply[]) => replies.map((r) => r.text);
const choices = (replies: readonly ChannelReply[]) => replies.flatMap((r) => r.choices);
const keys = (replies: readonly ChannelReply[]) => replies.map((r) => keyOf(r.text) ?? `?${r.text}`);

/**
 * What every channel must do for a person, run once per channel (web chat,
 * Telegram, Teams): the same conversation gives the same answers, whatever
 * the channel's own format.
 */
export function channelContract(name: string, makeDriver: () => Promise<ChannelDriver>, options: ContractOptions = {}): void {
  describe(`${name}: channel contract`, () => {
    let person: ChannelDriver;

    beforeEach(async () => {
      person = await makeDriver();
    });

    afterEach(async () => {
      await person.close();
    });

    it('greets a first message with the welcome, naming the language, with a choice to change it', async () => {
      const replies = await person.say('hi');

      expect(replies[0]?.text).toBe(english('common:welcome', { language: 'English' }));
      expect(replies[0]?.choices).toContain('cmd.language');
      expect(keys(replies)).not.toContain('common:error');
    });

    it('follows the language the channel reports on first contact', async () => {
      const replies = await person.say('hi', { locale: 'vi-VN' });

      expect(replies[0]?.text).toBe(translator.t('common:welcome', 'vi', { language: 'Tiếng Việt' }));
      expect(replies[0]?.choices).toContain('cmd.language');
    });

    it('shows the menu prompt with its choices on `menu`', async () => {
      await person.say('hi');
      const replies = await person.say('menu');

      expect(texts(replies)).toContain(english('menu:prompt'));
      expect(choices(replies)).toEqual(expect.arrayContaining(['menu.audience:preparing']));
    });

    it('walks the packing flow by its buttons', async () => {
      await person.say('hi');
      expect(choices(await person.press('cmd.menu'))).toContain('menu.audience:preparing');
      if (options.numberedChoices) {
        // Buttons keep every topic of the menu in reach; a numbered list offers the group's topics on their own screen.
        expect(choices(await person.press('menu.audience:preparing'))).toContain('topic.open:packing');
      }

      const intro = await person.press('topic.open:packing');
      expect(texts(intro)).toEqual([english('packing:intro', { total: TOTAL })]);
      expect(intro[0]?.choices).toEqual(['answer.yes', 'cmd.menu']);

      const first = await person.press('answer.yes');
      expect(texts(first)).toEqual([english('packing:documents', { step: 1, total: TOTAL })]);
      expect(first[0]?.choices).toContain('nav.next');

      const second = await person.press('nav.next');
      expect(texts(second)).toEqual([english('packing:copies', { step: 2, total: TOTAL })]);
    });

    it('answers `sos` with the emergency number of the country the person is in', async () => {
      await person.say('hi');
      expect(keys(await person.press('situation.here:QA'))).toEqual(['situation:from']);

      const replies = await person.say('sos');
      expect(keyOf(replies[0]?.text ?? '')).toBe('common:emergency.single');
      expect(replies[0]?.text).toContain('999');
      expect(replies[0]?.text).toContain(english('countries:QA'));
    });

    it('switches to Vietnamese on `lang.set:vi`, and back to English on `en`', async () => {
      await person.say('hi');

      const vi = await person.press('lang.set:vi');
      expect(vi[0]?.text).toBe(translator.t('common:languageSet', 'vi'));
      expect(vi[0]?.text).toMatch(VIETNAMESE);
      const menu = await person.say('menu');
      expect(texts(menu)).toContain(translator.t('menu:prompt', 'vi'));

      const en = await person.say('en');
      expect(en[0]?.text).toBe(english('common:languageSet'));
      expect(en.every((r) => !VIETNAMESE.test(r.text))).toBe(true);
    });

    it.each(['nonsense', 'x.y.z:..'])('answers a forged payload %p politely, not with an error', async (payload) => {
      await person.say('hi');
      if (options.numberedChoices) {
        // Typed, a payload is just text, which the first question (where are you?) would look up as a
        // country name; at the menu, text that is no choice is not understood, as a forged payload is.
        await person.say('menu');
      }

      const replies = await person.press(payload);
      expect(replies[0]?.text).toBe(english('common:notUnderstood'));
      expect(keys(replies)).not.toContain('common:error');
      // And the conversation goes on.
      expect(texts(await person.say('menu'))).toContain(english('menu:prompt'));
    });
  });
}
