// Types of infra.mjs, for the TypeScript tests that reuse it.
export function freePort(): Promise<number>;
export function tempDir(prefix: string): string;
export class ChaosPostgres {
  constructor(options: { dir: string; maxConnections?: number; log?: (line: string) => void });
  port: number;
  start(): Promise<void>;
  stopServer(mode?: "fast" | "immediate" | "smart"): Promise<void>;
  restart(
    mode?: "fast" | "immediate",
    downMs?: number,
  ): Promise<{ down: number; stopped: number; acceptingAt: number }>;
  waitAccepting(timeoutMs?: number): Promise<number>;
  url(database?: string): string;
  pid(): number | undefined;
}
export function startNats(
  dir: string,
): Promise<
  { skipped: string; server?: undefined } | { skipped?: undefined; server: { url: string; stop(): Promise<void> } }
>;
