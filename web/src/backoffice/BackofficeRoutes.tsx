/** The back office (`/backoffice/*`): to be built (issue 21). */
export default function BackofficeRoutes() {
  return null;
}
