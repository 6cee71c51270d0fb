import { channelContract } from '../../contracts/channel.contract';
import { numberedDriver } from './driver';
import { startWithFakeClient } from './harness';

/**
 * WhatsApp Web: messages come from the fake whatsapp-web.js client, as from
 * a person's phone, and the replies are what the adapter sent through it.
 * No buttons: choices are numbered lists, answered by typing (see driver.ts).
 */
channelContract('WhatsApp Web', async () => numberedDriver(await startWithFakeClient()), { numberedChoices: true });
