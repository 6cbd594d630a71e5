import { InvalidError } from "@comptoir/platform";
import { slugCandidates } from "../model/category";

/**
 * The first slug of a name that no row uses yet: the name's, then qualified by the parent's, then
 * numbered (slugCandidates). A name without letters or digits gives none: 400
 * `<entity>_slug_required`; when every candidate is taken, `allTaken` says what (a 409).
 */
export async function freeSlug(options: {
  entity: "category" | "product";
  name: string;
  parentSlug?: string | undefined;
  count?: number;
  taken(candidates: string[]): Promise<Set<string>>;
  allTaken(slug: string): Error;
}): Promise<string> {
  const candidates = slugCandidates(options.name, options.parentSlug, options.count);
  if (candidates.length === 0) {
    throw new InvalidError(
      `${options.entity}_slug_required`,
      "The name has no letters or digits to make a slug from; give a slug.",
      { errors: [{ in: "body", field: "slug", message: "is required when the name has no letters or digits" }] },
    );
  }
  const taken = await options.taken(candidates);
  const free = candidates.find((c) => !taken.has(c));
  if (!free) throw options.allTaken(candidates[0]!);
  return free;
}
