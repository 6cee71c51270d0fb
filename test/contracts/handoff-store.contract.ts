import { randomBytes } from 'node:crypto';
import { AesGcmCipher, CipherError, PlaintextCipher, type Cipher } from '../../src/handoff/cipher';
import type { CaseFilter, HandoffStore, StaffSession } from '../../src/handoff/store';
import type { AuditEntry, Case, CaseMessage, Organisation, StaffUser } from '../../src/handoff/types';

export interface HandoffStoreHarness {
  store: HandoffStore;
  /** Opens the same data again, reading with `cipher`, after the contract closed `store`. */
  reopen?: (cipher: Cipher) => Promise<HandoffStore>;
  /** Everything the store holds, as it is at rest (file bytes, or the in-memory form). */
  rawBytes: () => Promise<Buffer>;
  cleanup: () => Promise<void>;
}

export interface HandoffStoreTraits {
  /** The data outlives the process; the harness must then provide `reopen`. */
  durable?: boolean;
}

/**
 * Lets a test change the key a store reads with, without reopening it: the
 * store must call its cipher on every read rather than keep text in the clear.
 */
class SwitchableCipher implements Cipher {
  constructor(public current: Cipher) {}
  encrypt(plain: string): string {
    return this.current.encrypt(plain);
  }
  decrypt(stored: string): string {
    return this.current.decrypt(stored);
  }
}

const aesCipher = (): AesGcmCipher => new AesGcmCipher(randomBytes(32));

/**
 * What every HandoffStore must do, run once per implementation (memory,
 * SQLite), so the handoff service and the console rely on the port alone.
 */
