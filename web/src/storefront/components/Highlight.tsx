const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const decode = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

/**
 * Search's highlight (HTML-escaped text with `<mark>` around the matched words) as React elements:
 * never injected as HTML.
 */
export function Highlight({ html }: { html: string }) {
  const parts = html.split(/<\/?mark>/);
  return <>{parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{decode(part)}</mark> : decode(part)))}</>;
}
