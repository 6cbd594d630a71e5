import { useCallback, useState } from "react";

/**
 * Which till this browser is: the user's store and the register picked, kept in localStorage so that
 * a reload without the network finds them (identity and retail cannot be asked then).
 */
export interface Till {
  userId: string;
  storeId: string;
  storeName: string;
  registerId: string | null;
  registerName: string | null;
  /** The register's open cash session, as last seen. */
  sessionId: string | null;
}

const KEY = "comptoir.pos.till";

function load(userId: string | undefined): Till | null {
  try {
    const till = JSON.parse(localStorage.getItem(KEY) ?? "null") as Till | null;
    return till && till.userId === userId ? till : null;
  } catch {
    return null;
  }
}

export function useTillState(userId: string | undefined) {
  const [till, setTill] = useState<Till | null>(() => load(userId));
  const [forUser, setForUser] = useState(userId);
  if (forUser !== userId) {
    setForUser(userId);
    setTill(load(userId));
  }
  const save = useCallback((next: Till | null) => {
    if (next) localStorage.setItem(KEY, JSON.stringify(next));
    else localStorage.removeItem(KEY);
    setTill(next);
  }, []);
  return [till, save] as const;
}
