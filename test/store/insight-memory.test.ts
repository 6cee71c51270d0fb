import { MemoryInsightStore } from '../../src/store/insight-memory';
import { insightStoreContract } from '../contracts/insight-store.contract';

insightStoreContract('MemoryInsightStore', async () => {
  const store = new MemoryInsightStore();
  return { store, other: async () => store, cleanup: async () => undefined };
});