export function handoffStoreContract(
  name: string,
  make: (cipher: Cipher) => Promise<HandoffStoreHarness>,
  traits: HandoffStoreTraits = {},
): void {
  describe(`${name}: handoff store contract`, () => {
    let harness: HandoffStoreHarness;
    let store: HandoffStore;
    let cipher: SwitchableCipher;

    beforeEach(async () => {
      cipher = new SwitchableCipher(aesCipher());
      harness = await make(cipher);
      store = harness.store;
    });

    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    describe('organisations', () => {
      it('are saved, read back whole, replaced by id, and listed by name', async () => {
        expect(await store.getOrganisation('sg')).toBeNull();
        const alertTarget = { kind: 'teams', conversationKey: 'teams:a:19' } as const;
        const teams = org({ id: 'kh', name: 'Cambodian Red Cross', alertTarget });
        await store.saveOrganisation(org());
        await store.saveOrganisation(teams);
        await store.saveOrganisation(org({ id: 'np', name: 'Nepal Red Cross Society', alertTarget: null }));

        expect(await store.getOrganisation('sg')).toEqual(org());
        expect(await store.getOrganisation('kh')).toEqual(teams);

        await store.saveOrganisation(org({ name: 'Singapore Red Cross (Migrant desk)', countries: ['SG'] }));
        expect(await store.getOrganisation('sg')).toEqual(org({ name: 'Singapore Red Cross (Migrant desk)', countries: ['SG'] }));
        expect((await store.listOrganisations()).map((o) => o.id)).toEqual(['kh', 'np', 'sg']);
      });
    });

    describe('staff users', () => {
      it('are saved and found by id, and by email whatever its case', async () => {
        expect(await store.getUser('u-ana')).toBeNull();
        await store.saveUser(user());
        await store.saveUser(user({ id: 'u-anne', email: 'Änne.Öz@Example.org' }));

        expect(await store.getUser('u-ana')).toEqual(user());
        expect(await store.findUserByEmail('ANA@example.ORG')).toEqual(user());
        // Beyond ASCII, where SQL's lower() would not help.
        expect((await store.findUserByEmail('änne.öz@example.org'))?.id).toBe('u-anne');
        expect(await store.findUserByEmail('nobody@example.org')).toBeNull();
      });

      it('refuse a second user with the same email in another case, and keep the first', async () => {
        await store.saveUser(user());

        await expect(store.saveUser(user({ id: 'u-other', email: 'ANA@EXAMPLE.ORG', name: 'Other' }))).rejects.toThrow(
          /email already used/,
        );
        expect(await store.getUser('u-other')).toBeNull();
        expect(await store.findUserByEmail('ana@example.org')).toEqual(user());
      });

      it('are replaced by id: a new name, role, disabled flag, or email, which frees the old one', async () => {
        await store.saveUser(user());
        const changed = user({ email: 'ana.new@example.org', role: 'admin', disabled: true, name: 'Ana N.' });
        await store.saveUser(changed);

        expect(await store.getUser('u-ana')).toEqual(changed);
        expect(await store.findUserByEmail('ana@example.org')).toBeNull();
        await store.saveUser(user({ id: 'u-second', email: 'ana@example.org' }));
        expect((await store.findUserByEmail('ana@example.org'))?.id).toBe('u-second');
        // The same user may save its own email in another case.
        await store.saveUser({ ...changed, email: 'ANA.NEW@example.org' });
        expect((await store.getUser('u-ana'))?.email).toBe('ANA.NEW@example.org');
      });

      it('are listed by email, all or one organisation’s', async () => {
        await store.saveUser(user({ id: 'u3', email: 'c@example.org', organisationId: 'kh' }));
        await store.saveUser(user({ id: 'u1', email: 'a@example.org' }));
        await store.saveUser(user({ id: 'u2', email: 'b@example.org', disabled: true }));

        expect((await store.listUsers()).map((u) => u.id)).toEqual(['u1', 'u2', 'u3']);
        expect((await store.listUsers('sg')).map((u) => u.id)).toEqual(['u1', 'u2']);
        expect(await store.listUsers('np')).toEqual([]);
        expect((await store.listUsers('sg'))[1]?.disabled).toBe(true);
      });
    });

    describe('sessions', () => {
      it('are created, read back, and deleted one by one', async () => {
        await store.createSession(session('s1'));

        expect(await store.getSession('s1')).toEqual(session('s1'));
        expect(await store.getSession('s2')).toBeNull();
        await store.deleteSession('s1');
        await store.deleteSession('never');
        expect(await store.getSession('s1')).toBeNull();
      });

      it('are removed when expired, or all of a user’s at once, and counted', async () => {
        await store.createSession(session('old', { expiresAt: T0 }));
        await store.createSession(session('older', { expiresAt: T0 - 1 }));
        await store.createSession(session('live', { expiresAt: T0 + 1 }));
        await store.createSession(session('bo-1', { userId: 'u-bo', expiresAt: T0 + 10 }));
        await store.createSession(session('bo-2', { userId: 'u-bo', expiresAt: T0 + 10 }));

        expect(await store.deleteSessions({})).toBe(0);
        expect(await store.deleteSessions({ expiredAt: T0 })).toBe(2);
        expect(await store.getSession('old')).toBeNull();
        expect(await store.getSession('live')).toEqual(session('live', { expiresAt: T0 + 1 }));

        expect(await store.deleteSessions({ userId: 'u-bo' })).toBe(2);
        expect(await store.getSession('bo-1')).toBeNull();
        expect(await store.getSession('live')).not.toBeNull();

        await store.createSession(session('bo-3', { userId: 'u-bo', expiresAt: T0 + 10 }));
        await store.createSession(session('late', { expiresAt: T0 + 2 }));
        expect(await store.deleteSessions({ expiredAt: T0 + 1, userId: 'u-bo' })).toBe(2);
        expect(await store.getSession('late')).not.toBeNull();
      });
    });

    describe('cases', () => {
      it('are opened and read back exactly: every script, tracing details, consent', async () => {
        const rich = aCase({ tracing: TRACING, country: { origin: 'NP' }, locale: 'ne' });

        expect(await store.openCase(rich, 'm1')).toEqual({ case: rich, created: true });

        expect(await store.getCase(rich.id)).toEqual(rich);
        expect(await store.getCase('nope')).toBeNull();
        const bare = aCase({ id: 'case-2', conversationKey: 'web:c2', country: {} });
        await store.openCase(bare, 'm1');
        expect((await store.getCase('case-2'))?.country).toEqual({});
      });

      it('are opened once per conversation and message: a retried turn gets the case it opened', async () => {
        await store.openCase(aCase(), 'm1');
        await store.updateCase('case-1', { status: 'assigned', assignedTo: 'u-ana' });

        const again = await store.openCase(aCase({ id: 'case-retry', category: 'danger' }), 'm1');

        expect(again.created).toBe(false);
        expect(again.case).toEqual(aCase({ status: 'assigned', assignedTo: 'u-ana' }));
        expect(await store.getCase('case-retry')).toBeNull();
        // The same message id in another conversation, or another message here, is another case.
        expect((await store.openCase(aCase({ id: 'case-3', conversationKey: 'telegram:9' }), 'm1')).created).toBe(true);
        expect((await store.openCase(aCase({ id: 'case-4' }), 'm2')).created).toBe(true);
      });

      it('refuse a case id already taken by another case', async () => {
        await store.openCase(aCase(), 'm1');

        await expect(store.openCase(aCase({ conversationKey: 'web:other', category: 'rfl' }), 'm9')).rejects.toThrow(
          /case id already used/,
        );
        expect(await store.getCase('case-1')).toEqual(aCase());
        expect(await store.openCaseOf('web:other')).toBeNull();
      });

      it('give the conversation’s case that is not closed, ignoring closed ones', async () => {
        expect(await store.openCaseOf(KEY)).toBeNull();
        await store.openCase(aCase(), 'm1');
        expect((await store.openCaseOf(KEY))?.id).toBe('case-1');

        await store.updateCase('case-1', { status: 'closed', closedAt: T0 + 5, closedBy: 'person' });
        expect(await store.openCaseOf(KEY)).toBeNull();

        await store.openCase(aCase({ id: 'case-2', createdAt: T0 + 6 }), 'm2');
        await store.updateCase('case-2', { status: 'assigned', assignedTo: 'u-ana' });
        expect((await store.openCaseOf(KEY))?.id).toBe('case-2');
        expect(await store.openCaseOf('web:other')).toBeNull();
      });

      it('are updated by a patch, and a patch with an unmet expectation changes nothing', async () => {
        await store.openCase(aCase(), 'm1');
        const patch = { status: 'assigned', assignedTo: 'u-ana', updatedAt: T0 + 1 } as const;

        expect(await store.updateCase('nope', patch)).toBeNull();
        expect(await store.updateCase('case-1', patch, { status: 'assigned' })).toBeNull();
        expect(await store.updateCase('case-1', patch, { organisationId: 'kh' })).toBeNull();
        expect(await store.getCase('case-1')).toEqual(aCase());

        // assignedTo null: "claimed by nobody yet".
        const claimed = await store.updateCase('case-1', patch, { status: 'waiting', assignedTo: null, organisationId: 'sg' });
        expect(claimed).toEqual(aCase(patch));
        expect(await store.getCase('case-1')).toEqual(aCase(patch));

        const all = {
          organisationId: 'kh',
          priority: 'urgent',
          status: 'closed',
          assignedTo: null,
          updatedAt: T0 + 9,
          lastPersonMessageAt: T0 + 8,
          closedAt: T0 + 9,
          closedBy: 'caseworker',
          alertedAt: T0 + 7,
        } as const;
        expect(await store.updateCase('case-1', all, { assignedTo: 'u-ana' })).toEqual(aCase(all));
        expect(await store.getCase('case-1')).toEqual(aCase(all));
      });

      it('raise an alert once: only the update that expects no alert yet wins', async () => {
        await store.openCase(aCase(), 'm1');

        const first = await store.updateCase('case-1', { alertedAt: T0 + 5 }, { status: 'waiting', alertedAt: null });
        const second = await store.updateCase('case-1', { alertedAt: T0 + 6 }, { status: 'waiting', alertedAt: null });

        expect(first).toEqual(aCase({ alertedAt: T0 + 5 }));
        expect(second).toBeNull();
        expect(await store.updateCase('case-1', { priority: 'urgent', alertedAt: null }, { alertedAt: T0 + 5 })).toEqual(
          aCase({ priority: 'urgent' }),
        );
      });

      it('leave a field given as undefined alone, in a patch or an expectation', async () => {
        await store.openCase(aCase(), 'm1');

        const updated = await store.updateCase('case-1', { status: undefined, alertedAt: T0 + 1 }, { assignedTo: undefined });

        expect(updated).toEqual(aCase({ alertedAt: T0 + 1 }));
        expect(await store.updateCase('case-1', {}, { status: 'waiting' })).toEqual(aCase({ alertedAt: T0 + 1 }));
        expect(await store.updateCase('case-1', {}, { status: 'closed' })).toBeNull();
      });

      it('let exactly one of many racing claims win', async () => {
        await store.openCase(aCase(), 'm1');

        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.updateCase('case-1', { status: 'assigned', assignedTo: `u-${i}` }, { status: 'waiting', assignedTo: null }),
          ),
        );

        const winners = results.filter((r): r is Case => r !== null);
        expect(winners).toHaveLength(1);
        expect((await store.getCase('case-1'))?.assignedTo).toBe(winners[0]!.assignedTo);
      });

      it('are listed per organisation, urgent first then oldest, filtered by status, category and language', async () => {
        const open = (id: string, over: Partial<Case>) => openAs(store, id, over);
        await open('normal-late', { createdAt: T0 + 30 });
        await open('urgent-late', { createdAt: T0 + 20, priority: 'urgent', category: 'danger' });
        await open('normal-early', { createdAt: T0 + 10, status: 'assigned', assignedTo: 'u-ana' });
        await open('urgent-early', { createdAt: T0 + 15, priority: 'urgent', category: 'danger', locale: 'ne' });
        await open('closed', { createdAt: T0, status: 'closed', closedAt: T0 + 1, closedBy: 'caseworker' });
        await open('same-time', { createdAt: T0 + 30, category: 'rfl', locale: 'ne' });
        await open('elsewhere', { createdAt: T0, organisationId: 'kh', priority: 'urgent' });

        const ids = async (filter: Omit<CaseFilter, 'organisationId'>, limit = 20, organisationId = 'sg') =>
          (await store.listCases({ organisationId, ...filter }, limit)).map((c) => c.id);

        expect(await ids({})).toEqual(['urgent-early', 'urgent-late', 'closed', 'normal-early', 'normal-late', 'same-time']);
        expect(await ids({ status: 'open' })).toEqual([
          'urgent-early',
          'urgent-late',
          'normal-early',
          'normal-late',
          'same-time',
        ]);
        expect(await ids({ status: 'waiting' })).toEqual(['urgent-early', 'urgent-late', 'normal-late', 'same-time']);
        expect(await ids({ status: 'assigned' })).toEqual(['normal-early']);
        expect(await ids({ status: 'closed' })).toEqual(['closed']);
        expect(await ids({ category: 'danger' })).toEqual(['urgent-early', 'urgent-late']);
        expect(await ids({ locale: 'ne' })).toEqual(['urgent-early', 'same-time']);
        expect(await ids({ status: 'waiting', category: 'rfl', locale: 'ne' })).toEqual(['same-time']);
        expect(await ids({ locale: 'bn' })).toEqual([]);
        expect(await ids({ status: 'open' }, 2)).toEqual(['urgent-early', 'urgent-late']);
        expect(await ids({}, 0)).toEqual([]);
        expect(await ids({}, 20, 'kh')).toEqual(['elsewhere']);
        expect(await ids({}, 20, 'np')).toEqual([]);

        // A transferred case leaves one queue for the other.
        await store.updateCase('urgent-late', { organisationId: 'kh' });
        expect(await ids({}, 20, 'kh')).toEqual(['elsewhere', 'urgent-late']);
        expect(await ids({ category: 'danger' })).toEqual(['urgent-early']);
      });

      it('list the waiting cases with no alert yet, of every organisation, oldest first', async () => {
        const open = (id: string, over: Partial<Case>) => openAs(store, id, over);
        await open('late', { createdAt: T0 + 3 });
        await open('early-kh', { createdAt: T0 + 1, organisationId: 'kh', priority: 'urgent' });
        await open('alerted', { createdAt: T0, alertedAt: T0 + 5 });
        await open('claimed', { createdAt: T0, status: 'assigned', assignedTo: 'u-ana' });
        await open('middle', { createdAt: T0 + 2 });

        expect((await store.unalertedWaiting(10)).map((c) => c.id)).toEqual(['early-kh', 'middle', 'late']);
        expect((await store.unalertedWaiting(1)).map((c) => c.id)).toEqual(['early-kh']);

        await store.updateCase('middle', { alertedAt: T0 + 9 });
        expect((await store.unalertedWaiting(10)).map((c) => c.id)).toEqual(['early-kh', 'late']);
      });

      it('refuse a page size that is not a count', async () => {
        await expect(store.listCases({ organisationId: 'sg' }, -1)).rejects.toThrow(RangeError);
        await expect(store.unalertedWaiting(1.5)).rejects.toThrow(RangeError);
        await expect(store.undelivered(-2)).rejects.toThrow(RangeError);
        await expect(store.listAudit(Number.NaN)).rejects.toThrow(RangeError);
      });
    });

    describe('transcripts', () => {
      beforeEach(async () => {
        await store.openCase(aCase(), 'm1');
        await store.openCase(aCase({ id: 'case-2', conversationKey: 'web:c2' }), 'm1');
      });

      it('are appended in order, per case, and read back in every script', async () => {
        const first = await store.addMessage(line({ sourceId: 'm2', text: TEXT.km, locale: 'km' }));
        const reply = { sourceId: 'out-1', author: 'caseworker', userId: 'u-ana', text: TEXT.ur, delivery: 'pending' } as const;
        const second = await store.addMessage(line(reply));
        await store.addMessage(line({ caseId: 'case-2', sourceId: 'm2', text: 'other case' }));

        expect(first).toEqual({ ...line({ sourceId: 'm2', text: TEXT.km, locale: 'km' }), id: expect.any(Number) });
        expect(second.id).toBeGreaterThan(first.id);
        expect(await store.listMessages('case-1')).toEqual([first, second]);
        expect((await store.listMessages('case-2')).map((m) => m.text)).toEqual(['other case']);
        expect(await store.listMessages('nope')).toEqual([]);
      });

      it('are idempotent by case and source: a retried write gives back the line already written', async () => {
        const first = await store.addMessage(line({ sourceId: 'm2', text: 'first' }));

        expect(await store.addMessage(line({ sourceId: 'm2', text: 'retried' }))).toEqual(first);
        expect((await store.listMessages('case-1')).map((m) => m.text)).toEqual(['first']);
      });

      it('refuse a line for a case that does not exist (an erased one), and keep nothing of it', async () => {
        await expect(store.addMessage(line({ caseId: 'gone', text: 'late line' }))).rejects.toThrow(/no such case/);
        await expect(store.addNote({ caseId: 'gone', userId: 'u-ana', text: 'late note', createdAt: T0 })).rejects.toThrow(
          /no such case/,
        );
        await expect(
          store.addTransfer({ caseId: 'gone', from: 'sg', to: 'kh', userId: 'u-ana', note: 'late', at: T0 }),
        ).rejects.toThrow(/no such case/);

        expect(await store.listMessages('gone')).toEqual([]);
        expect(await store.listNotes('gone')).toEqual([]);
        expect(await store.listTransfers('gone')).toEqual([]);
      });

      it('track the delivery of caseworker replies: pending and failed ones are listed, oldest first', async () => {
        const reply = (sourceId: string, caseId = 'case-1') =>
          store.addMessage(line({ caseId, sourceId, author: 'caseworker', userId: 'u-ana', delivery: 'pending' }));
        await store.addMessage(line({ sourceId: 'm2' }));
        const a = await reply('out-1');
        const b = await reply('out-2', 'case-2');
        const c = await reply('out-3');

        expect((await store.undelivered(10)).map((m) => m.id)).toEqual([a.id, b.id, c.id]);
        expect((await store.undelivered(2)).map((m) => m.id)).toEqual([a.id, b.id]);

        await store.setDelivery(a.id, 'delivered', null);
        await store.setDelivery(b.id, 'failed', 'telegram 403');
        await store.setDelivery(987654, 'delivered', null);

        const left = await store.undelivered(10);
        expect(left.map((m) => m.id)).toEqual([b.id, c.id]);
        expect(left[0]).toMatchObject({ delivery: 'failed', deliveryError: 'telegram 403' });
        expect((await store.listMessages('case-1')).map((m) => m.delivery)).toEqual([null, 'delivered', 'pending']);

        await store.setDelivery(b.id, 'delivered', null);
        expect((await store.listMessages('case-2'))[0]).toMatchObject({ delivery: 'delivered', deliveryError: null });
      });

      it('keep notes and transfers per case, in order', async () => {
        const n1 = await store.addNote({ caseId: 'case-1', userId: 'u-ana', text: TEXT.my, createdAt: T0 + 1 });
        const n2 = await store.addNote({ caseId: 'case-1', userId: 'u-bo', text: 'second', createdAt: T0 + 2 });
        await store.addNote({ caseId: 'case-2', userId: 'u-ana', text: 'other', createdAt: T0 });
        const transfer = { caseId: 'case-1', from: 'sg', to: 'kh', userId: 'u-ana', note: TEXT.emoji, at: T0 + 3 };
        const t1 = await store.addTransfer(transfer);
        const t2 = await store.addTransfer({ caseId: 'case-1', from: 'kh', to: 'sg', userId: 'u-kh', note: '', at: T0 + 4 });

        expect(n1).toEqual({ id: expect.any(Number), caseId: 'case-1', userId: 'u-ana', text: TEXT.my, createdAt: T0 + 1 });
        expect(t1).toEqual({ id: expect.any(Number), ...transfer });
        expect(await store.listNotes('case-1')).toEqual([n1, n2]);
        expect(await store.listTransfers('case-1')).toEqual([t1, t2]);
        expect(await store.listTransfers('case-2')).toEqual([]);
      });
    });

    describe('audit log', () => {
      it('is listed newest first and paged back with `before`', async () => {
        const written: AuditEntry[] = [];
        for (let i = 0; i < 5; i++) {
          const detail = { n: i, ok: true, none: null, org: 'sg' };
          const userId = i === 0 ? null : 'u-ana';
          written.push(await store.audit({ at: T0 + i, userId, action: `a${i}`, caseId: i % 2 ? 'case-1' : null, detail }));
        }

        expect(written[0]).toEqual({
          id: expect.any(Number),
          at: T0,
          userId: null,
          action: 'a0',
          caseId: null,
          detail: { n: 0, ok: true, none: null, org: 'sg' },
        });
        const newest = await store.listAudit(2);
        expect(newest.map((a) => a.action)).toEqual(['a4', 'a3']);
        const next = await store.listAudit(2, newest[1]!.id);
        expect(next.map((a) => a.action)).toEqual(['a2', 'a1']);
        expect((await store.listAudit(10, next[1]!.id)).map((a) => a.action)).toEqual(['a0']);
        expect(await store.listAudit(10, written[0]!.id)).toEqual([]);
        expect(await store.listAudit(10)).toEqual([...written].reverse());
      });
    });

    describe('erasure', () => {
      it('removes every case of the user on that channel with its transcript, notes and transfers, and only those', async () => {
        const seed = async (id: string, ref: Partial<Case['ref']>) => {
          const conversationKey = `${ref.channel ?? 'web'}:${id}`;
          const c = aCase({ id, conversationKey, ref: { ...aCase().ref, ...ref }, tracing: TRACING });
          await store.openCase(c, 'm1');
          await store.addMessage(line({ caseId: id, sourceId: 'm2' }));
          await store.addNote({ caseId: id, userId: 'u-ana', text: 'note', createdAt: T0 });
          await store.addTransfer({ caseId: id, from: 'sg', to: 'kh', userId: 'u-ana', note: 'moved', at: T0 });
        };
        await seed('mine-1', {});
        await seed('mine-2', { conversationId: 'c-second' });
        await seed('same-id-on-telegram', { channel: 'telegram' });
        await seed('someone-else', { userId: 'u2' });
        await store.audit({ at: T0, userId: 'u-ana', action: 'case.claimed', caseId: 'mine-1', detail: {} });

        expect((await store.deleteUserCases('web', 'u1')).sort()).toEqual(['mine-1', 'mine-2']);

        for (const id of ['mine-1', 'mine-2']) {
          expect(await store.getCase(id)).toBeNull();
          expect(await store.listMessages(id)).toEqual([]);
          expect(await store.listNotes(id)).toEqual([]);
          expect(await store.listTransfers(id)).toEqual([]);
        }
        for (const id of ['same-id-on-telegram', 'someone-else']) {
          expect((await store.getCase(id))?.tracing).toEqual(TRACING);
          expect(await store.listMessages(id)).toHaveLength(1);
          expect(await store.listNotes(id)).toHaveLength(1);
          expect(await store.listTransfers(id)).toHaveLength(1);
        }
        expect(await store.openCaseOf('web:mine-1')).toBeNull();
        expect(await store.listCases({ organisationId: 'sg' }, 10)).toHaveLength(2);
        // The log keeps that something happened to the case, which the caller adds to.
        expect((await store.listAudit(10)).map((a) => a.caseId)).toEqual(['mine-1']);
        expect(await store.deleteUserCases('web', 'u1')).toEqual([]);
      });

      it('never hands out an erased line’s id again', async () => {
        await store.openCase(aCase({ id: 'keep', conversationKey: 'web:keep', ref: { ...aCase().ref, userId: 'keeper' } }), 'm1');
        await store.addMessage(line({ caseId: 'keep', sourceId: 'k1' }));
        await store.openCase(aCase(), 'm1');
        const erased = await store.addMessage(line({ sourceId: 'm2', author: 'caseworker', delivery: 'pending' }));
        await store.deleteUserCases('web', 'u1');

        await store.openCase(aCase({ id: 'case-new' }), 'm3');
        const next = await store.addMessage(line({ caseId: 'case-new', sourceId: 'm4' }));
        expect(next.id).toBeGreaterThan(erased.id);
        // A late delivery report for the erased reply touches nothing.
        await store.setDelivery(erased.id, 'failed', 'late');
        expect((await store.listMessages('case-new'))[0]?.delivery).toBeNull();
      });
    });

    describe('retention', () => {
      const DAY = 86_400_000;
      const seed = async (id: string, over: Partial<Case>) => {
        await openAs(store, id, { tracing: TRACING, ...over });
        await store.addMessage(line({ caseId: id, sourceId: `${id}-m` }));
        await store.addNote({ caseId: id, userId: 'u-ana', text: 'note', createdAt: T0 });
        await store.addTransfer({ caseId: id, from: 'sg', to: 'kh', userId: 'u-ana', note: 'moved', at: T0 });
      };
      const closed = (at: number): Partial<Case> => ({ status: 'closed', closedAt: at, closedBy: 'caseworker' });

      it('removes the cases closed before the cut-off with their transcripts, notes and transfers, and only those', async () => {
        const cutoff = T0 + 90 * DAY;
        await seed('closed-long-ago', closed(T0));
        await seed('closed-just-before', closed(cutoff - 1));
        await seed('closed-at-cutoff', closed(cutoff));
        await seed('closed-recently', closed(cutoff + DAY));
        await seed('open-and-old', { status: 'assigned', assignedTo: 'u-ana' });
        await seed('waiting-and-old', {});

        expect(await store.deleteClosedCases(cutoff)).toBe(2);

        for (const id of ['closed-long-ago', 'closed-just-before']) {
          expect(await store.getCase(id)).toBeNull();
          expect(await store.listMessages(id)).toEqual([]);
          expect(await store.listNotes(id)).toEqual([]);
          expect(await store.listTransfers(id)).toEqual([]);
        }
        for (const id of ['closed-at-cutoff', 'closed-recently', 'open-and-old', 'waiting-and-old']) {
          expect((await store.getCase(id))?.tracing).toEqual(TRACING);
          expect(await store.listMessages(id)).toHaveLength(1);
          expect(await store.listNotes(id)).toHaveLength(1);
          expect(await store.listTransfers(id)).toHaveLength(1);
        }
        expect(await store.deleteClosedCases(cutoff)).toBe(0);
      });

      it('names the conversations of the cases still open, once each', async () => {
        expect(await store.openCaseConversations()).toEqual([]);
        await openAs(store, 'waiting', {});
        await openAs(store, 'assigned', { status: 'assigned', assignedTo: 'u-ana' });
        await openAs(store, 'closed', closed(T0));
        await store.openCase(aCase({ id: 'second-of-waiting', conversationKey: 'web:waiting' }), 'm2');

        expect((await store.openCaseConversations()).sort()).toEqual(['web:assigned', 'web:waiting']);
      });

      it('counts the cases not closed by priority', async () => {
        expect(await store.countOpenCases()).toEqual({ urgent: 0, normal: 0 });
        await openAs(store, 'waiting', {});
        await openAs(store, 'urgent', { priority: 'urgent' });
        await openAs(store, 'assigned-urgent', { priority: 'urgent', status: 'assigned', assignedTo: 'u-ana' });
        await openAs(store, 'closed-urgent', { priority: 'urgent', ...closed(T0) });

        expect(await store.countOpenCases()).toEqual({ urgent: 2, normal: 1 });
      });
    });

    describe('copies', () => {
      it('hands out copies: changing what went in or came back changes nothing stored', async () => {
        const o = org();
        await store.saveOrganisation(o);
        o.languages.push('changed-input');
        (await store.getOrganisation('sg'))!.countries.push('changed-read');
        (await store.listOrganisations())[0]!.languages.push('changed-read');
        expect(await store.getOrganisation('sg')).toEqual(org());

        const u = user();
        await store.saveUser(u);
        u.name = 'changed-input';
        (await store.getUser('u-ana'))!.name = 'changed-read';
        expect(await store.getUser('u-ana')).toEqual(user());

        const s = session('s1');
        await store.createSession(s);
        s.userId = 'changed-input';
        (await store.getSession('s1'))!.csrfToken = 'changed-read';
        expect(await store.getSession('s1')).toEqual(session('s1'));

        const c = aCase({ tracing: structuredClone(TRACING) });
        const opened = await store.openCase(c, 'm1');
        c.ref.userId = 'changed-input';
        c.consent.text = 'changed-input';
        (c.tracing as typeof TRACING).seeking.push('changed-input');
        opened.case.country.current = 'changed-result';
        const read = (await store.getCase('case-1'))!;
        (read.tracing as typeof TRACING).seeking.push('changed-read');
        read.ref.channel = 'changed-read';
        const listed = (await store.listCases({ organisationId: 'sg' }, 1))[0]!;
        listed.consent.text = 'changed-read';
        (await store.openCaseOf(KEY))!.country.origin = 'changed-read';
        const updated = (await store.updateCase('case-1', { alertedAt: T0 + 1 }))!;
        updated.ref.conversationId = 'changed-result';
        expect(await store.getCase('case-1')).toEqual(aCase({ tracing: TRACING, alertedAt: T0 + 1 }));

        const m = line({ sourceId: 'm2', text: 'as written' });
        const added = await store.addMessage(m);
        m.text = 'changed-input';
        added.text = 'changed-result';
        (await store.listMessages('case-1'))[0]!.text = 'changed-read';
        expect((await store.listMessages('case-1'))[0]?.text).toBe('as written');

        const detail = { count: 1 };
        const entry = await store.audit({ at: T0, userId: null, action: 'x', caseId: null, detail });
        detail.count = 2;
        entry.detail.count = 3;
        (await store.listAudit(1))[0]!.detail.count = 4;
        expect((await store.listAudit(1))[0]?.detail).toEqual({ count: 1 });
      });
    });

    describe('personal text at rest', () => {
      const MARK = `Zq${randomBytes(4).toString('hex')}`;
      const secret = {
        consent: `consent ${MARK} ខ្ញុំយល់ព្រម`,
        tracing: `tracing ${MARK} दिदी`,
        line: `line ${MARK} মা অসুস্থ`,
        note: `note ${MARK} called back`,
        transfer: `transfer ${MARK} over to origin`,
      };

      const writeAll = async (s: HandoffStore): Promise<void> => {
        const c = aCase({
          conversationKey: `web:${MARK}-key`,
          consent: { ...aCase().consent, text: secret.consent },
          tracing: { seeking: [secret.tracing] },
        });
        await s.openCase(c, 'm1');
        await s.addMessage(line({ sourceId: 'm2', text: secret.line }));
        await s.addNote({ caseId: 'case-1', userId: 'u-ana', text: secret.note, createdAt: T0 });
        await s.addTransfer({ caseId: 'case-1', from: 'sg', to: 'kh', userId: 'u-ana', note: secret.transfer, at: T0 });
      };

      const readAll = async (s: HandoffStore) => {
        const c = await s.getCase('case-1');
        return {
          consent: c?.consent.text,
          tracing: (c?.tracing as { seeking: string[] } | undefined)?.seeking[0],
          line: (await s.listMessages('case-1'))[0]?.text,
          note: (await s.listNotes('case-1'))[0]?.text,
          transfer: (await s.listTransfers('case-1'))[0]?.note,
        };
      };

      const contains = (bytes: Buffer, text: string): boolean => bytes.includes(Buffer.from(text, 'utf8'));

      it('keeps consent, tracing details, transcript lines, notes and transfer notes only encrypted', async () => {
        await writeAll(store);

        expect(await readAll(store)).toEqual(secret);
        const bytes = await harness.rawBytes();
        // The same bytes do hold the plain columns: the check looks where the data is.
        expect(contains(bytes, `web:${MARK}-key`)).toBe(true);
        for (const text of Object.values(secret)) expect(contains(bytes, text)).toBe(false);
      });

      it('fails loudly, rather than return garbage, when read with another key', async () => {
        await writeAll(store);

        cipher.current = aesCipher();

        await expect(store.getCase('case-1')).rejects.toThrow(CipherError);
        await expect(store.openCaseOf(`web:${MARK}-key`)).rejects.toThrow(CipherError);
        await expect(store.listCases({ organisationId: 'sg' }, 10)).rejects.toThrow(CipherError);
        await expect(store.listMessages('case-1')).rejects.toThrow(CipherError);
        await expect(store.listNotes('case-1')).rejects.toThrow(CipherError);
        await expect(store.listTransfers('case-1')).rejects.toThrow(CipherError);
      });

      it('without a key (local development) stores values marked plain: and reads them back', async () => {
        const plain = await make(new PlaintextCipher());
        try {
          await writeAll(plain.store);

          expect(await readAll(plain.store)).toEqual(secret);
          const bytes = await plain.rawBytes();
          for (const text of [secret.consent, secret.line, secret.note, secret.transfer]) {
            expect(contains(bytes, `plain:${text}`)).toBe(true);
          }
          expect(contains(bytes, secret.tracing)).toBe(true);

          // Values written with a key cannot be read without it.
          await store.openCase(aCase(), 'm1');
          cipher.current = new PlaintextCipher();
          await expect(store.getCase('case-1')).rejects.toThrow(CipherError);
        } finally {
          await plain.store.close();
          await plain.cleanup();
        }
      });

      if (traits.durable) {
        it('refuses to read with another key after reopening, and reads with the right one', async () => {
          await writeAll(store);
          const key = cipher.current;

          await store.close();
          store = await harness.reopen!(aesCipher());
          await expect(store.getCase('case-1')).rejects.toThrow(CipherError);
          await expect(store.listMessages('case-1')).rejects.toThrow(CipherError);

          await store.close();
          store = await harness.reopen!(key);
          expect(await readAll(store)).toEqual(secret);
        });
      }
    });

    it('can be closed twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });

    if (traits.durable) {
      describe('durability', () => {
        it('keeps organisations, staff, sessions, cases, transcripts, notes, transfers and the audit log', async () => {
          await store.saveOrganisation(org());
          await store.saveUser(user());
          await store.createSession(session('s1'));
          await store.openCase(aCase({ tracing: TRACING }), 'm1');
          await store.updateCase('case-1', { status: 'assigned', assignedTo: 'u-ana' });
          const m = await store.addMessage(line({ sourceId: 'm2', text: TEXT.km }));
          const n = await store.addNote({ caseId: 'case-1', userId: 'u-ana', text: TEXT.ur, createdAt: T0 });
          const t = await store.addTransfer({ caseId: 'case-1', from: 'sg', to: 'kh', userId: 'u-ana', note: TEXT.my, at: T0 });
          const a = await store.audit({ at: T0, userId: 'u-ana', action: 'case.claimed', caseId: 'case-1', detail: { n: 1 } });

          await store.close();
          store = await harness.reopen!(cipher);

          expect(await store.getOrganisation('sg')).toEqual(org());
          expect(await store.findUserByEmail('ANA@example.org')).toEqual(user());
          expect(await store.getSession('s1')).toEqual(session('s1'));
          expect(await store.openCaseOf(KEY)).toEqual(aCase({ tracing: TRACING, status: 'assigned', assignedTo: 'u-ana' }));
          expect((await store.openCase(aCase({ id: 'retry' }), 'm1')).created).toBe(false);
          expect(await store.listMessages('case-1')).toEqual([m]);
          expect(await store.addMessage(line({ sourceId: 'm2', text: 'retried' }))).toEqual(m);
          expect(await store.listNotes('case-1')).toEqual([n]);
          expect(await store.listTransfers('case-1')).toEqual([t]);
          expect(await store.listAudit(10)).toEqual([a]);
          await expect(store.saveUser(user({ id: 'u-2' }))).rejects.toThrow(/email already used/);
        });

        it('keeps counting line and audit ids upward after reopening, even past erased rows', async () => {
          await store.openCase(aCase(), 'm1');
          const erased = await store.addMessage(line({ sourceId: 'm2' }));
          const first = await store.audit({ at: T0, userId: null, action: 'a', caseId: null, detail: {} });
          await store.deleteUserCases('web', 'u1');

          await store.close();
          store = await harness.reopen!(cipher);

          await store.openCase(aCase({ id: 'case-2' }), 'm3');
          expect((await store.addMessage(line({ caseId: 'case-2', sourceId: 'm4' }))).id).toBeGreaterThan(erased.id);
          const next = await store.audit({ at: T0, userId: null, action: 'b', caseId: null, detail: {} });
          expect(next.id).toBeGreaterThan(first.id);
        });
      });
    } else {
      notRun(`${name}: durability and reopening with another key`, 'the store is not durable, so there is nothing to reopen');
    }
  });
}

