import { MemoryHandoffStore } from '../../src/store/handoff-memory';
import { handoffStoreContract } from '../contracts/handoff-store.contract';

handoffStoreContract('MemoryHandoffStore', async (cipher) => {
  const store = new MemoryHandoffStore(cipher);
  return { store, rawBytes: async () => Buffer.from(store.dump(), 'utf8'), cleanup: async () => undefined };
});
