import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { MemoryLock, type KeyedLock } from '../../src/conversation/lock';
import { RedisKeys } from '../../src/store/redis/keys';
import { LockTimeoutError, RedisLock } from '../../src/store/redis/lock';
import { connectTestRedis, deleteUnder, describeWithRedis, keysUnder, uniquePrefix } from '../support/redis';

/** A promise the test resolves when it chooses: a turn that runs until told to stop. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

describeWithRedis('RedisLock', () => {
  let admin: Redis;
  let keys: RedisKeys;
  const connections: Redis[] = [];
  const events: { event: string }[] = [];
  const log = { info: (o: object) => events.push(o as { event: string }), warn: (o: object) => events.push(o as { event: string }) };

  /** One app instance's lock: its own connection and its own in-process queue. */
  function instance(options: { leaseMs?: number; waitMs?: number } = {}): { lock: KeyedLock; redis: Redis } {
    const redis = connectTestRedis();
    connections.push(redis);
    const lock = new RedisLock(redis, { keys, leaseMs: options.leaseMs ?? 2_000, waitMs: options.waitMs, local: new MemoryLock(), log });
    return { lock, redis };
  }

  beforeEach(() => {
    admin = connectTestRedis();
    keys = new RedisKeys(uniquePrefix('lock'));
    events.length = 0;
  });

  afterEach(async () => {
    await deleteUnder(admin, keys.prefix);
    // A connection a test closed (a dead instance) is left as it is.
    await Promise.all(connections.splice(0).filter((c) => c.status !== 'end').map((c) => c.quit()));
    await admin.quit();
  });

  /**
   * Runs `perKey` read-modify-write turns on each key through each lock at
   * once; each turn reads a counter in Redis, waits, and writes it plus one.
   * Returns the counters and the most turns ever inside one key at once.
   */
  async function contend(locks: KeyedLock[], conversations: string[], perKey: number) {
    const inside = new Map<string, number>();
    let most = 0;
    const runs = locks.flatMap((lock, l) =>
      conversations.flatMap((conversation) =>
        Array.from({ length: perKey }, (_, i) =>
          lock.run(conversation, async () => {
            const now = (inside.get(conversation) ?? 0) + 1;
            inside.set(conversation, now);
            most = Math.max(most, now);
            const counter = `${keys.prefix}test-counter:${conversation}`;
            const seen = Number((await admin.get(counter)) ?? 0);
            await sleep((i + l) % 3);
            await admin.set(counter, seen + 1);
            inside.set(conversation, (inside.get(conversation) ?? 1) - 1);
          }),
        ),
      ),
    );
    await Promise.all(runs);
    const counts = await Promise.all(conversations.map(async (c) => Number(await admin.get(`${keys.prefix}test-counter:${c}`))));
    return { counts, most };
  }

  test('two instances never run one conversation at once: no update is lost under concurrency', async () => {
    const conversations = ['telegram:1001', 'webchat:abc', 'whatsapp-cloud:+15550001111'];
    const { counts, most } = await contend([instance().lock, instance().lock], conversations, 20);

    expect(most).toBe(1);
    expect(counts).toEqual([40, 40, 40]);
    expect(await keysUnder(admin, `${keys.prefix}lock:`)).toEqual([]);
  });

  test('the same workload with only in-process locks loses updates, so the test above can tell', async () => {
    const { counts, most } = await contend([new MemoryLock(), new MemoryLock()], ['telegram:1001'], 20);

    expect(most).toBe(2);
    expect(counts[0]).toBeLessThan(40);
  });

  test('waiters of one instance go in the order they came', async () => {
    const { lock } = instance();
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        lock.run('teams:conversation-1', async () => {
          await sleep(i % 2);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  test('the lease is renewed while a turn runs, however long it takes', async () => {
    const a = instance({ leaseMs: 300 });
    const b = instance({ leaseMs: 300, waitMs: 10_000 });
    const turn = gate();
    const order: string[] = [];
    const first = a.lock.run('telegram:42', async () => {
      order.push('a starts');
      await turn.wait;
      order.push('a ends');
    });
    await until(() => order.includes('a starts'), 'a holds the lock');
    const second = b.lock.run('telegram:42', async () => {
      order.push('b starts');
    });
    // Four leases: without renewal the lock would have expired three times over.
    await sleep(1_200);
    expect(order).toEqual(['a starts']);
    turn.open();
    await Promise.all([first, second]);

    expect(order).toEqual(['a starts', 'a ends', 'b starts']);
    expect(events.map((e) => e.event)).not.toContain('lock-lost');
  });

  test('a lock held by an instance that died is taken over once its lease runs out', async () => {
    const a = instance({ leaseMs: 300 });
    const b = instance({ leaseMs: 300, waitMs: 10_000 });
    const stuck = gate();
    let aStarted = false;
    const dying = a.lock.run('whatsapp-cloud:+15550002222', async () => {
      aStarted = true;
      await stuck.wait;
    });
    await until(() => aStarted, 'a holds the lock');
    const [lockKey] = await keysUnder(admin, `${keys.prefix}lock:`);
    expect(lockKey).toBeDefined();
    const deadToken = await admin.get(lockKey!);

    // The instance is gone: no renewal reaches Redis any more, its turn never ends.
    a.redis.disconnect();
    let bRan = false;
    await b.lock.run('whatsapp-cloud:+15550002222', async () => {
      bRan = true;
      const holder = await admin.get(lockKey!);
      expect(holder).not.toBeNull();
      expect(holder).not.toBe(deadToken);
    });

    expect(bRan).toBe(true);
    expect(events.map((e) => e.event)).toContain('lock-renew-failed');
    // The dead turn, released at last, cannot free anything: its connection is closed, its lease long gone.
    stuck.open();
    await dying;
    expect(events.map((e) => e.event)).toContain('lock-release-failed');
  });

  test("a turn whose lease was lost never frees the lock another instance took since", async () => {
    const a = instance({ leaseMs: 300 });
    const b = instance({ leaseMs: 2_000 });
    const c = instance({ leaseMs: 2_000, waitMs: 300 });
    const aTurn = gate();
    const bTurn = gate();
    let aStarted = false;
    let bStarted = false;
    const aRun = a.lock.run('webchat:shared', async () => {
      aStarted = true;
      await aTurn.wait;
    });
    await until(() => aStarted, 'a holds the lock');
    // The lease is lost as if it had run out while a stalled: the key is gone.
    const [lockKey] = await keysUnder(admin, `${keys.prefix}lock:`);
    await admin.del(lockKey!);
    const bRun = b.lock.run('webchat:shared', async () => {
      bStarted = true;
      await bTurn.wait;
    });
    await until(() => bStarted, 'b holds the lock');
    await until(() => events.some((e) => e.event === 'lock-lost'), 'a notices it lost the lock');

    aTurn.open();
    await aRun;
    // a's release found b's token and left it: c still cannot get in while b runs.
    expect(await admin.exists(lockKey!)).toBe(1);
    await expect(c.lock.run('webchat:shared', async () => undefined)).rejects.toBeInstanceOf(LockTimeoutError);

    bTurn.open();
    await bRun;
    expect(await admin.exists(lockKey!)).toBe(0);
    await expect(c.lock.run('webchat:shared', async () => 'in')).resolves.toBe('in');
  });

  test('waiting too long fails with a clear error that names no conversation, and runs nothing', async () => {
    const a = instance();
    const b = instance({ waitMs: 250 });
    const held = gate();
    let aStarted = false;
    const aRun = a.lock.run('whatsapp-cloud:+15550003333', async () => {
      aStarted = true;
      await held.wait;
    });
    await until(() => aStarted, 'a holds the lock');
    let ran = false;

    const error = await b.lock
      .run('whatsapp-cloud:+15550003333', async () => {
        ran = true;
      })
      .then(
        () => null,
        (err: unknown) => err,
      );

    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as Error).message).toMatch(/stayed locked by another instance for 250 ms; the message was not handled, send it again/);
    expect((error as Error).message).not.toContain('15550003333');
    expect(ran).toBe(false);
    held.open();
    await aRun;
  });

  test('the lock key names the conversation only by a hash, and is gone after the turn', async () => {
    const { lock } = instance();
    let during: string[] = [];
    await lock.run('whatsapp-cloud:+15550004444', async () => {
      during = await keysUnder(admin, keys.prefix);
    });

    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(new RegExp(`^${keys.prefix}lock:[0-9a-f]{32}$`));
    expect(during[0]).not.toContain('15550004444');
    expect(await keysUnder(admin, keys.prefix)).toEqual([]);
  });

  test('a turn that throws frees the lock and passes its error on', async () => {
    const { lock } = instance();
    await expect(
      lock.run('telegram:7', async () => {
        throw new Error('flow failed');
      }),
    ).rejects.toThrow('flow failed');
    await expect(lock.run('telegram:7', async () => 'next')).resolves.toBe('next');
    expect(await keysUnder(admin, keys.prefix)).toEqual([]);
  });
});
