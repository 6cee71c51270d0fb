import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { errorFields, type Logger } from '../../conversation/logger';
import type { Store } from '../../store/store';
import { TeamsChannel } from './channel';

export interface TeamsSettings {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
}

export interface Teams {
  adapter: CloudAdapter;
  channel: TeamsChannel;
  /** False without an app id: activities are accepted without a token (Bot Framework Emulator). */
  authenticated: boolean;
}

/**
 * botbuilder's CloudAdapter, authenticated from the app registration, and the
 * channel that sends through it, keeping conversation references in `store`.
 */
export function createTeams(settings: TeamsSettings, store: Store, log: Logger): Teams {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: settings.appId,
    MicrosoftAppPassword: settings.appPassword,
    MicrosoftAppTenantId: settings.tenantId,
    MicrosoftAppType: settings.appType,
  });
  const adapter = new CloudAdapter(auth);
  // A turn that fails outside the engine (which answers its own failures politely) is logged;
  // the connector gets 200 all the same, as it would not retry.
  adapter.onTurnError = async (_context, err) => {
    log.error({ event: 'teams-turn-failed', ...errorFields(err) });
  };
  const channel = new TeamsChannel(adapter, settings.appId ?? '', store);
  return { adapter, channel, authenticated: settings.appId !== undefined };
}
