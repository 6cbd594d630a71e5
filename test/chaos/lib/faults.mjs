// The faults. Each `run(env)` injects one and resolves with {start, end}: `end` is when the fault is
// over (the instance was killed, the server accepts connections again, the process continues, the
// lock is released); recovery is measured from there.
import pg from "pg";
import { pidOf, sleep } from "./processes.mjs";

export function killInstance(instance) {
  return {
    name: `kill -9 ${instance}`,
    async run({ dataDir }) {
      const pid = pidOf(dataDir, instance);
      if (!pid) throw new Error(`no process for ${instance}`);
      const start = Date.now();
      process.kill(pid, "SIGKILL");
      return { start, end: start, note: `pid ${pid}` };
    },
  };
}

export function postgresRestart(mode, downMs) {
  return {
    name: `postgres restart -m ${mode} (${(downMs / 1000).toFixed(0)} s down)`,
    needs: "postgres",
    async run({ postgres }) {
      const { down, acceptingAt } = await postgres.restart(mode, downMs);
      return { start: down, end: acceptingAt };
    },
  };
}

export function serverRestart(which, downMs) {
  return {
    name: `${which} restart (${(downMs / 1000).toFixed(0)} s down)`,
    needs: which,
    async run(env) {
      const { down, acceptingAt } = await env[which].restart(downMs);
      return { start: down, end: acceptingAt };
    },
  };
}

/** Grey failure: the instance is alive (its port accepts connections) but answers nothing. */
export function stopInstance(instance, seconds) {
  return {
    name: `SIGSTOP ${instance} ${seconds} s`,
    async run({ dataDir }) {
      const pid = pidOf(dataDir, instance);
      if (!pid) throw new Error(`no process for ${instance}`);
      const start = Date.now();
      process.kill(pid, "SIGSTOP");
      try {
        await sleep(seconds * 1000);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      return { start, end: Date.now(), note: `pid ${pid}` };
    },
  };
}

/** A slow database: a session holds an ACCESS EXCLUSIVE lock on a table the load reads. */
export function slowDatabase(database, tableName, seconds) {
  return {
    name: `lock ${tableName} ${seconds} s`,
    needs: "postgres",
    async run({ postgres }) {
      const client = new pg.Client({ connectionString: postgres.url(database) });
      client.on("error", () => {});
      await client.connect();
      try {
        await client.query("BEGIN");
        const start = Date.now();
        await client.query(`LOCK TABLE ${tableName} IN ACCESS EXCLUSIVE MODE`);
        await sleep(seconds * 1000);
        await client.query("COMMIT");
        return { start, end: Date.now() };
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}
