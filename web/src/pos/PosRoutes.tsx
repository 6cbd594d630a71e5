/** The point of sale (`/pos/*`): to be built (issue 21). */
export default function PosRoutes() {
  return null;
}
