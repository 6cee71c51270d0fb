import './matchers';

export { createTestBot, type TestBot, type TestBotOptions } from './bot';
export { BUTTON_CHANNEL, RecordingChannel } from './channel';
export { english, keyOf, keysOf, rendersKey } from './english';
export { buttonsOf, numberOf } from './replies';
