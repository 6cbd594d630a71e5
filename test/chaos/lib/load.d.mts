// Types of load.mjs, for the TypeScript tests that reuse it.
import type { Sample } from "./analysis.mjs";
export class Client {
  constructor(base: string, options?: { connections?: number });
  base: string;
  samples: Sample[];
  call(
    op: string,
    method: string,
    path: string,
    options?: { token?: string; cartToken?: string; key?: string; body?: unknown; expect?: number[] },
  ): Promise<{ status: number; body: any; ok: boolean }>;
  close(): Promise<void>;
}
export function login(client: Client, email: string, attempts?: number): Promise<string>;
