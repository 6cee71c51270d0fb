import type { FastifyReply } from 'fastify';
import { errorFields, type Logger } from '../../conversation/logger';
import { SECURITY_HEADERS } from '../../http/security-headers';
import type { Handoff, HandoffEvent } from '../service';
import type { ConsoleSessions, SignedIn } from './sessions';

/** A comment this often keeps proxies from closing a quiet stream, and re-checks the session. */
export const KEEP_ALIVE_MS = 25_000;
/** Streams one user may hold (tabs, a phone): beyond it the oldest is ended. */
const STREAMS_PER_USER = 10;
/** A client that reads nothing for this long (bytes queued) is dropped rather than buffered without end. */
const MAX_QUEUED_BYTES = 256 * 1024;

interface Stream {
  idHash: string;
  userId: string;
  organisationId: string;
  end(): void;
}

/** Whether an organisation's staff may see an event: its own cases, and a case transferred away from it. */
export function visibleTo(event: HandoffEvent, organisationId: string): boolean {
  if (event.organisationId === organisationId) return true;
  return event.type === 'case.updated' && event.previousOrganisationId === organisationId;
}

/** The event's data as sent: ids, states and counts, never message text (HandoffEvent has none). */
function frame(event: HandoffEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The console's server-sent event streams (API.md, Live updates). Each
 * subscribes to the handoff's events and passes on those of the user's
 * organisation. A stream ends when its session does (logout, a disabled
 * user, expiry seen at the next keep-alive) and when the server closes, so
 * that `close()` does not wait for browsers that never hang up.
 */
export class LiveStreams {
  private readonly streams = new Set<Stream>();

  constructor(
    private readonly handoff: Handoff,
    private readonly sessions: ConsoleSessions,
    private readonly log: Logger,
    private readonly keepAliveMs = KEEP_ALIVE_MS,
  ) {}

  open(reply: FastifyReply, who: SignedIn): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx buffers responses by default, which would hold events back.
      'x-accel-buffering': 'no',
    });

    let ended = false;
    const write = (chunk: string) => {
      if (ended || res.destroyed) return;
      res.write(chunk);
      if (res.writableLength > MAX_QUEUED_BYTES) stream.end();
    };
    const stream: Stream = {
      idHash: who.session.idHash,
      userId: who.user.id,
      organisationId: who.user.organisationId,
      end: () => {
        if (ended) return;
        ended = true;
        unsubscribe();
        clearInterval(timer);
        this.streams.delete(stream);
        if (!res.writableEnded) res.end();
      },
    };
    const unsubscribe = this.handoff.subscribe((event) => {
      if (visibleTo(event, stream.organisationId)) write(frame(event));
    });
    const timer = setInterval(() => {
      write(': keep-alive\n\n');
      this.sessions.check(stream.idHash).then(
        (user) => {
          if (!user) stream.end();
          else stream.organisationId = user.organisationId;
        },
        (err: unknown) => this.log.error({ event: 'console-stream-check-failed', ...errorFields(err) }),
      );
    }, this.keepAliveMs);
    timer.unref();
    res.on('close', stream.end);

    const theirs = [...this.streams].filter((s) => s.userId === stream.userId);
    for (const old of theirs.slice(0, Math.max(0, theirs.length - STREAMS_PER_USER + 1))) old.end();
    this.streams.add(stream);
    // The browser reconnects after 5 s when the stream drops; `ready` tells the page it is listening.
    write('retry: 5000\n\n');
    write('event: ready\ndata: {}\n\n');
  }

  endSession(idHash: string): void {
    for (const s of [...this.streams]) if (s.idHash === idHash) s.end();
  }

  endUser(userId: string): void {
    for (const s of [...this.streams]) if (s.userId === userId) s.end();
  }

  endAll(): void {
    for (const s of [...this.streams]) s.end();
  }

  get size(): number {
    return this.streams.size;
  }
}
