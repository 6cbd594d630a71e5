import { useEffect } from "react";

/** Where the build puts the till's service worker and manifest (web/public/pos and the build's pos-sw plugin). */
export const SW_URL = "/pos/sw.js";
export const MANIFEST_URL = "/pos/manifest.webmanifest";

/**
 * Makes the till an installable app while it is on screen: its manifest linked from the page, and
 * its service worker (scope `/pos`: the till's pages only; the gateway allows that scope with
 * `Service-Worker-Allowed`) registered in a build — Vite's dev server has none.
 */
export function usePwa(): void {
  useEffect(() => {
    const link = document.createElement("link");
    link.rel = "manifest";
    link.href = MANIFEST_URL;
    document.head.append(link);
    if (import.meta.env.PROD && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(SW_URL, { scope: "/pos" }).catch(() => undefined);
    }
    return () => link.remove();
  }, []);
}
