// Child processes for interop peers: output capture, bounded waits, kill by PID.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import process from "node:process";

/** Default bound for waiting on a peer process, in milliseconds. */
export const PEER_TIMEOUT_MS = 10_000;

/**
 * Returns undefined when `cmd` can be run, else a skip message. In CI (CI=true)
 * a missing peer is an error, so interop coverage cannot silently vanish.
 */
export function peerMissing(
  cmd: string,
  versionArgs: string[] = ["--version"],
): string | undefined {
  const r = spawnSync(cmd, versionArgs, { stdio: "ignore", timeout: 5000 });
  if (!r.error) return undefined;
  const msg = `${cmd} is not installed; skipping its interop tests`;
  if (envCi()) throw new Error(`${msg} (CI=true: install it)`);
  return msg;
}

function envCi(): boolean {
  return process.env.CI === "true";
}

/** A running peer process with its combined output. */
export class PeerProcess {
  readonly child: ChildProcess;
  /** stdout and stderr, interleaved as they arrive. */
  output = "";
  exited = false;
  readonly #group: boolean;
  #waiters: (() => void)[] = [];

  /** `opts.env` is added to our own environment for the child. */
  constructor(
    cmd: string,
    args: string[],
    opts: { detached?: boolean; env?: Record<string, string> } = {},
  ) {
    this.#group = opts.detached ?? false;
    this.child = spawn(cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      detached: this.#group,
      env: opts.env && { ...process.env, ...opts.env },
    });
    const onData = (chunk: Uint8Array) => {
      this.output += new TextDecoder().decode(chunk);
      this.#wakeAll();
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    this.child.stdin!.on("error", () => {/* the peer may exit first */});
    this.child.on("exit", () => {
      this.exited = true;
      this.#wakeAll();
    });
  }

  #wakeAll(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  /** Waits until `test` matches the output (from `from` on); returns the match. */
  async waitFor(
    test: string | RegExp,
    opts: { from?: number; timeoutMs?: number } = {},
  ): Promise<RegExpMatchArray | string> {
    const timeoutMs = opts.timeoutMs ?? PEER_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.output.slice(opts.from ?? 0);
      if (typeof test === "string") {
        if (text.includes(test)) return test;
      } else {
        const m = text.match(test);
        if (m) return m;
      }
      if (this.exited) {
        throw new Error(`peer exited before printing ${test}; output:\n${this.output}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `peer did not print ${test} within ${timeoutMs} ms; output:\n${this.output}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the process to exit (bounded); returns its exit code. */
  async waitExit(timeoutMs = PEER_TIMEOUT_MS): Promise<number | null> {
    if (!this.exited) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`peer did not exit within ${timeoutMs} ms`)),
          timeoutMs,
        );
        this.child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.child.exitCode;
  }

  /** Writes to the peer's stdin. */
  send(text: string): void {
    this.child.stdin!.write(text);
  }

  /**
   * Kills the process by PID (its whole process group when spawned with
   * `group`), then waits for it to go.
   */
  async stop(): Promise<void> {
    if (!this.exited && this.child.pid !== undefined) {
      const target = this.#group ? -this.child.pid : this.child.pid;
      const kill = (sig: string) => {
        try {
          process.kill(target, sig);
        } catch { /* already gone */ }
      };
      kill("SIGTERM");
      try {
        await this.waitExit(2000);
      } catch {
        kill("SIGKILL");
        await this.waitExit(2000).catch(() => {});
      }
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  /** Spawns a process group leader, so `stop` reaches its children too. */
  static group(cmd: string, args: string[]): PeerProcess {
    return new PeerProcess(cmd, args, { detached: true });
  }
}
