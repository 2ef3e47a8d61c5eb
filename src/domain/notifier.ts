/**
 * The port through which background jobs tell people about problems. A problem is data: a kind,
 * a stable key (one Slack message per key) and the facts its message is drawn from. Each feature
 * builds the problems of its own kinds (`sync/quarantine-alert.ts`, `writeback/deadline-alert.ts`…)
 * and keeps their renderer next to them; the Slack registry maps each kind to its renderer.
 *
 * Each call resolves once the problem is durable (in the store's alert outbox), so a job awaits
 * it in the step that records the problem, before anything is sent; the Slack app posts the
 * outbox whenever it runs.
 */

/** What the occurrences of one problem add up to: how many, and the facts its message is drawn from. */
export interface ProblemState {
  count: number;
  facts: Record<string, string>;
}

/** Many problems of one group within a short time collapse into one (an account's quarantines). */
export interface ProblemBurst {
  /** The key of the problem they collapse into; it names the group. */
  key: string;
  kind: string;
  /** What this occurrence is called in the burst's message (an order ID). */
  id: string;
  /**
   * Folds occurrences into the burst problem (undefined when none is open): this one while the
   * burst lasts, or every occurrence of the window when it starts (then `since` is the first's time). Pure.
   */
  fold(open: ProblemState | undefined, ids: string[], at: string, since?: string): ProblemState;
}

/** One occurrence of a problem, as a feature's builder makes it (`quarantinedOrderProblem(notice)`). */
export interface Problem<N = unknown> {
  kind: string;
  /** Stable: a problem raised again under the same key updates its message instead of posting another. */
  key: string;
  /** The facts of this occurrence: IDs, codes, texts, never buyer data. */
  facts: Record<string, string>;
  /** The typed notice it was built from, for an echo (the sandbox terminal, tests); never stored. */
  notice: N;
  /** The facts replace the open problem's instead of adding to them (a notice that always carries them all). */
  replaceFacts?: boolean;
  /** A fact set to the time the problem is recorded (ISO), e.g. `lastAt`. */
  stamp?: string;
  /** How this occurrence folds into the open problem (undefined when none). Default: one more, `facts` added (or replacing). Pure. */
  fold?(open: ProblemState | undefined): ProblemState;
  burst?: ProblemBurst;
  /** A person's click caused it and they are watching its message: Slack gets it before changes nobody waits for. */
  awaited?: boolean;
  /** The line it is logged with: codes and IDs only (a vendor's reason may echo order data). */
  log: { level: 'info' | 'warn' | 'error'; msg: string; fields: Record<string, unknown> };
}

export interface Notifier {
  /** Records a problem, or one more occurrence of the one open under its key. */
  raise(problem: Problem): Promise<void>;
  /**
   * Records several at once, as `raise` would one after another, but a burst they fold into is
   * written once for all of them (a batch of imported orders escalated together). Optional.
   */
  raiseAll?(problems: Problem[]): Promise<void>;
  /**
   * The problem open under `key` went away (confirmed on retry, found on Amazon…): its message
   * says so with `resolution(facts)`. Nothing happens when none is open.
   */
  resolve(key: string, resolution: (facts: Record<string, string>) => string): Promise<void>;
}

const done = (): Promise<void> => Promise.resolve();

/** Raises `problems` in order, in one step when the notifier can. */
export async function raiseAll(notifier: Notifier, problems: Problem[]): Promise<void> {
  if (problems.length === 0) return;
  if (notifier.raiseAll) return notifier.raiseAll(problems);
  for (const p of problems) await notifier.raise(p);
}

export const nullNotifier: Notifier = { raise: done, resolve: done };

/** One line per problem raised, for a terminal that shows problems as they happen (the sandbox). */
export type NoticeEcho = (problem: Problem) => void;

/** `notifier` with each problem raised also echoed; the echo runs first and never holds the problem up. */
export function withEcho(notifier: Notifier, echo: NoticeEcho): Notifier {
  return {
    raise(problem) {
      echo(problem);
      return notifier.raise(problem);
    },
    raiseAll(problems) {
      for (const p of problems) echo(p);
      return raiseAll(notifier, problems);
    },
    resolve: (key, resolution) => notifier.resolve(key, resolution),
  };
}

/** A problem kind with its notice type, so an echo can read the notice back typed: `QUARANTINED_ORDER.is(p)`. */
export interface ProblemKind<N> {
  readonly name: string;
  is(p: Problem): p is Problem<N>;
}

export function problemKind<N>(name: string): ProblemKind<N> {
  return { name, is: (p): p is Problem<N> => p.kind === name };
}
