import { Link } from "react-router";
import type { Category } from "../types";

/** Departments as a row of links (the home page's top ones, a department's sub-departments). */
export function CategoryChips({ categories }: { categories: readonly Category[] }) {
  return (
    <ul className="chips" role="list">
      {categories.map((c) => (
        <li key={c.id}>
          <Link className="chip" to={`/c/${c.id}/${c.slug}`}>
            {c.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}
