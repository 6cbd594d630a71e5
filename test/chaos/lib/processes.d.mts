// Types of processes.mjs, for the TypeScript tests that reuse it.
import type { ChildProcess } from "node:child_process";
export const ROOT: string;
export const LAUNCHER: string;
export function sleep(ms: number): Promise<void>;
export function onCleanup(name: string, fn: () => void): void;
export function runCleanupsSync(): void;
export interface Launcher {
  child: ChildProcess;
  base: string;
  dataDir: string;
  output(): string;
  waitReady(timeoutMs?: number): Promise<number>;
  stop(timeoutMs?: number): Promise<number | null>;
}
export function startLauncher(env: Record<string, string>, args?: string[]): Launcher;
export function instancesOf(dataDir: string): { pid: number; instance: string }[];
export function pidOf(dataDir: string, instance: string): number | undefined;
