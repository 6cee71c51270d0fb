import { MemorySubscriptionStore } from '../../src/store/subscriptions-memory';
import { subscriptionStoreContract } from '../contracts/subscription-store.contract';

subscriptionStoreContract('MemorySubscriptionStore', async () => ({
  store: new MemorySubscriptionStore(),
  cleanup: async () => undefined,
}));