const T0 = 1_700_000_000_000;
const KEY = 'web:c1';

/** Text as people write it: several scripts, and emoji sequences. */
const TEXT = {
  km: 'ខ្ញុំត្រូវការជំនួយ លិខិតឆ្លងដែនរបស់ខ្ញុំត្រូវបានយក',
  ur: 'میرا پاسپورٹ رکھ لیا گیا ہے',
  my: 'ကျွန်မ အကူအညီ လိုပါတယ်',
  emoji: '👩‍👩‍👧 🇰🇭 🆘',
};

const TRACING = {
  seeking: ['Sita Tamang', 'सीता तामाङ'],
  lastSeen: { place: 'Kuala Lumpur', year: 2019 },
  phone: '+977 98 0000 0000',
  note: TEXT.emoji,
};

function org(over: Partial<Organisation> = {}): Organisation {
  return {
    id: 'sg',
    name: 'Singapore Red Cross',
    languages: ['en', 'km', 'ne'],
    countries: ['SG', 'MY'],
    expectedResponseMinutes: 120,
    alertTarget: { kind: 'webhook', url: 'https://alerts.example.org/hook' },
    createdAt: T0,
    ...over,
  };
}

function user(over: Partial<StaffUser> = {}): StaffUser {
  return {
    id: 'u-ana',
    email: 'ana@example.org',
    name: 'Ana',
    role: 'caseworker',
    organisationId: 'sg',
    passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
    disabled: false,
    createdAt: T0,
    ...over,
  };
}

