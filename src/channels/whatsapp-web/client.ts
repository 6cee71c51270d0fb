import { Client, LocalAuth } from 'whatsapp-web.js';
import { chromiumArgs, type LaunchSettings } from './launch-options';
import type { ClientEvent, ClientListener, WhatsAppClientPort } from './port';

/**
 * The real client: whatsapp-web.js driving Chromium, with the session kept
 * by LocalAuth under the data folder, so that a restart needs no new scan.
 * The only file that imports whatsapp-web.js.
 *
 * WhatsApp Web is loaded as it is served (no cached copy of an older
 * version): WhatsApp makes browsers update anyway, and a cache would write
 * files beside the process.
 */
export function createWhatsAppWebClient(settings: LaunchSettings): WhatsAppClientPort {
  const client = new Client({
    authStrategy: new LocalAuth({ dataPath: settings.dataDir }),
    webVersionCache: { type: 'none' },
    puppeteer: {
      executablePath: settings.chromiumPath,
      headless: true,
      args: chromiumArgs(settings),
    },
  });
  return {
    on<E extends ClientEvent>(event: E, listener: ClientListener<E>): void {
      // An EventEmitter drops what a listener returns; listeners handle their own failures.
      client.on(event, (...args: unknown[]) => void listener(...(args as Parameters<ClientListener<E>>)));
    },
    initialize: () => client.initialize(),
    destroy: () => client.destroy(),
    async sendMessage(chatId, text) {
      await client.sendMessage(chatId, text);
    },
  };
}
