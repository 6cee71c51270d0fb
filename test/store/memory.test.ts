import { MemoryStore } from '../../src/store/memory';
import { storeContract } from '../contracts/store.contract';

storeContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => undefined }));