function session(idHash: string, over: Partial<StaffSession> = {}): StaffSession {
  return { idHash, userId: 'u-ana', csrfToken: `csrf-${idHash}`, createdAt: T0, expiresAt: T0 + 3_600_000, ...over };
}

function aCase(over: Partial<Case> = {}): Case {
  return {
    id: 'case-1',
    organisationId: 'sg',
    category: 'passport',
    priority: 'normal',
    status: 'waiting',
    ref: { channel: 'web', conversationId: 'c1', userId: 'u1' },
    conversationKey: KEY,
    locale: 'km',
    country: { current: 'SG', origin: 'KH' },
    consent: { version: 'handoff:consent.explain', locale: 'km', text: TEXT.km, at: T0 },
    tracing: null,
    assignedTo: null,
    createdAt: T0,
    updatedAt: T0,
    lastPersonMessageAt: null,
    closedAt: null,
    closedBy: null,
    alertedAt: null,
    ...over,
  };
}

/** Opens a case of its own conversation, named by its id. */
function openAs(store: HandoffStore, id: string, over: Partial<Case>): Promise<{ case: Case; created: boolean }> {
  return store.openCase(aCase({ id, conversationKey: `web:${id}`, ...over }), 'm1');
}

function line(over: Partial<Omit<CaseMessage, 'id'>> = {}): Omit<CaseMessage, 'id'> {
  return {
    caseId: 'case-1',
    author: 'person',
    userId: null,
    text: 'help please',
    locale: 'km',
    sourceId: 'm1',
    delivery: null,
    deliveryError: null,
    createdAt: T0,
    ...over,
  };
}

/** Says, in the test output, which part of the contract an implementation does not run and why. */
function notRun(what: string, reason: string): void {
  beforeAll(() => {
    console.info(`${what} not run: ${reason}`);
  });
}
