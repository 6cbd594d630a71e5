export * from "./saga-runner";
export type { SagaFailure, SagaHistoryEntry, SagaRow, SagaStatus } from "./sagas.repo";
export { historyOf as sagaHistory } from "./sagas.repo";
export * from "./sagas.metrics";
export * from "./sagas.schema";
export * from "./step-answers";
export * from "./saga-worker";
