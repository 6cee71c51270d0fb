import type { ChannelPort } from '../../conversation/channel';

/**
 * The web chat. Its replies travel back in the HTTP response to the message
 * that caused them, and stay readable from the outbox (GET
 * /api/webchat/messages), which the open page polls for the ones written
 * unprompted (a caseworker's). So there is nothing to push: they are saved
 * delivered, and `send` only lets a worker mark delivered what an older
 * version saved undelivered.
 */
export const webchatChannel: ChannelPort = {
  name: 'webchat',
  capabilities: {
    buttons: true,
    maxButtons: 12,
    maxButtonLabel: 80,
    linkButtons: true,
    maxTextLength: 4000,
  },
  // The page reads its replies back from the outbox: delivered ones must stay, and saved is delivered.
  keepsHistory: true,
  deliveredWhenSaved: true,
  async send() {},
};
