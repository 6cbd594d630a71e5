import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { api, type CallResult, type ComptoirClient, problemOf, unwrap } from "../api/client";

/** The signed-in user, as identity describes them. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "manager" | "clerk" | "customer";
  language: "fr" | "en";
}

interface Stored {
  token: string;
  refreshToken: string;
  user: SessionUser;
}

export interface Session {
  user: SessionUser | null;
  /** A client carrying the access token (anonymous when signed out). */
  client: ComptoirClient;
  signIn(email: string, password: string): Promise<SessionUser>;
  signUp(input: { name: string; email: string; password: string; language: "fr" | "en" }): Promise<SessionUser>;
  signOut(): Promise<void>;
  /**
   * A call as the signed-in user: its data, or its problem thrown. An expired access token is
   * renewed once with the refresh token and the call made again.
   */
  call<Data>(run: (client: ComptoirClient) => Promise<CallResult<Data>>): Promise<Exclude<Data, undefined>>;
}

const STORAGE_KEY = "comptoir.session";
const SessionContext = createContext<Session | null>(null);

function load(): Stored | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

const userOf = (user: SessionUser): SessionUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  language: user.language,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<Stored | null>(load);
  const current = useRef(stored);
  const refreshing = useRef<Promise<Stored | null> | null>(null);

  const save = useCallback((next: Stored | null) => {
    current.current = next;
    if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else localStorage.removeItem(STORAGE_KEY);
    setStored(next);
  }, []);

  const refresh = useCallback((): Promise<Stored | null> => {
    const session = current.current;
    if (!session) return Promise.resolve(null);
    refreshing.current ??= (async () => {
      try {
        const result = await api.identity.POST("/api/identity/refresh", {
          body: { refreshToken: session.refreshToken },
        });
        if (problemOf(result)) {
          save(null);
          return null;
        }
        const next = { ...session, token: result.data!.token, refreshToken: result.data!.refreshToken };
        save(next);
        return next;
      } finally {
        refreshing.current = null;
      }
    })();
    return refreshing.current;
  }, [save]);

  const value = useMemo<Session>(() => {
    const client = api.withToken(stored?.token);
    return {
      user: stored?.user ?? null,
      client,
      async signIn(email, password) {
        const answer = unwrap(await api.identity.POST("/api/identity/login", { body: { email, password } }));
        const user = userOf(answer.user);
        save({ token: answer.token, refreshToken: answer.refreshToken, user });
        return user;
      },
      async signUp(input) {
        const answer = unwrap(await api.identity.POST("/api/identity/register", { body: input }));
        const user = userOf(answer.user);
        save({ token: answer.token, refreshToken: answer.refreshToken, user });
        return user;
      },
      async signOut() {
        const refreshToken = current.current?.refreshToken;
        save(null);
        if (refreshToken) await api.identity.POST("/api/identity/logout", { body: { refreshToken } });
      },
      async call(run) {
        const token = current.current?.token;
        const result = await run(api.withToken(token));
        if (token && result.response.status === 401) {
          const renewed = await refresh();
          if (renewed) return unwrap(await run(api.withToken(renewed.token)));
        }
        return unwrap(result);
      },
    };
  }, [stored, save, refresh]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
